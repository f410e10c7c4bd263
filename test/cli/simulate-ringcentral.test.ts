/**
 * `simulate ringcentral` against an in-process local bridge that uses the RingCentral sandbox: the
 * bridge creates its subscription at startup (to its own URL, even on port 0), the command changes Bob's
 * presence, the sandbox delivers, the bridge writes Genesys. Also the command's refusals.
 */
import { Command } from 'commander';
import { loadConfig } from '../../src/config';
import { checkSimulateRingCentralOptions, registerSimulateRingCentralCommand } from '../../src/cli/simulate-ringcentral-command';
import { readLocalRuntime } from '../../src/runtime/local-runtime';
import { startRingCentralSandbox } from '../../src/sandbox/ringcentral';
import { ringCentralSandboxTarget } from '../../src/sandbox/ringcentral/ringcentral-sandbox-target';
import type { LocalBridge } from '../../src/server';
import { startTestBridge, tempDataDir, waitFor } from '../helpers/local-bridge';

async function simulate(args: string[], target: Parameters<typeof registerSimulateRingCentralCommand>[1]['target']) {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const program = new Command().exitOverride();
  registerSimulateRingCentralCommand(program, {
    target,
    io: { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, setExitCode: (c) => (code = c) },
  });
  await program.parseAsync(['simulate', 'ringcentral', ...args], { from: 'user' });
  return { stdout, stderr, code };
}

describe('simulate ringcentral', () => {
  let bridge: LocalBridge | undefined;
  afterEach(async () => {
    await bridge?.stop();
    bridge = undefined;
  });

  it('changes Bob in the sandbox, which delivers to the bridge, which writes Genesys', async () => {
    bridge = await startTestBridge({}, { ringcentralSandbox: true });
    const rc = bridge.ringcentralSandbox!;
    expect(rc).toBeDefined();
    await waitFor(() => rc.subscriptions.size === 1, 10_000, 'the startup maintenance to subscribe');
    const [subscription] = [...rc.subscriptions.values()];
    expect(subscription.deliveryMode.address).toBe(`${bridge.url}/webhooks/ringcentral`);
    expect(subscription.deliveryMode.verificationToken).toBe(bridge.parts.config.ringcentral.verificationTokens[0]);

    const runtime = readLocalRuntime(bridge.parts.config.dataDir);
    expect(runtime?.ringcentralSandbox).toEqual({ url: rc.url, adminUrl: `${rc.url}/sandbox/presence` });
    const result = await simulate(['--email', 'bob@example.com', '--dnd', 'DoNotAcceptAnyCalls'], () =>
      ringCentralSandboxTarget(loadConfig({ BRIDGE_DATA_DIR: bridge!.parts.config.dataDir }), runtime),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('bob@example.com');
    expect(result.stdout).toMatch(
      new RegExp(`delivered to ${bridge.url}/webhooks/ringcentral \\(subscription ${subscription.id}, uuid [0-9a-f-]+\\): HTTP 200`),
    );

    const bob = bridge.sandbox!.listUsers().find((u) => u.email === 'bob@example.com')!;
    await waitFor(() => bridge!.sandbox!.presenceWrites.some((w) => w.userId === bob.id && w.message === 'Do not disturb'), 10_000, "Bob's write");
  });

  it('refuses unknown values listing the allowed ones, before asking anything', async () => {
    const target = jest.fn(() => ({ adminUrl: 'http://127.0.0.1:9/sandbox/presence' }));
    const result = await simulate(['--email', 'bob@example.com', '--dnd', 'Busy', '--telephony', 'OnCall'], target);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--dnd must be one of TakeAllCalls, DoNotAcceptAnyCalls, DoNotAcceptDepartmentCalls, TakeDepartmentCallsOnly, got "Busy"');
    expect(result.stderr).toContain('--telephony must be one of NoCall, CallConnected, Ringing, OnHold, ParkedCall, got "OnCall"');
    expect(target).not.toHaveBeenCalled();
    expect(checkSimulateRingCentralOptions({ email: 'bob@example.com' })).toEqual([
      'give at least one of --dnd, --telephony, --presence-status, --user-status',
    ]);
  });

  it('says so when no subscription covers the user yet', async () => {
    const rc = await startRingCentralSandbox({ seedDemoUsers: true });
    try {
      const result = await simulate(['--email', 'bob@example.com', '--telephony', 'CallConnected'], () => ({ adminUrl: `${rc.url}/sandbox/presence` }));
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('telephonyStatus=CallConnected');
      expect(result.stdout).toContain('not delivered: no RingCentral subscription covers this user yet');
    } finally {
      await rc.close();
    }
  });

  it('says what to do when there is no bridge, no sandbox, or real credentials', async () => {
    const dataDir = tempDataDir();
    const plain = loadConfig({ BRIDGE_DATA_DIR: dataDir });
    expect(ringCentralSandboxTarget(plain, undefined)).toEqual({ problem: expect.stringContaining(`no running bridge found for BRIDGE_DATA_DIR=${dataDir}`) });
    const runtime = { pid: process.pid, port: 1, startedAt: new Date().toISOString() };
    expect(ringCentralSandboxTarget(plain, runtime)).toEqual({ problem: expect.stringContaining('does not use the RingCentral sandbox') });
    const real = loadConfig({ BRIDGE_DATA_DIR: dataDir, RINGCENTRAL_CLIENT_ID: 'id', RINGCENTRAL_CLIENT_SECRET: 's', RINGCENTRAL_JWT: 'j' });
    expect(ringCentralSandboxTarget(real, { ...runtime, ringcentralSandbox: { url: 'u', adminUrl: 'a' } })).toEqual({
      problem: expect.stringContaining('RingCentral credentials are configured'),
    });
    const result = await simulate(['--email', 'bob@example.com', '--dnd', 'TakeAllCalls'], () => ringCentralSandboxTarget(plain, undefined));
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain('start it with `npm start`');
  });
});
