/**
 * `presence-bridge teams login` without a running bridge: with no Teams credentials the sign-in can only
 * happen against the running bridge's Microsoft sandbox, so it says to start `npm start` first instead of
 * asking for TEAMS_TENANT_ID. With Genesys credentials (no sandboxes) the Teams settings are what is missing.
 */
import fs from 'node:fs';
import { runCliProcess } from '../helpers/cli-process';
import { tempDataDir } from '../helpers/local-bridge';

const login = (env: NodeJS.ProcessEnv) => runCliProcess(['teams', 'login', '--account', 'demo', '--timeout', '5'], env);

describe('teams login without a running bridge', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = tempDataDir();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('in sandbox mode, says to start the bridge first', async () => {
    const result = await login({ PATH: process.env.PATH, HOME: process.env.HOME, BRIDGE_DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no running bridge: without Teams credentials `teams login` signs in against the Microsoft sandbox');
    expect(result.stderr).toContain('start it with `npm start`');
  });

  it('with Genesys credentials and no Teams ones, names the missing Teams settings', async () => {
    const result = await login({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BRIDGE_DATA_DIR: dataDir,
      GENESYS_CLIENT_ID: 'client',
      GENESYS_CLIENT_SECRET: 'secret',
      GENESYS_REGION: 'mypurecloud.com',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('TEAMS_TENANT_ID');
    expect(result.stderr).not.toContain('no running bridge');
  });
});
