/**
 * Composition root for the local bridge (`npm start`): express on PORT, the embedded store in
 * BRIDGE_DATA_DIR, an in-process queue and worker, and — without Genesys credentials — the built-in
 * Genesys Cloud sandbox. Logs one JSON object per line; exits cleanly on SIGTERM/SIGINT.
 */
import type { AddressInfo } from 'node:net';
import { loadConfig, type BridgeConfig } from './config';
import { describeError } from './errors';
import { createLogger } from './logger';
import { assembleBridge, type AssembledBridge } from './runtime/assemble-bridge';
import { announceLocalBridge, createLocalApp } from './runtime/local-app';
import { createControlToken } from './runtime/local-control';
import { removeLocalRuntime } from './runtime/local-runtime';
import type { BridgeParts } from './runtime/bridge';
import { listenFront } from './runtime/listen-front';
import { openLocalPlatform, type LocalPlatform, type LocalPlatformOptions } from './runtime/local-platform';
import { startLocalWork } from './runtime/local-work';
import type { MemoryKeyQueue } from './queue/memory';
import type { GenesysSandbox } from './sandbox';
import type { MicrosoftSandbox } from './sandbox/microsoft/microsoft-types';
import type { RingCentralSandbox } from './sandbox/ringcentral/ringcentral-sandbox';

export interface LocalBridge {
  /** The address the server is bound to (BIND_ADDRESS). */
  readonly address: string;
  readonly port: number;
  readonly url: string;
  readonly sandbox?: GenesysSandbox;
  /** The RingCentral and Microsoft sandboxes, when `npm start` uses them. */
  readonly ringcentralSandbox?: RingCentralSandbox;
  readonly microsoftSandbox?: MicrosoftSandbox;
  /** The local platform (its sandboxes: `local.sandboxes`). */
  readonly local: LocalPlatform;
  readonly queue: MemoryKeyQueue;
  readonly parts: BridgeParts;
  /** Everything assembleBridge built (e.g. `assembled.vendor(teamsModule).runtime`). */
  readonly assembled: AssembledBridge;
  /** Runs the periodic maintenance now (tests and the timer). */
  maintain(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions extends Partial<Omit<LocalPlatformOptions, 'bridgeUrl'>> {
  readonly config?: BridgeConfig;
}

/** Starts the whole local bridge and resolves once it listens. */
export async function startLocalBridge(options: StartOptions = {}): Promise<LocalBridge> {
  const loaded = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger(loaded.logLevel);
  for (const notice of loaded.notices) logger.warn(notice);
  // Listen first (answering 503 until ready): a busy port fails before anything starts, and the sandboxes
  // learn the bridge's own URL (PORT may be 0) before their subscriptions are made.
  const front = await listenFront(loaded.port, loaded.bindAddress);
  const { port, address } = front.server.address() as AddressInfo;
  const url = localUrl(loaded.bindAddress, port);
  const local = await openLocalPlatform(loaded, { ...options, logger, bridgeUrl: url }).catch(async (error: unknown) => {
    await front.close();
    throw error;
  });
  const { config } = local;
  // A vendor's configuration error (ConfigError naming the variable) stops the start here.
  const bridge = await Promise.resolve()
    .then(() => assembleBridge(config, local.platform))
    .catch(async (error: unknown) => {
      await front.close();
      await local.close();
      throw error;
    });
  const { parts } = bridge;

  let stopping = false;
  const controlToken = createControlToken();
  front.serve(createLocalApp(bridge, local, { controlToken, isStopping: () => stopping, logger }));
  const work = await startLocalWork(bridge, local);
  announceLocalBridge(bridge, local, { port, url, controlToken, logger });

  return {
    address,
    port,
    url,
    sandbox: local.genesysSandbox,
    ringcentralSandbox: local.ringcentralSandbox,
    microsoftSandbox: local.microsoftSandbox,
    local,
    queue: local.queue,
    parts,
    assembled: bridge,
    maintain: work.maintain,
    async stop() {
      stopping = true;
      await work.stop();
      await front.close();
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
