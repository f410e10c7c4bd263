/**
 * Starts the Microsoft sandbox on 127.0.0.1: an HTTPS login server (certificate from a local CA, since
 * msal-node refuses http authorities) and an HTTP Graph server with the JWKS and the loopback-only
 * admin routes. `npm start` runs it when no Teams credentials are set (use-microsoft-sandbox.ts); the
 * Teams tests run it as their Microsoft stand-in (test/helpers/microsoft-stand-in.ts). Behaviour
 * follows Microsoft's documentation, cited in each part.
 */
import http from 'node:http';
import https from 'node:https';
import { handleAdminRoute } from './admin-routes';
import { createLocalCertificateAuthority } from './certificate-authority';
import { deliverLifecycleNotification, deliverNotifications, deliverPresenceChange } from './deliveries';
import { createGraphHandler } from './graph-routes';
import { createLoginHandler } from './login-routes';
import { createDebouncedSaver, type DebouncedSaver } from '../sandbox-json-file';
import { createMicrosoftState, type MicrosoftState } from './microsoft-state';
import { loadMicrosoftSnapshot, restoreMicrosoftState, snapshotMicrosoftState } from './microsoft-state-file';
import type { MicrosoftSandbox, MicrosoftSandboxOptions, PresenceChangeResult, SandboxTls } from './microsoft-types';
import { closeServer, listen } from './sandbox-http';

function freshTls(): SandboxTls {
  const { ca, leaf } = createLocalCertificateAuthority();
  return { certPem: leaf.certPem, keyPem: leaf.keyPem, caPem: ca.certPem };
}

/** The state, restored from `options.stateFile` when it exists, and the saver that keeps that file current. */
async function openMicrosoftState(options: MicrosoftSandboxOptions): Promise<{ state: MicrosoftState; saver?: DebouncedSaver; loginPort?: number }> {
  const state = createMicrosoftState(options);
  if (!options.stateFile) return { state };
  const snapshot = await loadMicrosoftSnapshot(options.stateFile);
  if (snapshot) restoreMicrosoftState(state, snapshot);
  const saver = createDebouncedSaver(options.stateFile, () => snapshotMicrosoftState(state), options.onStateSaveError ?? (() => undefined));
  return { state, saver, loginPort: snapshot?.loginPort };
}

/** Listens on `preferred` when it is free, else on any free port. */
async function listenPreferring(server: https.Server, preferred: number | undefined): Promise<number> {
  if (preferred) {
    try {
      return await listen(server, preferred);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  return listen(server);
}

/** Saves the state after every answered request (sign-ins, subscriptions, presence changes). */
function savingAfter(handler: http.RequestListener, saver: DebouncedSaver | undefined): http.RequestListener {
  if (!saver) return handler;
  return (req, res) => {
    res.once('finish', () => saver.schedule());
    return handler(req, res);
  };
}

export async function startMicrosoftSandbox(options: MicrosoftSandboxOptions = {}): Promise<MicrosoftSandbox> {
  const { state, saver, loginPort: previousLoginPort } = await openMicrosoftState(options);
  const tls = options.tls ?? freshTls();

  const setPresence = (userId: string, availability: string, activity: string): void => {
    const user = state.users.get(userId);
    if (!user) throw new Error(`no user ${userId}`);
    user.availability = availability;
    user.activity = activity;
    state.bumpSequence(userId);
    saver?.schedule();
  };
  const changePresence = async (userId: string, availability: string, activity: string): Promise<PresenceChangeResult> => {
    setPresence(userId, availability, activity);
    const user = state.users.get(userId)!;
    const deliveries = await deliverPresenceChange(state, userId);
    return { userId, email: user.mail ?? user.userPrincipalName, availability, activity, sequenceNumber: state.sequenceOf(userId), deliveries };
  };

  const loginServer = https.createServer({ key: tls.keyPem, cert: tls.certPem }, savingAfter(createLoginHandler(state), saver));
  const graphServer = http.createServer(
    savingAfter(
      createGraphHandler(state, (req, res, url, text) => handleAdminRoute(state, changePresence, req, res, url, text)),
      saver,
    ),
  );
  const loginPort = await listenPreferring(loginServer, previousLoginPort);
  const graphPort = await listen(graphServer).catch(async (error: unknown) => {
    await closeServer(loginServer);
    throw error;
  });
  state.urls = { loginBaseUrl: `https://127.0.0.1:${loginPort}`, graphOrigin: `http://127.0.0.1:${graphPort}` };
  const httpsAgent = new https.Agent({ ca: tls.caPem, keepAlive: false });

  return {
    tenantId: state.tenantId,
    tenantDomain: state.tenantDomain,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    loginBaseUrl: state.urls.loginBaseUrl,
    graphBaseUrl: `${state.urls.graphOrigin}/v1.0`,
    jwksUrl: `${state.urls.graphOrigin}/common/discovery/v2.0/keys`,
    adminUrl: `${state.urls.graphOrigin}/sandbox`,
    caPem: tls.caPem,
    httpsAgent,
    signer: state.signer,
    users: state.users,
    groups: state.groups,
    subscriptions: state.subscriptions,
    requests: state.requests,

    approveDeviceCode(userCode, userId) {
      const code = [...state.deviceCodes.values()].find((candidate) => candidate.userCode === userCode);
      if (!code) throw new Error(`no device code ${userCode}`);
      code.approvedUserId = userId;
    },

    /** Like a password reset with continuous access evaluation: refresh AND access tokens stop working. */
    revokeRefreshTokens(userId) {
      for (const [token, owner] of [...state.refreshTokens]) if (owner === userId) state.refreshTokens.delete(token);
      for (const [token, identity] of [...state.accessTokens]) if (identity.kind === 'user' && identity.userId === userId) state.accessTokens.delete(token);
      saver?.schedule();
    },

    failNext(method, pathPrefix, status, headers = {}, body) {
      state.failures.push({ method, pathPrefix, status, headers, body });
    },

    setPresence,
    changePresence,
    sequenceOf: (userId) => state.sequenceOf(userId),
    deliver: (items, deliverOptions) => deliverNotifications(state, items, deliverOptions),
    deliverLifecycle: (subscriptionId, lifecycleEvent) => deliverLifecycleNotification(state, subscriptionId, lifecycleEvent),
    dropSubscription(subscriptionId) {
      state.subscriptions.delete(subscriptionId);
      saver?.schedule();
    },

    async close() {
      httpsAgent.destroy();
      await Promise.all([closeServer(loginServer), closeServer(graphServer)]);
      await saver?.flush();
    },
  };
}
