/**
 * Teams offline, as a newcomer runs it: `npm start` with no configuration starts the Microsoft sandbox;
 * `presence-bridge teams login --account demo` signs the demo service account in (the sandbox approves
 * the device code) while npm start keeps running; `simulate teams` makes the sandbox deliver a rich
 * notification, as Graph would; `status` shows Alice's Teams row applied in the Genesys sandbox.
 * Real processes, real HTTP(S), a fresh data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { runCliProcess } from '../helpers/cli-process';
import { tempDataDir, waitFor } from '../helpers/local-bridge';

const root = path.join(__dirname, '../..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const cli = (env: NodeJS.ProcessEnv, args: string[]) => runCliProcess(args, env);

describe('quick start for Teams (npm start → teams login → simulate teams → status)', () => {
  let child: ChildProcess;
  let output = '';
  let env: NodeJS.ProcessEnv;
  let dataDir: string;

  beforeAll(async () => {
    const port = await freePort();
    dataDir = tempDataDir();
    // No Genesys, Teams or AWS variables: the Genesys and Microsoft sandboxes are used.
    env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), BRIDGE_DATA_DIR: dataDir };
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
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs that the Microsoft sandbox is in use, with its URL', () => {
    const line = output
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text) as { message: string; microsoftSandbox?: string })
      .find((entry) => entry.message.includes('Microsoft sandbox'));
    expect(line?.microsoftSandbox).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sandbox$/);
  });

  it('explains what to do when nothing subscribes yet', async () => {
    const result = await cli(env, ['simulate', 'teams', '--email', 'alice@example.com', '--availability', 'Away', '--activity', 'Away']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('presence-bridge teams login --account demo');
  });

  it('signs the demo account in while npm start runs, and subscribes at once', async () => {
    const login = await cli(env, ['teams', 'login', '--account', 'demo']);
    expect(login).toMatchObject({ code: 0 });
    expect(login.stderr).toContain('enter the code');
    expect(login.stdout).toContain('Service account "demo" signed in as teams-service@example.com');
    expect(login.stdout).toMatch(/demo: 5 users, subscription created/);
  });

  it('delivers a simulated Teams presence change and shows it applied in status', async () => {
    const simulate = await cli(env, ['simulate', 'teams', '--email', 'alice@example.com', '--availability', 'Busy', '--activity', 'InACall']);
    expect(simulate).toMatchObject({ code: 0 });
    expect(simulate.stdout).toMatch(/rich notification of subscription \S+ to http:\/\/127\.0\.0\.1:\d+\/webhooks\/teams: HTTP 202/);

    let record: { status: string; applied?: { target: string; message: string } } | undefined;
    await waitFor(
      async () => {
        const status = await cli(env, ['status', '--email', 'alice@example.com', '--system', 'teams', '--json']);
        record = (JSON.parse(status.stdout) as Array<NonNullable<typeof record>>)[0];
        return record?.status === 'applied';
      },
      20_000,
      'status to show the Teams write',
    );
    expect(record?.applied).toMatchObject({ target: 'Busy', message: 'In a call' });

    const table = await cli(env, ['status']);
    expect(table.stdout).toMatch(/alice@example\.com\s+(Microsoft )?Teams\s+Busy "In a call"\s+Busy "In a call"\s+applied/);
  });

  it('exits cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
