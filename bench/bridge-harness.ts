/**
 * Starts the real local bridge (`startLocalBridge`: express + embedded store + in-process queue and
 * worker + the Genesys sandbox) for a benchmark, in a fresh temporary data directory, on 127.0.0.1
 * port 0, with the production defaults for everything the benchmark does not name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { startLocalBridge, type LocalBridge, type StartOptions } from '../src/server';
import { benchUserEmail } from './webhook-bodies';

export const BENCH_ZOOM_SECRET = 'bench-zoom-secret-token';

export interface BenchBridge {
  readonly bridge: LocalBridge;
  readonly dataDir: string;
  /** Stops the bridge and removes its data directory. */
  stop(): Promise<void>;
}

/** A fresh directory under the OS temp dir; removed by the caller. */
export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `presence-bridge-bench-${prefix}-`));
}

/**
 * Starts the local bridge with `users` sandbox users (`bench-user-{i}@example.com`), so the worker can
 * match every bench event's email. `env` adds or overrides variables (e.g. GENESYS_REQUESTS_PER_MINUTE).
 */
export async function startBenchBridge(options: {
  users: number;
  env?: Record<string, string>;
  start?: Omit<StartOptions, 'config' | 'logger'>;
}): Promise<BenchBridge> {
  const dataDir = makeTempDir('bridge');
  const config = loadConfig({
    PORT: '0',
    BRIDGE_DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    ZOOM_WEBHOOK_SECRET_TOKEN: BENCH_ZOOM_SECRET,
    ...options.env,
  });
  const users = Array.from({ length: options.users }, (_, index) => ({ email: benchUserEmail(index), name: `Bench User ${index}` }));
  const bridge = await startLocalBridge({
    config,
    logger: silentLogger,
    ...options.start,
    // No sandbox state file: the sandbox stands in for Genesys Cloud, which is remote in production, and
    // re-serializing its whole state every 200 ms while writes land would be charged to the bridge.
    sandboxOptions: { seedDemoUsers: false, users, stateFile: undefined, ...options.start?.sandboxOptions },
  });
  return {
    bridge,
    dataDir,
    async stop() {
      try {
        await bridge.stop();
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
