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
import { startLocalWork } from './runtime/local-work';
import type { MemoryKeyQueue } from './queue/memory';
import type { GenesysSandbox } from './sandbox';
import { localStatusAccess } from './status/status-access';
import { serveStatusPage } from './status/status-page';
import { createExpressApp } from './webhooks/adapters/express';
import { handleWebhook } from './webhooks/handle-webhook';
import { checkHealth } from './webhooks/health';

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
  const { config } = local;
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
  const server = await listen(app, config.port, config.bindAddress).catch(async (error: unknown) => {
    await local.close();
    throw error;
  });
  const { port, address } = server.address() as AddressInfo;

  const work = await startLocalWork(bridge, local, options.maintenanceIntervalMs);

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
    queue: local.queue,
    parts,
    assembled: bridge,
    maintain: work.maintain,
    async stop() {
      stopping = true;
      await work.stop();
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

/** Listens on PORT and BIND_ADDRESS; a failure says what to change. */
function listen(app: ReturnType<typeof createExpressApp>, port: number, bindAddress: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, bindAddress, () => resolve(listening));
    listening.once('error', reject);
  }).catch((error: unknown) => {
    throw new Error(
      `cannot listen on ${bindAddress}:${port}: ${(error as Error).message}; set PORT to a free port (and BIND_ADDRESS to an address of this machine)`,
      { cause: error },
    );
  });
}

/** A URL this machine reaches the server at: loopback when bound to every address or to loopback. */
function localUrl(bindAddress: string, port: number): string {
  const anyOrLoopback = ['0.0.0.0', '::', 'localhost'].includes(bindAddress) || bindAddress.startsWith('127.');
  if (anyOrLoopback) return `http://127.0.0.1:${port}`;
  return `http://${bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress}:${port}`;
}
