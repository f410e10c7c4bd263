/**
 * `npm start` without RingCentral credentials: start the RingCentral sandbox and point the RingCentral
 * source at it exactly as at RingCentral (server URL, client, JWT, a development verification token kept
 * in BRIDGE_DATA_DIR). The bridge then logs in, reads the extensions, creates its webhook subscription in
 * the startup maintenance run, and receives the sandbox's deliveries (docs/ringcentral.md, "Trying
 * RingCentral offline").
 */
import path from 'node:path';
import type { BridgeConfig } from '../../config';
import type { Logger } from '../../logger';
import { readRingCentralDevVerificationToken } from '../../runtime/dev-secrets';
import { RINGCENTRAL_SANDBOX_PRESENCE_ROUTE, startRingCentralSandbox, type RingCentralSandbox } from './ringcentral-sandbox';
import type { RingCentralSandboxOptions } from './ringcentral-sandbox-types';

export const RINGCENTRAL_SANDBOX_STATE_FILE = 'ringcentral-sandbox.json';

/** What the local runtime file records about the RingCentral sandbox (for `simulate ringcentral`). */
export interface RingCentralSandboxRuntimeInfo {
  readonly url: string;
  /** `POST` here `{email, dnd?, telephony?, presenceStatus?, userStatus?}` to change a presence. */
  readonly adminUrl: string;
}

export interface RingCentralSandboxInUse {
  readonly sandbox: RingCentralSandbox;
  /** The configuration with RingCentral pointed at the sandbox. */
  readonly config: BridgeConfig;
  /**
   * The configuration the RingCentral maintenance needs once the bridge listens: BRIDGE_PUBLIC_URL, when
   * unset, becomes the bridge's own local URL (the sandbox delivers on this machine).
   */
  withPublicUrl(config: BridgeConfig, localUrl: string): BridgeConfig;
  readonly runtimeInfo: RingCentralSandboxRuntimeInfo;
  close(): Promise<void>;
}

/**
 * True when `npm start` should use the sandbox: none of RINGCENTRAL_CLIENT_ID, RINGCENTRAL_CLIENT_SECRET,
 * RINGCENTRAL_JWT is set, and Genesys is the sandbox too (demo users are only in the Genesys sandbox;
 * a deployment writing to a real Genesys org gets no fake RingCentral users).
 */
export function shouldUseRingCentralSandbox(config: BridgeConfig): boolean {
  const rc = config.ringcentral;
  return !rc.clientId && !rc.clientSecret && !rc.jwt && config.genesys.mode === 'sandbox';
}

/** Starts the sandbox when `shouldUseRingCentralSandbox`; undefined otherwise. Logs which one is in use. */
export async function useRingCentralSandbox(
  config: BridgeConfig,
  dataDir: string,
  logger: Logger,
  options: RingCentralSandboxOptions = {},
): Promise<RingCentralSandboxInUse | undefined> {
  if (!shouldUseRingCentralSandbox(config)) return undefined;
  const verificationToken = config.ringcentral.verificationTokens[0] ?? readRingCentralDevVerificationToken(dataDir, true)!;
  const sandbox = await startRingCentralSandbox({
    seedDemoUsers: true,
    stateFile: path.join(dataDir, RINGCENTRAL_SANDBOX_STATE_FILE),
    ...options,
  });
  const resolved: BridgeConfig = {
    ...config,
    ringcentral: {
      ...config.ringcentral,
      serverUrl: sandbox.url,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      jwt: sandbox.jwt,
      verificationTokens: [verificationToken, ...config.ringcentral.verificationTokens.filter((t) => t !== verificationToken)],
      hasApiCredentials: true,
    },
  };
  const runtimeInfo = { url: sandbox.url, adminUrl: `${sandbox.url}${RINGCENTRAL_SANDBOX_PRESENCE_ROUTE}` };
  logger.info('no RingCentral credentials set: using the built-in RingCentral sandbox', { sandbox: sandbox.url });
  return {
    sandbox,
    config: resolved,
    withPublicUrl: (current, localUrl) => (current.publicUrl ? current : { ...current, publicUrl: localUrl }),
    runtimeInfo,
    close: () => sandbox.close(),
  };
}
