/**
 * Composition root for the local bridge (`npm start`): express on PORT, the embedded store in
 * BRIDGE_DATA_DIR, an in-process queue and worker, and — without Genesys credentials — the built-in
 * Genesys Cloud sandbox. Logs one JSON object per line; exits cleanly on SIGTERM/SIGINT.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig, type BridgeConfig } from './config';
import { describeError } from './errors';
import { createGenesysClient, createLocalBudget, type GenesysClient } from './genesys';
import type { RetrySettings } from './genesys/transport';
import { createLogger, type Logger } from './logger';
import { createMemoryMetrics } from './metrics/memory-metrics';
import { loadPresenceMapping } from './presence';
import { createDurableTasks } from './queue/durable-tasks';
import { MemoryKeyQueue } from './queue/memory';
import { buildSourcePlugins, buildWebhookDeps, buildWorkerDeps, type BridgeParts, type SourcePlugins } from './runtime/bridge';
import { readZoomDevSecret } from './runtime/dev-secrets';
import { createControlToken, createLocalControlRouter } from './runtime/local-control';
import { removeLocalRuntime, writeLocalRuntime } from './runtime/local-runtime';
import { requeueUnfinished, runMaintenance } from './runtime/maintenance';
import { ringCentralMaintenanceSteps } from './runtime/ringcentral-maintenance';
import { sourceMaintenanceSteps } from './runtime/source-maintenance';
import { buildStatusPageDeps } from './runtime/status-page-deps';
import { unmatchedRetryStep } from './runtime/unmatched-retry';
import { startTeamsPolling } from './sources/teams/polling';
import { startGenesysSandbox, type GenesysSandbox } from './sandbox';
import { useMicrosoftSandbox, type MicrosoftSandboxUse } from './sandbox/microsoft/use-microsoft-sandbox';
import { localStatusAccess } from './status/status-access';
import { serveStatusPage } from './status/status-page';
import { openEmbeddedStore } from './store/embedded';
import { createUpcomingEmails } from './users/upcoming-emails';
import { createUserMappingSource } from './users/user-mapping-source';
import { createExpressApp } from './webhooks/adapters/express';
import { handleWebhook } from './webhooks/handle-webhook';
import { checkHealth } from './webhooks/health';
import { processMessage } from './webhooks/worker';

export interface LocalBridge {
  /** The address the server is bound to (BIND_ADDRESS). */
  readonly address: string;
  readonly port: number;
  readonly url: string;
  readonly sandbox?: GenesysSandbox;
  /** The Microsoft sandbox the Teams source uses when no Teams credentials are set. */
  readonly microsoftSandbox?: MicrosoftSandboxUse;
  readonly queue: MemoryKeyQueue;
  readonly parts: BridgeParts;
  readonly plugins: SourcePlugins;
  /** Runs the periodic maintenance now (tests and the timer). */
  maintain(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly config?: BridgeConfig;
  readonly logger?: Logger;
  /** Maintenance interval; default 60 s. */
  readonly maintenanceIntervalMs?: number;
  /** Sandbox overrides (tests): e.g. a small rate limit. */
  readonly sandboxOptions?: Parameters<typeof startGenesysSandbox>[0];
  /** Genesys client retry settings (tests shorten them). */
  readonly genesysRetry?: RetrySettings;
  /** How long the worker waits before retrying a key after a retryable Genesys failure; default 30 s. */
  readonly workerRetryMs?: number;
  /** Burst-collapsing window of the in-process queue; default 250 ms. */
  readonly settleMs?: number;
  /** Teams runtime overrides (tests: an MSAL network client trusting a stand-in's certificate). */
  readonly teams?: Parameters<typeof buildSourcePlugins>[1];
  /** Start the Microsoft sandbox when no Teams credentials are set (default true; tests of other sources turn it off). */
  readonly microsoftSandbox?: boolean;
}

