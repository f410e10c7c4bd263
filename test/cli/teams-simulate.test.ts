/**
 * `presence-bridge simulate teams` says what to do when it cannot work: no running bridge, real Teams
 * credentials configured, or no subscription yet (the last is in test/e2e/quickstart-teams.test.ts).
 */
import fs from 'node:fs';
import { Command } from 'commander';
import { formatPresenceChange, registerTeamsSimulateCommand } from '../../src/cli/teams-simulate-command';
import { runCliProcess } from '../helpers/cli-process';
import { tempDataDir } from '../helpers/local-bridge';

const cli = (env: NodeJS.ProcessEnv) =>
  runCliProcess(['simulate', 'teams', '--email', 'alice@example.com', '--availability', 'Busy', '--activity', 'InACall'], env);

describe('simulate teams', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = tempDataDir();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('says to start the bridge when none is running', async () => {
    const result = await cli({ PATH: process.env.PATH, HOME: process.env.HOME, BRIDGE_DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no running bridge: start it with `npm start`');
  });

  it('says the real Microsoft is used when Teams credentials are set', async () => {
    const result = await cli({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BRIDGE_DATA_DIR: dataDir,
      TEAMS_TENANT_ID: 'contoso.onmicrosoft.com',
      TEAMS_CLIENT_ID: 'app',
      TEAMS_CLIENT_SECRET: 'secret',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Teams credentials are set');
  });

  it('prints each delivery and fails when the bridge refused one', async () => {
    const printed: string[] = [];
    const program = new Command('presence-bridge').exitOverride();
    registerTeamsSimulateCommand(program, {
      stdout: (text) => printed.push(text),
      simulate: async (change) => ({
        userId: 'u1',
        email: change.email,
        availability: change.availability,
        activity: change.activity,
        sequenceNumber: '00000000000000000007',
        deliveries: [{ subscriptionId: 's1', notificationUrl: 'http://127.0.0.1:3000/webhooks/teams', kind: 'rich', status: 403 }],
      }),
    });
    await expect(
      program.parseAsync(['node', 'x', 'simulate', 'teams', '--email', 'alice@example.com', '--availability', 'Busy', '--activity', 'InACall']),
    ).rejects.toThrow(/did not accept 1 notification/);
    expect(printed.join('\n')).toBe(
      formatPresenceChange({
        userId: 'u1',
        email: 'alice@example.com',
        availability: 'Busy',
        activity: 'InACall',
        sequenceNumber: '00000000000000000007',
        deliveries: [{ subscriptionId: 's1', notificationUrl: 'http://127.0.0.1:3000/webhooks/teams', kind: 'rich', status: 403 }],
      }),
    );
    expect(printed[0]).toContain('rich notification of subscription s1 to http://127.0.0.1:3000/webhooks/teams: HTTP 403');
  });
});
