/**
 * RingCentral through the real HTTP route into the Genesys sandbox: handshake, token check, mapping,
 * ordering and duplicates, with the extension matched through USER_MAPPING_FILE.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LocalBridge } from '../../src/server';
import { sandboxPresence, startTestBridge, tempDataDir, waitFor, writesFor } from '../helpers/local-bridge';

const TOKEN = 'rc-e2e-token';
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/ringcentral/detailed-extension-presence.json'), 'utf8'));

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

  it('writes a repeated notification once', async () => {
    const n = notification('102', new Date(), 7, { presenceStatus: 'Available', telephonyStatus: 'NoCall' });
    for (let i = 0; i < 3; i++) expect((await post(n)).status).toBe(200);
    await waitFor(async () => (await sandboxPresence(bridge, 'bob@example.com', 'ringcentral'))?.systemPresence === 'Available');
    await new Promise((r) => setTimeout(r, 300));
    const held = await sandboxPresence(bridge, 'bob@example.com', 'ringcentral');
    expect(writesFor(bridge, held!.userId)).toBe(1);
  });
});
