/**
 * Runs the real `npm start` entry (`node bin/start.js`) as a child process, so a test can SIGKILL it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, sleep } from './support';

const REPO_ROOT = path.resolve(__dirname, '../..');

/** Variables of the outside contract; the child gets only the ones a test sets. */
const CONTRACT_PREFIXES = ['GENESYS_', 'ZOOM_', 'TEAMS_', 'RINGCENTRAL_', 'MICROSOFT_', 'GRAPH_', 'AWS_', 'BRIDGE_'];
const CONTRACT_NAMES = ['PORT', 'LOG_LEVEL', 'PRESENCE_MAPPING_FILE', 'USER_MAPPING_FILE', 'NODE_OPTIONS'];

export interface BridgeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** stdout and stderr lines so far (one JSON object per line on stdout). */
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (CONTRACT_NAMES.includes(name) || CONTRACT_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    base[name] = value;
  }
  return { ...base, ...env };
}

function launch(env: Record<string, string>, port: number): BridgeProcess {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/start.js')], {
    cwd: REPO_ROOT,
    env: childEnv({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, url: `http://127.0.0.1:${port}`, output, exited };
}

/**
 * Starts the bridge and resolves once GET /healthz answers 200. Without `env.PORT` it picks a free port,
 * and retries once on another if that port was taken in between (free ports are only free until someone
 * binds them); with `env.PORT` (a restart on the same port, as a user's second `npm start`) it uses that.
 */
export async function startBridgeProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<BridgeProcess> {
  for (let attempt = 1; ; attempt += 1) {
    const bridge = launch(env, env.PORT ? Number(env.PORT) : await freePort());
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void bridge.exited.then((value) => (exit = value));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !exit) {
      try {
        const response = await fetch(`${bridge.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (response.status === 200) return bridge;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    if (!exit) bridge.child.kill('SIGKILL');
    const log = bridge.output.join('\n');
    if (exit && attempt === 1 && !env.PORT && /cannot listen on /.test(log)) continue;
    throw new Error(`the bridge did not become healthy (exit ${JSON.stringify(exit)}):\n${log}`);
  }
}

/** Sends `signal` and waits for the exit (SIGKILL as a last resort after `timeoutMs`). */
export async function stopBridgeProcess(bridge: BridgeProcess, signal: NodeJS.Signals, timeoutMs = 20_000) {
  if (bridge.child.exitCode !== null || bridge.child.signalCode !== null) return bridge.exited;
  bridge.child.kill(signal);
  const timer = setTimeout(() => bridge.child.kill('SIGKILL'), timeoutMs);
  try {
    return await bridge.exited;
  } finally {
    clearTimeout(timer);
  }
}
