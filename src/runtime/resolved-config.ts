/**
 * The configuration a runtime actually runs with: the Genesys endpoint resolved (the real organization's
 * from GENESYS_REGION or the base-URL overrides, or a sandbox's) and typed as such, so the Genesys client
 * is built without casts. Produced once per runtime: by the local platform (local-platform.ts), the AWS
 * platform (aws-bridge.ts) and the CLI (cli-context.ts).
 */
import type { BridgeConfig, GenesysConfig } from '../config';
import { ConfigError } from '../errors';
import type { ResolvedGenesysConfig } from '../genesys/client';

export type { ResolvedGenesysConfig };

export interface ResolvedBridgeConfig extends BridgeConfig {
  readonly genesys: ResolvedGenesysConfig;
}

/** Where a sandbox (or any stand-in) serves the Genesys API and login, with the client it accepts. */
export interface GenesysEndpoint {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * The configuration with its Genesys endpoint checked: a client and both base URLs, from the environment
 * (live) or filled in by a sandbox (resolveSandboxGenesys). `hint` says what to set in this runtime.
 */
export function resolveGenesysEndpoint(config: BridgeConfig, hint: string): ResolvedBridgeConfig {
  const { genesys } = config;
  const { apiBaseUrl, loginBaseUrl } = genesys;
  if (!genesys.clientId || !apiBaseUrl || !loginBaseUrl) throw new ConfigError(hint);
  return { ...config, genesys: { ...genesys, apiBaseUrl, loginBaseUrl } };
}

/** A sandbox's endpoint and client in place of the real organization's. */
export function resolveSandboxGenesys(config: BridgeConfig, endpoint: GenesysEndpoint): ResolvedBridgeConfig {
  const genesys: GenesysConfig = config.genesys;
  return {
    ...config,
    genesys: { ...genesys, clientId: endpoint.clientId, clientSecret: endpoint.clientSecret, apiBaseUrl: endpoint.url, loginBaseUrl: endpoint.url },
  };
}
