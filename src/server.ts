/**
 * Composition root for the local bridge (`npm start`): express on PORT, the embedded store in
 * BRIDGE_DATA_DIR, an in-process queue and worker, and — without Genesys credentials — the built-in
 * Genesys Cloud sandbox. Logs one JSON object per line; exits cleanly on SIGTERM/SIGINT.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type BridgeConfig } from './config';
import { describeError } from './errors';
import { createLogger } from './logger';
import { assembleBridge, type AssembledBridge } from './runtime/assemble-bridge';
import type { BridgeParts } from './runtime/bridge';
import { openLocalPlatform, type LocalPlatformOptions } from './runtime/local-platform';
import { removeLocalRuntime, writeLocalRuntime } from './runtime/local-runtime';
import { requeueUnfinished, runMaintenance } from './runtime/maintenance';
import type { MemoryKeyQueue } from './queue/memory';
import type { GenesysSandbox } from './sandbox';
import { startTeamsPolling } from './sources/teams/polling';
import { localStatusAccess } from './status/status-access';
import { serveStatusPage } from './status/status-page';
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
  readonly queue: MemoryKeyQueue;
  readonly parts: BridgeParts;
  /** Everything assembleBridge built (e.g. `assembled.vendor(teamsModule).runtime`). */
  readonly assembled: AssembledBridge;
  /** Runs the periodic maintenance now (tests and the timer). */
  maintain(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions extends Partial<LocalPlatformOptions> {
  readonly config?: BridgeConfig;
  /** Maintenance interval; default 60 s. */
  readonly maintenanceIntervalMs?: number;
}

/** Starts the whole local bridge and resolves once it listens. */
export async function startLocalBridge(options: StartOptions = {}): Promise<LocalBridge> {
  const loaded = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger(loaded.logLevel);
  for (const notice of loaded.notices) logger.warn(notice);
  const local = await openLocalPlatform(loaded, { ...options, logger });
  const { config, queue, durableTasks } = local;
  // A vendor's configuration error (ConfigError naming the variable) stops the start here.
  const bridge = await Promise.resolve()
    .then(() => assembleBridge(config, local.platform))
    .catch(async (error: unknown) => {
      await local.close();
      throw error;
    });
  const { parts } = bridge;

  let stopping = false;
  const statusDeps = bridge.statusPage(localStatusAccess(config.bindAddress, config.statusPageTokens), local.metrics.snapshot);
  const app = createExpressApp({
    webhookPaths: bridge.webhook.sources.map((source) => source.path),
    handle: (request) => handleWebhook(request, bridge.webhook),
    health: () => checkHealth({ checkWritable: () => parts.store.checkWritable(), isStopping: () => stopping, logger }),
    status: (request) => serveStatusPage(request, statusDeps),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, config.bindAddress, () => resolve(listening));
    listening.once('error', reject);
  }).catch(async (error) => {
    await local.close();
    throw new Error(
      `cannot listen on ${config.bindAddress}:${config.port}: ${(error as Error).message}; set PORT to a free port (and BIND_ADDRESS to an address of this machine)`,
      { cause: error },
    );
  });
  const { port, address } = server.address() as AddressInfo;

  // Finish what a previous run left pending before taking new work.
  queue.start(durableTasks.wrap((message) => processMessage(message, bridge.worker)));
  const requeued = await requeueUnfinished(parts);
  const tasks = await durableTasks.pending();
  if (tasks.length > 0) await queue.enqueue(tasks);
  if (requeued + tasks.length > 0) {
    logger.info('resuming unfinished work from the previous run', { keys: requeued, tasks: tasks.length });
  }

  const maintain = async (): Promise<void> => void (await runMaintenance(parts, bridge.maintenanceSteps));
  const pollers = bridge.pollers.map((poller) => startTeamsPolling({ intervalMs: poller.intervalMs, run: () => poller.run(), logger }));
  maintain().catch((error) => logger.error('startup maintenance failed', { error: describeError(error) }));
  const timer = setInterval(() => void maintain().catch(() => undefined), options.maintenanceIntervalMs ?? 60_000);
  timer.unref();

  const sandbox = local.genesysSandbox;
  writeLocalRuntime(config.dataDir, {
    pid: process.pid,
    port,
    startedAt: new Date().toISOString(),
    sandbox: sandbox && { url: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
  });
  const url = localUrl(config.bindAddress, port);
  logger.info('presence-bridge listening', {
    url,
    bindAddress: config.bindAddress,
    routes: ['GET /healthz', 'GET /status', ...bridge.webhook.sources.map((source) => `POST ${source.path}`)],
    genesys: config.genesys.mode,
    dataDir: config.dataDir,
  });

  return {
    address,
    port,
    url,
    sandbox,
    queue,
    parts,
    assembled: bridge,
    maintain,
    async stop() {
      stopping = true;
      clearInterval(timer);
      for (const poller of pollers) await poller.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await local.close();
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
