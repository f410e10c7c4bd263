/**
 * Starts a Genesys Cloud sandbox: a real HTTP server on loopback that serves both the login host
 * (`/oauth/token`) and the API host (`/api/v2/...`), plus the inspection and fault controls tests use.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxRateLimiter } from './sandbox-rate-limit';
import { SandboxRouter } from './sandbox-router';
import { createSandboxListener, type SandboxRuntime } from './sandbox-server';
import { definitionRoutes } from './sandbox-definition-routes';
import { presenceRoutes } from './sandbox-presence-routes';
import { sourceRoutes } from './sandbox-source-routes';
import { userRoutes } from './sandbox-user-routes';
import { DEMO_USERS, SandboxState } from './sandbox-state';
import { createDebouncedSaver, type DebouncedSaver } from './sandbox-json-file';
import { loadSnapshot } from './sandbox-state-file';
import { SandboxTokens } from './sandbox-tokens';
import type { GenesysSandbox, SandboxFaults, SandboxOptions } from './sandbox-types';

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  clientId: 'sandbox-client',
  clientSecret: 'sandbox-secret',
  requestsPerMinutePerToken: 300,
  tokenTtlSeconds: 86_400,
} as const;

/**
 * The sandbox's state: loaded from `stateFile` when it exists (and saved there after each change), else
 * fresh; seeded with the demo and given users. `saver` is there when it has a state file; close() flushes it.
 */
async function openSandboxState(options: SandboxOptions, log: SandboxRuntime['log']): Promise<{ state: SandboxState; saver?: DebouncedSaver }> {
  let saver: DebouncedSaver | undefined;
  const onChange = (): void => saver?.schedule();
  const snapshot = options.stateFile ? await loadSnapshot(options.stateFile) : undefined;
  const state = snapshot ? SandboxState.fromSnapshot(snapshot, onChange) : SandboxState.createFresh(onChange);
  if (options.stateFile) {
    saver = createDebouncedSaver(
      options.stateFile,
      () => state.toSnapshot(),
      (error) => log('error', 'genesys sandbox could not save its state file', { error: String(error), file: options.stateFile }),
    );
  }
  for (const seed of [...(options.seedDemoUsers ? DEMO_USERS : []), ...(options.users ?? [])]) state.addUser(seed);
  // A fresh state file is written at once, so ids are stable even if the process dies early.
  if (saver && !snapshot) saver.schedule();
  return { state, saver };
}

/** Listens on a free loopback port (read it back from `port`) and resolves with the address once it does. */
async function listenOnLoopback(server: Server): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(DEFAULTS.port, DEFAULTS.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/** Starts a sandbox and resolves once it listens. Close it with `close()`. */
export async function startGenesysSandbox(options: SandboxOptions = {}): Promise<GenesysSandbox> {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? DEFAULTS.clientId;
  const clientSecret = options.clientSecret ?? DEFAULTS.clientSecret;
  const requestsPerMinutePerToken = options.requestsPerMinutePerToken ?? DEFAULTS.requestsPerMinutePerToken;
  const writeLog = options.log;
  const log: SandboxRuntime['log'] = (level, message, fields) => {
    writeLog?.(JSON.stringify({ time: new Date().toISOString(), level, message, component: 'genesys-sandbox', ...fields }));
  };

  const { state, saver } = await openSandboxState(options, log);

  const timers = new Set<NodeJS.Timeout>();
  const runtime: SandboxRuntime = {
    state,
    tokens: new SandboxTokens(clientId, clientSecret, options.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds, now),
    limiter: new SandboxRateLimiter(requestsPerMinutePerToken),
    router: new SandboxRouter([...sourceRoutes, ...definitionRoutes, ...presenceRoutes, ...userRoutes]),
    faults: {},
    requests: [],
    violations: [],
    presenceWrites: [],
    requestsPerMinutePerToken,
    now,
    sleep: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
    log,
  };

  const server = createServer(createSandboxListener(runtime));
  const address = await listenOnLoopback(server);
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostForUrl}:${address.port}`;
  log('info', 'genesys sandbox listening', { url, stateFile: options.stateFile });

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    clientId,
    clientSecret,
    requests: runtime.requests,
    violations: runtime.violations,
    presenceWrites: runtime.presenceWrites,
    setFaults(faults: SandboxFaults) {
      runtime.faults = { ...faults };
    },
    expireAllTokens() {
      runtime.tokens.expireAll();
    },
    addUser(seed) {
      const user = state.addUser(seed);
      return { id: user.id, email: user.email };
    },
    listUsers() {
      return state.listUsers().map(({ id, email, name }) => ({ id, email, name }));
    },
    getPresence(userId, sourceId) {
      return state.getPresence(userId, sourceId);
    },
    listSources() {
      return state.listSources().map(({ id, name, type, deactivated }) => ({ id, name, type, deactivated }));
    },
    deleteSource(id) {
      state.deleteSource(id);
    },
    deactivateSource(id) {
      state.deactivateSource(id);
    },
    reportSourceTypeAs(id, type) {
      state.reportSourceTypeAs(id, type);
    },
    deleteUser(id) {
      state.deleteUser(id);
    },
    recreateDefinition(id) {
      return { id: state.recreateDefinition(id).id };
    },
    deleteDefinition(id) {
      state.deleteDefinition(id);
    },
    definitions() {
      return state.definitions().map(({ id, systemPresence, type, label, deactivated }) => ({ id, systemPresence, type, label, deactivated }));
    },
    addSecondaryPresence(systemPresence, label) {
      return { id: state.addSecondaryPresence(systemPresence, label).id };
    },
    primarySourceOf(userId) {
      if (!state.getUser(userId)) throw new Error(`sandbox: no user with id ${userId}`);
      return state.primarySourceOf(userId);
    },
    reset() {
      // Cleared in place: tests may hold references to these arrays.
      runtime.requests.length = 0;
      runtime.violations.length = 0;
      runtime.presenceWrites.length = 0;
      runtime.faults = {};
      runtime.limiter.clear();
    },
    close() {
      closing ??= (async () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive sockets (Node 20 agents keep them) would otherwise hold close() open.
          server.closeAllConnections();
        });
        await saver?.flush();
        log('info', 'genesys sandbox closed', {});
      })();
      return closing;
    },
  };
}
