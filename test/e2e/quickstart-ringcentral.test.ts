/**
 * The README's RingCentral walk-through, as a newcomer runs it: `npm start` with no configuration (the
 * Genesys and RingCentral sandboxes), `presence-bridge simulate ringcentral`, then `presence-bridge status`
 * shows the write. Real processes, real HTTP, a fresh data directory. A restart keeps the sandbox's
 * subscription: the bridge only lists it (docs/ringcentral.md, "Trying RingCentral offline").
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
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

interface StatusRecord {
  key: { system: string; externalUserId: string };
  email?: string;
  status: string;
  applied?: { target: string; message: string };
}

describe('RingCentral quick start (npm start → simulate ringcentral → status)', () => {
  let child: ChildProcess;
  let output = '';
  let env: NodeJS.ProcessEnv;
  let port: number;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read field by field in assertions
  const logLines = (): Array<Record<string, any>> =>
    output
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));

  async function start(): Promise<void> {
    output = '';
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
  }

  async function stop(): Promise<void> {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }

  /** The first maintenance run's RingCentral subscription result ("created …", "reused …"). */
  async function subscriptionStep(): Promise<string> {
    let detail: string | undefined;
    await waitFor(
      () => {
        const done = logLines().find((line) => line.message === 'maintenance done');
        detail = done?.steps.find((step: { name: string }) => step.name === 'ringcentral-subscription')?.detail;
        return done !== undefined;
      },
      20_000,
      'the startup maintenance run',
    );
    return detail ?? '(no ringcentral-subscription step)';
  }

  /**
   * The RingCentral row of an extension (the id `simulate ringcentral` prints). RingCentral notifications
   * carry no email: the worker finds it in the extension directory and remembers it with the row.
   */
  async function ringCentralRecord(extensionId: string): Promise<StatusRecord | undefined> {
    const status = await run(process.execPath, ['bin/presence-bridge.js', 'status', '--system', 'ringcentral', '--json'], { cwd: root, env });
    return (JSON.parse(status.stdout) as StatusRecord[]).find((r) => r.key.externalUserId === extensionId);
  }

  /** The extension id `simulate ringcentral` printed. */
  function extensionOf(stdout: string): string {
    return /\(extension (\d+)\)/.exec(stdout)![1];
  }

  beforeAll(async () => {
    port = await freePort();
    // No Genesys, RingCentral, Zoom or AWS variables: both sandboxes are used.
    env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), BRIDGE_DATA_DIR: tempDataDir() };
    await start();
  });

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('says it uses the RingCentral sandbox and subscribes to the bridge itself', async () => {
    const line = logLines().find((l) => l.message === 'no RingCentral credentials set: using the built-in RingCentral sandbox');
    expect(line?.sandbox).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await subscriptionStep()).toMatch(/^created [0-9a-f-]{36}$/);
  });

  it('applies a simulated Do Not Disturb for Bob and shows it in status', async () => {
    const simulate = await run(
      process.execPath,
      ['bin/presence-bridge.js', 'simulate', 'ringcentral', '--email', 'bob@example.com', '--dnd', 'DoNotAcceptAnyCalls'],
      { cwd: root, env },
    );
    expect(simulate.stdout).toMatch(new RegExp(`delivered to http://127\\.0\\.0\\.1:${port}/webhooks/ringcentral .*: HTTP 200`));

    const bob = extensionOf(simulate.stdout);
    let record: StatusRecord | undefined;
    await waitFor(async () => (record = await ringCentralRecord(bob))?.status === 'applied', 20_000, "Bob's RingCentral row to be applied");
    expect(record?.applied).toMatchObject({ target: 'Busy', message: 'Do not disturb' });
    const table = await run(process.execPath, ['bin/presence-bridge.js', 'status', '--system', 'ringcentral'], { cwd: root, env });
    // Named by the email the worker matched the extension with (through the extension directory).
    expect(record?.email).toBe('bob@example.com');
    expect(table.stdout).toMatch(/bob@example\.com\s+RingCentral\s+Busy "Do not disturb"\s+Busy "Do not disturb"\s+applied\s+PURECLOUD/);
  });

  it('applies a simulated call (--telephony CallConnected)', async () => {
    const simulate = await run(
      process.execPath,
      ['bin/presence-bridge.js', 'simulate', 'ringcentral', '--email', 'carol@example.com', '--telephony', 'CallConnected'],
      { cwd: root, env },
    );
    expect(simulate.stdout).toContain('HTTP 200');
    let record: StatusRecord | undefined;
    await waitFor(
      async () => (record = await ringCentralRecord(extensionOf(simulate.stdout)))?.status === 'applied',
      20_000,
      "Carol's RingCentral row to be applied",
    );
    expect(record?.applied).toMatchObject({ target: 'Busy', message: 'On a phone call' });
  });

  it('refuses an unknown value, listing the allowed ones', async () => {
    const failed = await run(process.execPath, ['bin/presence-bridge.js', 'simulate', 'ringcentral', '--email', 'bob@example.com', '--dnd', 'Busy'], {
      cwd: root,
      env,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('--dnd must be one of TakeAllCalls, DoNotAcceptAnyCalls') });
  });

  it('keeps the sandbox subscription across a restart: the bridge only lists it (no POST, PUT or DELETE)', async () => {
    const stateFile = path.join(env.BRIDGE_DATA_DIR!, 'ringcentral-sandbox.json');
    const before = JSON.parse(fs.readFileSync(stateFile, 'utf8')).subscriptions;
    expect(before).toHaveLength(1);
    await stop();
    await start();
    // "reused": the subscription reconciler neither created, renewed, updated nor deleted anything.
    expect(await subscriptionStep()).toBe(`reused ${before[0].id}`);
    expect(JSON.parse(fs.readFileSync(stateFile, 'utf8')).subscriptions).toEqual(before);

    const simulate = await run(process.execPath, ['bin/presence-bridge.js', 'simulate', 'ringcentral', '--email', 'bob@example.com', '--dnd', 'TakeAllCalls'], {
      cwd: root,
      env,
    });
    expect(simulate.stdout).toContain(`subscription ${before[0].id}`);
    expect(simulate.stdout).toContain('HTTP 200');
    await stop();
    for (const line of logLines()) expect(typeof line.message).toBe('string');
  });
});
