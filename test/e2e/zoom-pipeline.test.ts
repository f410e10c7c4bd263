/**
 * The whole Zoom pipeline through the real HTTP routes: express → verify → record → queue → worker →
 * Genesys sandbox over HTTP. Each test breaks one thing.
 */
import crypto from 'node:crypto';
import { mapPresence } from '../../src/presence';
import type { LocalBridge } from '../../src/server';
import { signZoomRequest } from '../../src/sources/zoom/verify';
import { postZoom, sandboxPresence, startTestBridge, tempDataDir, waitFor, writesFor, ZOOM_SECRET, zoomPresenceBody } from '../helpers/local-bridge';

const nowSeconds = () => Math.floor(Date.now() / 1000);
/**
 * Strictly increasing status-change times, so consecutive tests of one user never look out of order.
 * They start in the past: a time ahead of the bridge's clock would be re-dated (future-order-bound.ts).
 */
let clock = nowSeconds() - 900;
const nextAt = () => (clock += 10);

describe('Zoom end to end (local server + sandbox)', () => {
  let bridge: LocalBridge;
  beforeAll(async () => {
    bridge = await startTestBridge({}, { sandboxOptions: { users: [{ email: 'zed@example.com' }, { email: 'fay@example.com' }] } });
  });
  afterAll(async () => {
    expect(bridge.sandbox!.violations).toEqual([]);
    await bridge.stop();
  });

  it('listens on loopback only by default (BIND_ADDRESS)', () => {
    expect(bridge.address).toBe('127.0.0.1');
  });

  it('answers endpoint.url_validation with the HMAC of plainToken', async () => {
    const body = Buffer.from(JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: Date.now(), event: 'endpoint.url_validation' }));
    const answer = await postZoom(bridge, body);
    expect(answer.status).toBe(200);
    const expected = crypto.createHmac('sha256', ZOOM_SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex');
    expect(JSON.parse(answer.body)).toEqual({ plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: expected });
  });

  it.each([
    ['Available', 'Available'],
    ['Away', 'Away'],
    ['Mobile_signed_in', 'Away'],
    ['Do_Not_Disturb', 'Busy'],
    ['Busy', 'Busy'],
    ['On_Phone_Call', 'Busy'],
    ['Presenting', 'Busy'],
    ['In_Meeting', 'Meeting'],
    ['In_Calendar_Event', 'Meeting'],
    ['Offline', 'Offline'],
  ])('writes Zoom %s as Genesys %s on the Zoom source', async (status, systemPresence) => {
    const at = nextAt();
    expect((await postZoom(bridge, zoomPresenceBody({ email: 'alice@example.com', status, at }))).status).toBe(200);
    const key = { system: 'zoom' as const, externalUserId: 'zoom-alice@example.com' };
    await waitFor(async () => (await bridge.parts.store.get(key))?.applied?.order === at * 1000, 5000, status);
    expect((await bridge.parts.store.get(key))?.status).toBe('applied');
    const held = await sandboxPresence(bridge, 'alice@example.com');
    expect(held?.systemPresence).toBe(systemPresence);
    expect(held?.message).toBe(mapPresence({ system: 'zoom', externalUserId: 'x', values: { presence_status: status }, order: 0 }).message);
  });

  describe('rejections record nothing', () => {
    const body = () => zoomPresenceBody({ email: 'carol@example.com', status: 'Busy', at: nowSeconds() });
    async function expectNothingRecorded() {
      await new Promise((r) => setTimeout(r, 100));
      expect(await bridge.parts.store.list({ email: 'carol@example.com' })).toEqual([]);
      expect(await sandboxPresence(bridge, 'carol@example.com')).toBeUndefined();
    }

    it('bad signature → 401', async () => {
      const b = body();
      const answer = await postZoom(bridge, b, { ...signZoomRequest('wrong-secret', b, nowSeconds()) });
      expect(answer.status).toBe(401);
      await expectNothingRecorded();
    });

    it('stale timestamp → 401', async () => {
      const b = body();
      // Older than the default ZOOM_SIGNATURE_TOLERANCE_SECONDS (7200).
      const answer = await postZoom(bridge, b, { ...signZoomRequest(ZOOM_SECRET, b, nowSeconds() - 7200 - 600) });
      expect(answer.status).toBe(401);
      await expectNothingRecorded();
    });

    it('missing signature → 401', async () => {
      expect((await postZoom(bridge, body(), {})).status).toBe(401);
      await expectNothingRecorded();
    });

    it('malformed JSON (correctly signed) → 400', async () => {
      const b = Buffer.from('{"event":"user.presence_status_updated",');
      expect((await postZoom(bridge, b)).status).toBe(400);
      await expectNothingRecorded();
    });

    it('body over 1 MiB → 413', async () => {
      const b = Buffer.alloc(1024 * 1024 + 10, 0x20);
      expect((await postZoom(bridge, b)).status).toBe(413);
      await expectNothingRecorded();
    });
  });

  it('records a retry Zoom delivers 90 minutes after the timestamp it was signed with', async () => {
    const at = nowSeconds() - 90 * 60;
    const body = zoomPresenceBody({ email: 'fay@example.com', status: 'Do_Not_Disturb', at });
    expect((await postZoom(bridge, body, { ...signZoomRequest(ZOOM_SECRET, body, at + 1) })).status).toBe(200);
    await waitFor(async () => (await sandboxPresence(bridge, 'fay@example.com'))?.systemPresence === 'Busy');
  });

  it('never regresses state on out-of-order events', async () => {
    const at = nowSeconds();
    await postZoom(bridge, zoomPresenceBody({ email: 'bob@example.com', status: 'In_Meeting', at }));
    await waitFor(async () => (await sandboxPresence(bridge, 'bob@example.com'))?.systemPresence === 'Meeting');
    const older = await postZoom(bridge, zoomPresenceBody({ email: 'bob@example.com', status: 'Available', at: at - 60 }));
    expect(older.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await sandboxPresence(bridge, 'bob@example.com'))?.systemPresence).toBe('Meeting');
  });

  it('a delivery repeated three times causes one Genesys write', async () => {
    const body = zoomPresenceBody({ email: 'dave@example.com', status: 'Do_Not_Disturb', at: nowSeconds() });
    for (let i = 0; i < 3; i++) expect((await postZoom(bridge, body)).status).toBe(200);
    await waitFor(async () => (await sandboxPresence(bridge, 'dave@example.com'))?.systemPresence === 'Busy');
    await new Promise((r) => setTimeout(r, 300));
    const { userId } = (await sandboxPresence(bridge, 'dave@example.com'))!;
    expect(writesFor(bridge, userId)).toBe(1);
  });

  it('a burst of flaps for one user causes one write of the last state', async () => {
    const at = nowSeconds();
    const statuses = ['Available', 'Busy', 'Away', 'In_Meeting', 'Presenting', 'Available', 'Do_Not_Disturb', 'On_Phone_Call', 'Away', 'In_Meeting'];
    await Promise.all(statuses.map((status, i) => postZoom(bridge, zoomPresenceBody({ email: 'erin@example.com', status, at: at + i }))));
    await waitFor(async () => (await sandboxPresence(bridge, 'erin@example.com'))?.systemPresence === 'Meeting');
    await new Promise((r) => setTimeout(r, 300));
    const { userId, message } = (await sandboxPresence(bridge, 'erin@example.com'))!;
    expect(message).toBe('In a meeting');
    expect(writesFor(bridge, userId)).toBe(1);
  });

  it('reports unknown users as unmatched instead of retrying forever', async () => {
    await postZoom(bridge, zoomPresenceBody({ email: 'nobody@example.com', status: 'Busy', at: nowSeconds() }));
    await waitFor(async () => (await bridge.parts.store.list({ email: 'nobody@example.com' }))[0]?.status === 'unmatched');
    const [record] = await bridge.parts.store.list({ email: 'nobody@example.com' });
    expect(record.detail).toContain('no Genesys user has the email nobody@example.com');
    expect(await bridge.parts.store.listUnfinished(new Date())).not.toContainEqual(record.key);
  });

  it('a Genesys outage (5xx, then a 429 storm) delays the write but loses nothing', async () => {
    bridge.sandbox!.setFaults({ errorRate: 1, errorStatus: 503 });
    await postZoom(bridge, zoomPresenceBody({ email: 'zed@example.com', status: 'In_Meeting', at: nowSeconds() }));
    await new Promise((r) => setTimeout(r, 400));
    expect(await sandboxPresence(bridge, 'zed@example.com')).toBeUndefined();
    bridge.sandbox!.setFaults({ rateLimitRetryAfterSeconds: 1 });
    await new Promise((r) => setTimeout(r, 400));
    expect(await sandboxPresence(bridge, 'zed@example.com')).toBeUndefined();
    const [pending] = await bridge.parts.store.list({ email: 'zed@example.com' });
    expect(pending.status).toBe('pending');
    bridge.sandbox!.setFaults({});
    await waitFor(async () => (await sandboxPresence(bridge, 'zed@example.com'))?.systemPresence === 'Meeting', 10_000);
  });
});

