/**
 * Teams offline across a restart of `npm start`, as at Microsoft: the demo service account stays signed
 * in, its subscription stays (the bridge finds it unchanged and creates no other), and a presence change
 * after the restart is delivered to it and applied. Real processes, real HTTP(S), a fresh data directory.
 */
import fs from 'node:fs';
import { runCliProcess } from '../helpers/cli-process';
import { tempDataDir, waitFor } from '../helpers/local-bridge';
import { childEnv, startBridgeProcess, stopBridgeProcess, type BridgeProcess } from '../reliability/bridge-process';

describe('Teams sandbox across a restart of npm start', () => {
  let dataDir: string;
  let bridge: BridgeProcess | undefined;

  const cli = async (...args: string[]): Promise<string> => {
    const result = await runCliProcess(args, childEnv({ BRIDGE_DATA_DIR: dataDir }));
    if (result.code !== 0) throw new Error(`presence-bridge ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- log lines are read field by field
  const logLines = (running: BridgeProcess): Array<Record<string, any>> => running.output.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

  /** Starts `npm start` (on `port`, as a user's second start uses the same one) and waits for its first maintenance run. */
  async function startAndMaintain(port?: string): Promise<BridgeProcess> {
    const started = await startBridgeProcess({ BRIDGE_DATA_DIR: dataDir, ...(port ? { PORT: port } : {}) });
    await waitFor(() => logLines(started).some((line) => line.message === 'maintenance done'), 30_000, 'the first maintenance run');
    return started;
  }

  beforeAll(() => {
    dataDir = tempDataDir();
  });
  afterAll(async () => {
    if (bridge) await stopBridgeProcess(bridge, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the sign-in and the subscription, and delivers to it after the restart', async () => {
    bridge = await startAndMaintain();
    expect(await cli('teams', 'login', '--account', 'demo')).toMatch(/demo: 5 users, subscription created/);
    const before = await cli('simulate', 'teams', '--email', 'alice@example.com', '--availability', 'Busy', '--activity', 'InACall');
    const subscriptionId = /rich notification of subscription (\S+) /.exec(before)![1];
    expect(await stopBridgeProcess(bridge, 'SIGTERM')).toEqual({ code: 0, signal: null });

    bridge = await startAndMaintain(new URL(bridge.url).port);
    const done = logLines(bridge).find((line) => line.message === 'maintenance done');
    expect(done?.steps.find((step: { name: string }) => step.name === 'teams')?.detail).toMatch(/demo unchanged \(5\)/);
    expect(logLines(bridge).some((line) => line.message === 'presence subscription created')).toBe(false);

    const after = await cli('simulate', 'teams', '--email', 'alice@example.com', '--availability', 'Away', '--activity', 'Away');
    expect(after).toContain(`rich notification of subscription ${subscriptionId} `);
    expect(after).toContain('HTTP 202');
    await waitFor(
      async () =>
        /alice@example\.com\s+Microsoft Teams\s+Away "Away"\s+Away "Away"\s+applied/.test(
          await cli('status', '--system', 'teams', '--email', 'alice@example.com'),
        ),
      20_000,
      "Alice's Teams row to be applied after the restart",
    );
    expect(await stopBridgeProcess(bridge, 'SIGTERM')).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('after a restart on another port, moves the subscription with the stored sign-in (no new login)', async () => {
    bridge = await startAndMaintain();
    const teamsStep = logLines(bridge)
      .find((line) => line.message === 'maintenance done')
      ?.steps.find((step: { name: string }) => step.name === 'teams');
    // Moving the subscription to the new URL takes the service account's own token: the sign-in survived.
    expect(teamsStep).toMatchObject({ ok: true });
    expect(teamsStep.detail).not.toMatch(/FAILED|sign(ed)? in again/);
    const moved = await cli('simulate', 'teams', '--email', 'alice@example.com', '--availability', 'Busy', '--activity', 'InAMeeting');
    expect(moved).toContain(`to ${bridge.url}/webhooks/teams: HTTP 202`);
    expect(await stopBridgeProcess(bridge, 'SIGTERM')).toEqual({ code: 0, signal: null });
  }, 90_000);
});
