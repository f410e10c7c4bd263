/**
 * Unmatched users are retried when something that decides the match changed (issue 9, item 8): the
 * Genesys user directory (a new Genesys user with that email) or USER_MAPPING_FILE. Local bridge +
 * sandbox over HTTP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UNMATCHED_RETRY_DOCUMENT, type UnmatchedRetryDocument } from '../../src/runtime/unmatched-retry';
import type { LocalBridge } from '../../src/server';
import type { StateKey } from '../../src/store/state-store';
import { postZoom, sandboxPresence, startTestBridge, tempDataDir, waitFor, zoomPresenceBody } from '../helpers/local-bridge';

let clock = Math.floor(Date.now() / 1000);
const nextAt = () => (clock += 10);

async function statusOf(bridge: LocalBridge, key: StateKey): Promise<string | undefined> {
  return (await bridge.parts.store.get(key))?.status;
}

/** Moves the last directory listing back by `minutes`, as if that much time had passed. */
async function ageDirectoryListing(bridge: LocalBridge, minutes: number): Promise<void> {
  const stored = await bridge.parts.store.getDocument<UnmatchedRetryDocument>(UNMATCHED_RETRY_DOCUMENT);
  const directory = stored!.value.genesysDirectory!;
  const refreshedAt = new Date(Date.parse(directory.refreshedAt) - minutes * 60_000).toISOString();
  expect(
    await bridge.parts.store.putDocument(UNMATCHED_RETRY_DOCUMENT, { ...stored!.value, genesysDirectory: { ...directory, refreshedAt } }, stored!.version),
  ).toBe(true);
}

const userListings = (bridge: LocalBridge) => bridge.sandbox!.requests.filter((r) => r.method === 'GET' && r.path === '/api/v2/users').length;

describe('unmatched users are retried', () => {
  let bridge: LocalBridge | undefined;
  afterEach(async () => {
    if (bridge) {
      expect(bridge.sandbox!.violations).toEqual([]);
      await bridge.stop();
    }
    bridge = undefined;
  });

  it('after the next Genesys directory refresh, once a Genesys user has the email', async () => {
    bridge = await startTestBridge();
    await bridge.maintain();
    const key: StateKey = { system: 'zoom', externalUserId: 'zoom-newhire@example.com' };
    expect((await postZoom(bridge, zoomPresenceBody({ email: 'newhire@example.com', status: 'Do_Not_Disturb', at: nextAt() }))).status).toBe(200);
    await waitFor(async () => (await statusOf(bridge!, key)) === 'unmatched', 5000, 'unmatched');
    expect((await bridge.parts.store.get(key))?.detail).toMatch(/no Genesys user has the email newhire@example.com/);
    // The first listing finds no such Genesys user: the key stays unmatched.
    await bridge.maintain();
    expect(await statusOf(bridge, key)).toBe('unmatched');

    bridge.sandbox!.addUser({ email: 'newhire@example.com', name: 'New Hire' });
    // Before the refresh is due nothing is listed or retried: an unmatched user costs nothing.
    const listingsBefore = userListings(bridge);
    await bridge.maintain();
    expect(userListings(bridge)).toBe(listingsBefore);
    expect(await statusOf(bridge, key)).toBe('unmatched');

    await ageDirectoryListing(bridge, 61);
    await bridge.maintain();

    await waitFor(async () => (await statusOf(bridge!, key)) === 'applied', 5000, 'applied');
    expect(await sandboxPresence(bridge, 'newhire@example.com')).toMatchObject({ systemPresence: 'Busy' });
    // The worker found the user in the listing's cache: no search for it.
    const searches = bridge.sandbox!.requests.filter((r) => r.path === '/api/v2/users/search' && JSON.stringify(r.body).includes('newhire@example.com'));
    expect(searches.length).toBe(1);
  });

  it('when USER_MAPPING_FILE changes', async () => {
    const dataDir = tempDataDir();
    const mappingFile = path.join(dataDir, 'user-mapping.json');
    fs.writeFileSync(mappingFile, '{}\n');
    bridge = await startTestBridge({ BRIDGE_DATA_DIR: dataDir, USER_MAPPING_FILE: mappingFile });
    await bridge.maintain();
    const key: StateKey = { system: 'zoom', externalUserId: 'zoom-c.clark@zoom.example' };
    expect((await postZoom(bridge, zoomPresenceBody({ email: 'c.clark@zoom.example', status: 'In_Meeting', at: nextAt() }))).status).toBe(200);
    await waitFor(async () => (await statusOf(bridge!, key)) === 'unmatched', 5000, 'unmatched');

    fs.writeFileSync(mappingFile, JSON.stringify({ 'c.clark@zoom.example': 'carol@example.com' }));
    await bridge.maintain();

    await waitFor(async () => (await statusOf(bridge!, key)) === 'applied', 5000, 'applied');
    expect(await sandboxPresence(bridge, 'carol@example.com')).toMatchObject({ systemPresence: 'Meeting' });

    // Nothing changed since: the next run retries nothing.
    const report = await bridge.parts.store.getDocument<UnmatchedRetryDocument>(UNMATCHED_RETRY_DOCUMENT);
    expect(report?.value.pending).toBeUndefined();
  });
});
