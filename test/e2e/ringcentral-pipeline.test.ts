/**
 * RingCentral through the real HTTP route into the Genesys sandbox: handshake, token check, mapping,
 * ordering and duplicates, with the extension matched through USER_MAPPING_FILE.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LocalBridge } from '../../src/server';
import { sandboxPresence, startTestBridge, tempDataDir, waitFor, writesFor } from '../helpers/local-bridge';

const TOKEN = 'rc-e2e-token';
const fixtureDir = path.join(__dirname, '../fixtures/ringcentral');
const fixture = JSON.parse(fs.readFileSync(path.join(fixtureDir, 'detailed-extension-presence.json'), 'utf8'));

function notification(extensionId: string, at: Date, sequence: number, body: Record<string, unknown>) {
  return {
    ...fixture,
    uuid: `uuid-${extensionId}-${sequence}`,
    timestamp: at.toISOString(),
    body: { extensionId, sequence, ...body },
  };
}

describe('RingCentral end to end', () => {
  let bridge: LocalBridge;
  const post = async (json: unknown, headers: Record<string, string> = { 'verification-token': TOKEN }) => {
    const response = await fetch(`${bridge.url}/webhooks/ringcentral`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof json === 'string' ? json : JSON.stringify(json),
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  const postBytes = async (bytes: Buffer) => {
    const response = await fetch(`${bridge.url}/webhooks/ringcentral`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'verification-token': TOKEN },
      body: bytes,
    });
    return { status: response.status, body: await response.text() };
  };

  beforeAll(async () => {
    const dir = tempDataDir();
    const mappingFile = path.join(dir, 'users.csv');
    fs.writeFileSync(mappingFile, 'external,genesys\nringcentral:101,alice@example.com\nringcentral:102,bob@example.com\n');
    bridge = await startTestBridge({ BRIDGE_DATA_DIR: dir, RINGCENTRAL_VERIFICATION_TOKEN: TOKEN, USER_MAPPING_FILE: mappingFile });
  });
  afterAll(async () => {
    expect(bridge.sandbox!.violations).toEqual([]);
    await bridge.stop();
  });

  it('echoes the Validation-Token on subscription creation', async () => {
    const response = await fetch(`${bridge.url}/webhooks/ringcentral`, { method: 'POST', headers: { 'validation-token': 'abc-123' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('validation-token')).toBe('abc-123');
    expect(response.headers.get('content-type')).toContain('application/json');
  });

  it('rejects a notification without the verification token and records nothing', async () => {
    const answer = await post(notification('101', new Date(), 1, { presenceStatus: 'Busy' }), { 'verification-token': 'wrong' });
    expect(answer.status).toBe(401);
    expect(await bridge.parts.store.list({ system: 'ringcentral' })).toEqual([]);
  });

  it('writes DND as Busy and never lets an older notification win', async () => {
    const t = Date.now();
    expect((await post(notification('101', new Date(t), 20, { dndStatus: 'DoNotAcceptAnyCalls', presenceStatus: 'Available' }))).status).toBe(200);
    await waitFor(async () => (await sandboxPresence(bridge, 'alice@example.com', 'ringcentral'))?.systemPresence === 'Busy');
    expect((await post(notification('101', new Date(t - 5000), 19, { dndStatus: 'TakeAllCalls', presenceStatus: 'Available' }))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await sandboxPresence(bridge, 'alice@example.com', 'ringcentral'))?.systemPresence).toBe('Busy');
  });

  it("records RingCentral's documented account presence example and a real capture with numeric ids, sent verbatim", async () => {
    const documented = await postBytes(fs.readFileSync(path.join(fixtureDir, 'account-presence.json')));
    expect(documented).toEqual({ status: 200, body: JSON.stringify({ status: 'accepted' }) });
    const capture = await postBytes(fs.readFileSync(path.join(fixtureDir, 'account-presence-numeric-extension.json')));
    expect(capture.status).toBe(200);

    const one = await bridge.parts.store.get({ system: 'ringcentral', externalUserId: '6610372004' });
    expect(one?.desired).toMatchObject({
      target: 'Busy',
      values: { dndStatus: 'TakeAllCalls', telephonyStatus: 'CallConnected', meetingStatus: 'Disconnected', presenceStatus: 'Busy' },
      order: Date.parse('2016-02-18T09:37:24.597Z'),
      tiebreak: 2698,
    });
    const other = await bridge.parts.store.get({ system: 'ringcentral', externalUserId: '643716048' });
    expect(other?.desired).toMatchObject({
      target: 'Available',
      values: { dndStatus: 'DoNotAcceptDepartmentCalls', telephonyStatus: 'NoCall', meetingStatus: 'Disconnected', presenceStatus: 'Available' },
      order: Date.parse('2023-10-03T17:20:01.621Z'),
      tiebreak: 0,
    });
  });

  it('writes a repeated notification once', async () => {
    const n = notification('102', new Date(), 7, { presenceStatus: 'Available', telephonyStatus: 'NoCall' });
    for (let i = 0; i < 3; i++) expect((await post(n)).status).toBe(200);
    await waitFor(async () => (await sandboxPresence(bridge, 'bob@example.com', 'ringcentral'))?.systemPresence === 'Available');
    await new Promise((r) => setTimeout(r, 300));
    const held = await sandboxPresence(bridge, 'bob@example.com', 'ringcentral');
    expect(writesFor(bridge, held!.userId)).toBe(1);
  });
});
