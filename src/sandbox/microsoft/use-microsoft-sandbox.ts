/**
 * `npm start` without Teams credentials: starts the Microsoft sandbox and points the Teams source at it
 * exactly as at Microsoft — the sandbox's tenant, app and secret, MICROSOFT_LOGIN_BASE_URL (HTTPS,
 * trusted through an MSAL network client whose agent trusts only the sandbox's CA), GRAPH_API_BASE_URL,
 * GRAPH_JWKS_URL, a development TEAMS_CLIENT_STATE / TEAMS_TOKEN_ENCRYPTION_KEY / encryption
 * certificate kept in BRIDGE_DATA_DIR, subscription mode, and the bridge's own local URL as
 * BRIDGE_PUBLIC_URL (docs/teams.md, "Trying Teams offline").
 */
import https from 'node:https';
import path from 'node:path';
import type { INetworkModule } from '@azure/msal-node';
import type { BridgeConfig, TeamsConfig } from '../../config';
import { describeError } from '../../errors';
import type { Logger } from '../../logger';
import { createMsalNetworkClient } from '../../sources/teams/msal-setup';
import { DEMO_SERVICE_ACCOUNT_EMAIL, demoDirectory, demoObjectId } from './demo-directory';
import type { MicrosoftSandbox } from './microsoft-types';
import { loadOrCreateMicrosoftSandboxFiles, MICROSOFT_SANDBOX_DIR } from './sandbox-files';
import { startMicrosoftSandbox } from './start-microsoft-sandbox';

/** What the operator CLI needs from the runtime file to drive the sandbox (`simulate teams`). */
export interface MicrosoftSandboxRuntimeInfo {
  /** `http://127.0.0.1:PORT/sandbox`: `POST /presence`, `GET /subscriptions` (loopback only). */
  readonly adminUrl: string;
  readonly loginBaseUrl: string;
  readonly graphBaseUrl: string;
}

export interface MicrosoftSandboxUse {
  readonly sandbox: MicrosoftSandbox;
  /** The Teams configuration pointing at the sandbox (replaces `config.teams`). */
  readonly teams: TeamsConfig;
  /** For the Teams runtime: MSAL's network client trusting the sandbox CA. */
  readonly teamsRuntime: { readonly msalNetworkClient: INetworkModule };
  readonly runtimeInfo: MicrosoftSandboxRuntimeInfo;
  /** The bridge's own URL once it listens: where subscriptions deliver (BRIDGE_PUBLIC_URL). */
  setBridgeUrl(url: string): void;
  close(): Promise<void>;
}

/** True when any Teams app credential is set: then the real Microsoft is meant, never the sandbox. */
export function hasTeamsCredentials(teams: TeamsConfig): boolean {
  return Boolean(teams.tenantId || teams.clientId || teams.clientSecret);
}

/**
 * Whether `npm start` uses the Microsoft sandbox: no Teams credentials set, and Genesys is the sandbox too.
 * Against a real Genesys organization the demo users match nobody, and Teams maintenance would only spend
 * the organization's API budget — so, like the development Zoom secret, it is a sandbox-mode feature.
 */
export function usesMicrosoftSandbox(config: BridgeConfig): boolean {
  return !hasTeamsCredentials(config.teams) && config.genesys.mode === 'sandbox';
}

/** Starts the Microsoft sandbox when `usesMicrosoftSandbox` (else undefined), and returns the overrides that make the Teams source use it. */
export async function useMicrosoftSandbox(config: BridgeConfig, dataDir: string, logger: Logger): Promise<MicrosoftSandboxUse | undefined> {
  if (!usesMicrosoftSandbox(config)) return undefined;
  const files = loadOrCreateMicrosoftSandboxFiles(dataDir);
  const sandbox = await startMicrosoftSandbox({
    tenantId: files.app.tenantId,
    tenantDomain: 'example.com',
    clientId: files.app.clientId,
    clientSecret: files.app.clientSecret,
    users: demoDirectory(),
    tls: { certPem: files.leaf.certPem, keyPem: files.leaf.keyPem, caPem: files.ca.certPem },
    autoApproveDeviceCodesAs: demoObjectId(DEMO_SERVICE_ACCOUNT_EMAIL),
    // Sign-ins, subscriptions and presence survive a restart, as they do at Microsoft.
    stateFile: path.join(dataDir, MICROSOFT_SANDBOX_DIR, 'state.json'),
    onStateSaveError: (error) => logger.warn('microsoft sandbox: cannot save its state file', { error: describeError(error) }),
  });
  // Trust exactly the sandbox's CA for the login calls; everything else keeps Node's defaults.
  const httpsAgent = new https.Agent({ ca: files.ca.certPem, keepAlive: false });
  let bridgeUrl: string | undefined;
  const teams: TeamsConfig = {
    ...config.teams,
    tenantId: sandbox.tenantId,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    clientStates: [files.app.clientState],
    // Read when the first subscription is made, after the server listens (PORT may be 0).
    get notificationUrl() {
      return bridgeUrl;
    },
    encryptionCertificate: files.encryption.certPem,
    encryptionPrivateKey: files.encryption.keyPem,
    encryptionCertificateId: 'presence-bridge-sandbox',
    graphApiBaseUrl: sandbox.graphBaseUrl,
    microsoftLoginBaseUrl: sandbox.loginBaseUrl,
    graphJwksUrl: sandbox.jwksUrl,
    settings: { ...config.teams.settings, mode: 'subscription', tokenEncryptionKeys: [files.app.tokenEncryptionKey] },
    hasApiCredentials: true,
  };
  logger.info('no Teams credentials set: using the built-in Microsoft sandbox (sign in with: presence-bridge teams login --account demo)', {
    microsoftSandbox: sandbox.adminUrl,
    login: sandbox.loginBaseUrl,
    graph: sandbox.graphBaseUrl,
  });
  return {
    sandbox,
    teams,
    teamsRuntime: { msalNetworkClient: createMsalNetworkClient({ httpsAgent }) },
    runtimeInfo: { adminUrl: sandbox.adminUrl, loginBaseUrl: sandbox.loginBaseUrl, graphBaseUrl: sandbox.graphBaseUrl },
    setBridgeUrl(url) {
      bridgeUrl = url;
    },
    async close() {
      httpsAgent.destroy();
      await sandbox.close();
    },
  };
}
