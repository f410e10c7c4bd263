/**
 * `presence-bridge zoom backfill` through the CLI composition root: reads each Zoom user's presence
 * from a Zoom REST stand-in and records it in the local store, then `npm start` applies it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../src/cli';
import { openEmbeddedStore } from '../../src/store/embedded';
import { postZoom, startTestBridge, tempDataDir, waitFor, zoomPresenceBody } from '../helpers/local-bridge';
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
      expect(targets).toEqual({ ZoomUserA1: ['Meeting', 'pending'], ZoomUserB2: ['Busy', 'pending'] });
    } finally {
      await store.close();
    }
  });

  it('reads a user first seen in a webhook by the exact, mixed-case id the webhook carried', async () => {
    // Zoom ids are case-sensitive: the REST API answers 404 / 1001 for the same id lower-cased.
    const id = 'KDcuGIm1QgePTO8WbOqwIQ';
    zoom.users.push({ id, email: 'kim@example.com', status: 'Available' });
    const dataDir = tempDataDir();
    const bridge = await startTestBridge({ BRIDGE_DATA_DIR: dataDir });
    try {
      const at = Math.floor(Date.now() / 1000) - 60;
      expect((await postZoom(bridge, zoomPresenceBody({ email: 'kim@example.com', userId: id, status: 'In_Meeting', at }))).status).toBe(200);
      await waitFor(async () => (await bridge.parts.store.list({ system: 'zoom' })).length === 1);
    } finally {
      await bridge.stop();
    }

    process.env = {
      ...saved,
      BRIDGE_DATA_DIR: dataDir,
      ZOOM_ACCOUNT_ID: STAND_IN_ACCOUNT,
      ZOOM_CLIENT_ID: STAND_IN_CLIENT_ID,
      ZOOM_CLIENT_SECRET: STAND_IN_CLIENT_SECRET,
      ZOOM_API_BASE_URL: zoom.apiBaseUrl,
      ZOOM_OAUTH_BASE_URL: zoom.oauthBaseUrl,
    };
    const before = zoom.apiRequests().length;
    const code = await runCli(['node', 'presence-bridge', 'zoom', 'backfill']);
    expect(output.join('')).toContain('1 recorded, 0 failed');
    expect(code).toBe(0);
    expect(
      zoom
        .apiRequests()
        .slice(before)
        .map((r) => r.path),
    ).toEqual([`/v2/users/${id}/presence_status`]);

    const store = await openEmbeddedStore(path.join(dataDir, 'state'));
    try {
      const records = await store.list({ system: 'zoom' });
      expect(records.map((r) => [r.key.externalUserId, r.desired.values.presence_status])).toEqual([[id, 'Available']]);
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