describe('restart of the local process', () => {
  it('finishes work left pending by the previous run', async () => {
    const dataDir = tempDataDir();
    const first = await startTestBridge({ BRIDGE_DATA_DIR: dataDir });
    first.sandbox!.setFaults({ errorRate: 1, errorStatus: 503 });
    // Ensure sources exist before the outage matters, then record an event that cannot be written.
    expect((await postZoom(first, zoomPresenceBody({ email: 'alice@example.com', status: 'On_Phone_Call', at: nowSeconds() }))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const [record] = await first.parts.store.list({ email: 'alice@example.com' });
    expect(record.status).toBe('pending');
    await first.stop();

    const second = await startTestBridge({ BRIDGE_DATA_DIR: dataDir });
    try {
      await waitFor(async () => (await sandboxPresence(second, 'alice@example.com'))?.systemPresence === 'Busy', 10_000);
      expect(second.sandbox!.violations).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});

describe('Zoom end to end with a ZOOM_ACCOUNT_ID allow-list', () => {
  let bridge: LocalBridge;
  beforeAll(async () => {
    // zoomPresenceBody names the account AAAAAABBBB.
    bridge = await startTestBridge({ ZOOM_ACCOUNT_ID: 'acct-oauth,AAAAAABBBB' });
  });
  afterAll(() => bridge.stop());

  it('records an event from a listed account', async () => {
    const answer = await postZoom(bridge, zoomPresenceBody({ email: 'alice@example.com', status: 'Away', at: nowSeconds() }));
    expect(answer.status).toBe(200);
    await waitFor(async () => (await sandboxPresence(bridge, 'alice@example.com'))?.systemPresence === 'Away');
  });

  it('refuses one from another account with 403 and records nothing', async () => {
    const body = JSON.parse(zoomPresenceBody({ email: 'bob@example.com', status: 'Busy', at: nowSeconds() }).toString('utf8'));
    body.payload.account_id = 'someone-else';
    const answer = await postZoom(bridge, Buffer.from(JSON.stringify(body)));
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.any(String) });
    expect(answer.body).not.toContain('someone-else');
    await new Promise((r) => setTimeout(r, 100));
    expect(await bridge.parts.store.list({ email: 'bob@example.com' })).toEqual([]);
  });

  it('answers the URL validation challenge', async () => {
    const body = Buffer.from(JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: Date.now(), event: 'endpoint.url_validation' }));
    expect((await postZoom(bridge, body)).status).toBe(200);
  });
});