/** Starts the whole local bridge and resolves once it listens. */
export async function startLocalBridge(options: StartOptions = {}): Promise<LocalBridge> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger(config.logLevel);
  for (const notice of config.notices) logger.warn(notice);
  const now = Date.now;
  // 0700: the data directory holds presence history and (encrypted) tokens; see store/private-files.ts.
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const store = await openEmbeddedStore(path.join(config.dataDir, 'state'));
  // Counters since start, shown on the status page (on AWS the same numbers go to CloudWatch).
  const metrics = createMemoryMetrics(now);
  let sandbox: GenesysSandbox | undefined;
  let genesys: GenesysClient;
  try {
    let genesysConfig = config.genesys;
    if (config.genesys.mode === 'sandbox') {
      sandbox = await startGenesysSandbox({
        seedDemoUsers: true,
        stateFile: path.join(config.dataDir, 'genesys-sandbox.json'),
        ...options.sandboxOptions,
      });
      genesysConfig = {
        ...config.genesys,
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        apiBaseUrl: sandbox.url,
        loginBaseUrl: sandbox.url,
      };
      logger.info('no Genesys credentials set: using the built-in Genesys Cloud sandbox', { sandbox: sandbox.url });
    }
    genesys = createGenesysClient({
      config: genesysConfig as typeof genesysConfig & { apiBaseUrl: string; loginBaseUrl: string },
      budget: createLocalBudget(config.genesys.requestsPerMinute),
      documents: store,
      logger,
      retry: options.genesysRetry,
      metrics,
    });
  } catch (error) {
    await sandbox?.close();
    await store.close();
    throw error;
  }

  const zoomSecrets =
    config.zoom.webhookSecretTokens.length > 0
      ? config.zoom.webhookSecretTokens
      : config.genesys.mode === 'sandbox'
        ? [readZoomDevSecret(config.dataDir, true)!]
        : [];
  const queue = new MemoryKeyQueue({
    concurrency: 8,
    settleMs: options.settleMs ?? 250,
    onError: (error) => logger.error('worker error; will retry', { error: describeError(error) }),
  });
  const durableTasks = createDurableTasks(queue, store);
  const userMapping = createUserMappingSource(config.userMappingFile, logger);
  // Without Teams credentials, Teams runs against the built-in Microsoft sandbox as it would against Microsoft.
  const microsoft =
    options.microsoftSandbox === false
      ? undefined
      : await useMicrosoftSandbox(config, config.dataDir, logger).catch(async (error: unknown) => {
          await genesys.close();
          await sandbox?.close();
          await store.close();
          throw error;
        });
  const parts: BridgeParts = {
    config: microsoft ? { ...config, teams: microsoft.teams } : config,
    logger,
    store,
    queue: durableTasks.queue,
    genesys,
    mapping: loadPresenceMapping(config.presenceMappingFile),
    overrides: userMapping.current(),
    userMapping,
    now,
    zoom: { ...config.zoom, webhookSecretTokens: zoomSecrets },
    metrics,
  };
  const plugins = buildSourcePlugins(parts, { ...microsoft?.teamsRuntime, ...options.teams });
  const webhookDeps = buildWebhookDeps(parts, plugins);
  const workerDeps = buildWorkerDeps(parts, plugins, {
    retryMs: options.workerRetryMs,
    // A user search for one key also resolves the keys queued behind it (a cold burst: ~N/50 searches, not ~N).
    upcomingEmails: createUpcomingEmails({ peekKeys: (limit) => queue.peekKeys(limit), store }),
  });

  let stopping = false;
  const statusDeps = buildStatusPageDeps(parts, localStatusAccess(config.bindAddress, config.statusPageTokens), metrics.snapshot);
  const controlToken = createControlToken();
  const app = createExpressApp({
    webhookPaths: plugins.webhooks.map((source) => source.path),
    handle: (request) => handleWebhook(request, webhookDeps),
    health: () => checkHealth({ checkWritable: () => store.checkWritable(), isStopping: () => stopping, logger }),
    status: (request) => serveStatusPage(request, statusDeps),
    routers: [
      createLocalControlRouter({
        token: controlToken,
        teamsLogin: (account, onPrompt, loginOptions) => plugins.teams.login(account, onPrompt, loginOptions),
        runTeamsMaintenance: () => plugins.teams.runMaintenance(),
        logger,
      }),
    ],
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.bindAddress, () => resolve(listening));
    listening.once('error', reject);
  }).catch(async (error) => {
    await microsoft?.close();
    await sandbox?.close();
    await store.close();
    throw new Error(
      `cannot listen on ${config.bindAddress}:${config.port}: ${(error as Error).message}; set PORT to a free port (and BIND_ADDRESS to an address of this machine)`,
      { cause: error },
    );
  });
  const { port, address } = server.address() as AddressInfo;
  microsoft?.setBridgeUrl(localUrl(config.bindAddress, port));

  // Finish what a previous run left pending before taking new work.
  queue.start(durableTasks.wrap((message) => processMessage(message, workerDeps)));
  const requeued = await requeueUnfinished(parts);
  const tasks = await durableTasks.pending();
  if (tasks.length > 0) await queue.enqueue(tasks);
  if (requeued + tasks.length > 0) {
    logger.info('resuming unfinished work from the previous run', { keys: requeued, tasks: tasks.length });
  }

  // Teams polling mode polls on its own interval; the other Teams work rides on maintenance.
  const teamsPolling = parts.config.teams.hasApiCredentials && plugins.teams.settings.mode === 'polling';
  const maintenanceSteps = [
    ...(teamsPolling ? ringCentralMaintenanceSteps(parts) : sourceMaintenanceSteps(parts, plugins.teams)),
    // Last: after the directories were refreshed (docs/genesys.md, "Unmatched users").
    unmatchedRetryStep(parts, plugins),
  ];
  const maintain = async (): Promise<void> => {
    await runMaintenance(parts, maintenanceSteps);
  };
  const poller = teamsPolling
    ? startTeamsPolling({
        intervalMs: plugins.teams.settings.pollIntervalSeconds * 1000,
        run: () => plugins.teams.runMaintenance(),
        logger,
      })
    : undefined;
  maintain().catch((error) => logger.error('startup maintenance failed', { error: describeError(error) }));
  const timer = setInterval(() => void maintain().catch(() => undefined), options.maintenanceIntervalMs ?? 60_000);
  timer.unref();

  writeLocalRuntime(config.dataDir, {
    pid: process.pid,
    port,
    startedAt: new Date().toISOString(),
    sandbox: sandbox && { url: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
    controlToken,
    microsoftSandbox: microsoft?.runtimeInfo,
  });
  const url = localUrl(config.bindAddress, port);
  logger.info('presence-bridge listening', {
    url,
    bindAddress: config.bindAddress,
    routes: ['GET /healthz', 'GET /status', ...plugins.webhooks.map((source) => `POST ${source.path}`)],
    genesys: config.genesys.mode,
    dataDir: config.dataDir,
  });

  return {
    address,
    port,
    url,
    sandbox,
    microsoftSandbox: microsoft,
    queue,
    parts,
    plugins,
    maintain,
    async stop() {
      stopping = true;
      clearInterval(timer);
      await poller?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await queue.stop();
      await genesys.close();
      await microsoft?.close();
      await sandbox?.close();
      await store.close();
      removeLocalRuntime(config.dataDir);
      logger.info('presence-bridge stopped');
    },
  };
}

/** `npm start`: run in the foreground until SIGTERM/SIGINT. */
export async function main(): Promise<void> {
  let config: BridgeConfig;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`presence-bridge: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  let bridge: LocalBridge;
  try {
    bridge = await startLocalBridge({ config, logger });
  } catch (error) {
    logger.error('presence-bridge failed to start', { error: describeError(error) });
    process.exit(1);
  }
  let exiting = false;
  const shutdown = (signal: string) => {
    if (exiting) return;
    exiting = true;
    logger.info('shutting down', { signal });
    bridge.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error('unclean shutdown', { error: describeError(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** A URL this machine reaches the server at: loopback when bound to every address or to loopback. */
function localUrl(bindAddress: string, port: number): string {
  const anyOrLoopback = ['0.0.0.0', '::', 'localhost'].includes(bindAddress) || bindAddress.startsWith('127.');
  if (anyOrLoopback) return `http://127.0.0.1:${port}`;
  return `http://${bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress}:${port}`;
}
