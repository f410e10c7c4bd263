/**
 * The README's five-minute walk-through, as a newcomer runs it: `npm start` with no configuration,
 * `presence-bridge simulate zoom`, then `presence-bridge status` shows the write in the sandbox.
 * Real processes, real HTTP, a fresh data directory.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDataDir, waitFor } from '../helpers/local-bridge';

const root = path.join(__dirname, '../..');
const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('quick start (npm start → simulate → status)', () => {
  let child: ChildProcess;
  let output = '';
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const port = await freePort();
    // No Genesys, Zoom or AWS variables: the sandbox and a development Zoom secret are used.
    env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), BRIDGE_DATA_DIR: tempDataDir() };
    child = spawn(process.execPath, ['bin/start.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    await waitFor(
      async () => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
        } catch {
          return false;
        }
      },
      20_000,
      'the bridge to listen',
    );
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('writes a simulated Zoom event to the sandbox and shows it in status', async () => {
    const simulate = await run(process.execPath, ['bin/presence-bridge.js', 'simulate', 'zoom', '--email', 'bob@example.com', '--status', 'On_Phone_Call'], {
      cwd: root,
      env,
    });
    expect(simulate.stdout).toContain('200');

    let record: { status: string; applied?: { target: string; message: string }; primarySource?: string } | undefined;
    await waitFor(
      async () => {
        const status = await run(process.execPath, ['bin/presence-bridge.js', 'status', '--email', 'bob@example.com', '--system', 'zoom', '--json'], {
          cwd: root,
          env,
        });
        record = JSON.parse(status.stdout)[0];
        return record?.status === 'applied';
      },
      20_000,
      'status to show the write',
    );
    expect(record?.applied).toMatchObject({ target: 'Busy', message: 'On a phone call' });
    expect(record?.primarySource).toBe('PURECLOUD');

    const table = await run(process.execPath, ['bin/presence-bridge.js', 'status'], { cwd: root, env });
    expect(table.stdout).toMatch(/bob@example\.com\s+Zoom\s+Busy "On a phone call"\s+Busy "On a phone call"\s+applied/);
  });

  it('logs one JSON object per line and exits cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = output.trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.some((line) => JSON.parse(line).message === 'presence-bridge listening')).toBe(true);
  });
});
