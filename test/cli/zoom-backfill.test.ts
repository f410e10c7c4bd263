/**
 * `presence-bridge zoom backfill` through the CLI composition root: reads each Zoom user's presence
 * from a Zoom REST stand-in and records it in the local store, then `npm start` applies it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../src/cli';
import { openEmbeddedStore } from '../../src/store/embedded';
import { tempDataDir } from '../helpers/local-bridge';
import { STAND_IN_ACCOUNT, STAND_IN_CLIENT_ID, STAND_IN_CLIENT_SECRET, startZoomRestStandIn, type ZoomRestStandIn } from '../sources/zoom/zoom-rest-stand-in';

describe('zoom backfill (CLI)', () => {
  let zoom: ZoomRestStandIn;
  const saved = { ...process.env };
  const output: string[] = [];
  let writeOut: jest.SpyInstance;
  let writeErr: jest.SpyInstance;

  beforeAll(async () => {
    zoom = await startZoomRestStandIn({
      users: [
        { id: 'ZoomUserA1', email: 'alice@example.com', status: 'In_A_Zoom_Meeting' },
        { id: 'ZoomUserB2', email: 'bob@example.com', status: 'Do_No_Disturb' },
      ],
    });
  });
  afterAll(() => zoom.close());
  beforeEach(() => {
    writeOut = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (output.push(String(chunk)), true));
    writeErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (output.push(String(chunk)), true));
  });
  afterEach(() => {
    writeOut.mockRestore();
    writeErr.mockRestore();
    process.env = { ...saved };
  });

  it('reads every mapped Zoom user and records the state, mapped from the REST vocabulary', async () => {
    const dataDir = tempDataDir();
    const mappingFile = path.join(dataDir, 'users.json');
    fs.writeFileSync(mappingFile, JSON.stringify({ 'zoom:ZoomUserA1': 'alice@example.com', 'zoom:ZoomUserB2': 'bob@example.com' }));
    process.env = {
      ...saved,
      BRIDGE_DATA_DIR: dataDir,
      USER_MAPPING_FILE: mappingFile,
      ZOOM_ACCOUNT_ID: STAND_IN_ACCOUNT,
      ZOOM_CLIENT_ID: STAND_IN_CLIENT_ID,
      ZOOM_CLIENT_SECRET: STAND_IN_CLIENT_SECRET,
      ZOOM_API_BASE_URL: zoom.apiBaseUrl,
      ZOOM_OAUTH_BASE_URL: zoom.oauthBaseUrl,
    };
    const code = await runCli(['node', 'presence-bridge', 'zoom', 'backfill']);
    expect(output.join('')).toContain('2 recorded');
    expect(code).toBe(0);

    const store = await openEmbeddedStore(path.join(dataDir, 'state'));
    try {
      const records = await store.list({ system: 'zoom' });
      const targets = Object.fromEntries(records.map((r) => [r.key.externalUserId, [r.desired.target, r.status]]));
      expect(targets).toEqual({ zoomusera1: ['Meeting', 'pending'], zoomuserb2: ['Busy', 'pending'] });
    } finally {
      await store.close();
    }
  });

  it('names the missing Server-to-Server OAuth variables', async () => {
    process.env = { ...saved, BRIDGE_DATA_DIR: tempDataDir() };
    for (const name of ['ZOOM_ACCOUNT_ID', 'ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET']) delete process.env[name];
    const code = await runCli(['node', 'presence-bridge', 'zoom', 'backfill', '--email', 'alice@example.com']);
    expect(code).toBe(1);
    expect(output.join('')).toContain('ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET');
  });
});
