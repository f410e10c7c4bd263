/**
 * The unmatched retry's bounds: nothing is examined without a change, only keys that would now match
 * are re-opened, in batches with a cursor, and a key that stays unmatched is not re-opened again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/logger';
import { applyMessage, type QueueMessage } from '../../src/queue/key-queue';
import { createUnmatchedRetry, type UnmatchedRetryDeps } from '../../src/runtime/unmatched-retry';
import { openEmbeddedStore, type EmbeddedStateStore } from '../../src/store/embedded';
import type { StateKey } from '../../src/store/state-store';
import { NO_OVERRIDES } from '../../src/users/user-mapping-file';

describe('createUnmatchedRetry', () => {
  let dir: string;
  let store: EmbeddedStateStore;
  let now: number;
  let genesysUsers: Map<string, string>;
  let listings: number;
  let enqueued: QueueMessage[];

  const deps = (extra: Partial<UnmatchedRetryDeps> = {}): UnmatchedRetryDeps => ({
    store,
    queue: { enqueue: async (messages) => void enqueued.push(...messages) },
    listGenesysUsers: async () => {
      listings += 1;
      return new Map(genesysUsers);
    },
    overrides: NO_OVERRIDES,
    logger: silentLogger,
    now: () => now,
    refreshMinutes: 60,
    batchSize: 2,
    ...extra,
  });

  async function unmatched(key: StateKey, email?: string): Promise<void> {
    const desired = { target: 'Busy', message: 'Busy', values: {}, order: 1, tiebreak: 0, recordedAt: new Date(now).toISOString() };
    await store.recordDesired(key, desired, email);
    await store.markStatus(key, { status: 'unmatched', detail: 'no Genesys user' }, desired);
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unmatched-retry-'));
    now = Date.parse('2026-11-28T01:00:00Z');
    store = await openEmbeddedStore(dir, { now: () => new Date(now) });
    genesysUsers = new Map([['alice@example.com', 'g-alice']]);
    listings = 0;
    enqueued = [];
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('re-opens only keys that would now match, in bounded batches, and never loops', async () => {
    const retry = createUnmatchedRetry(deps());
    // Nobody is unmatched: the directory is not even listed.
    expect(await retry()).toMatchObject({ directoryRefreshed: false, examined: 0 });
    expect(listings).toBe(0);

    const keys = ['u1', 'u2', 'u3', 'u4', 'u5'].map((id): StateKey => ({ system: 'zoom', externalUserId: id }));
    for (const key of keys) await unmatched(key, `${key.externalUserId}@example.com`);
    await unmatched({ system: 'zoom', externalUserId: 'stranger' }, 'stranger@example.com');
    now += 1000;
    // The first listing: nobody of them is a Genesys user yet.
    expect(await retry()).toMatchObject({ directoryRefreshed: true, examined: 6, reopened: 0 });
    now += 1000;

    // No change: nothing is listed (not due) or examined.
    expect(await retry()).toMatchObject({ directoryRefreshed: false, examined: 0, reopened: 0 });
    expect(listings).toBe(1);

    for (const key of keys) genesysUsers.set(`${key.externalUserId}@example.com`, `g-${key.externalUserId}`);
    now += 61 * 60_000;
    const first = await retry();
    expect(first).toMatchObject({ directoryRefreshed: true, reasons: ['the Genesys user directory changed'], reopened: 2, more: true });
    expect(enqueued).toEqual([applyMessage(keys[0]!), applyMessage(keys[1]!)]);
    expect((await store.get(keys[0]!))?.status).toBe('parked');
    // Suppose the worker still cannot match u1: it is recorded unmatched again, after the change was seen.
    now += 1000;
    await store.markStatus(keys[0]!, { status: 'unmatched', detail: 'still no' }, { order: 1, tiebreak: 0 });

    expect(await retry()).toMatchObject({ directoryRefreshed: false, reopened: 2, more: true });
    expect(await retry()).toMatchObject({ reopened: 1, more: false });
    expect(await retry()).toMatchObject({ examined: 0, reopened: 0 });
    expect(enqueued.map((m) => (m.kind === 'apply' ? m.key.externalUserId : ''))).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect((await store.get({ system: 'zoom', externalUserId: 'stranger' }))?.status).toBe('unmatched');
    expect((await store.get(keys[0]!))?.status).toBe('unmatched');
    expect(listings).toBe(2);
  });

  it('retries an override naming a user id only while that user exists', async () => {
    const key: StateKey = { system: 'zoom', externalUserId: 'mapped' };
    const overrides = { byKey: new Map([['zoom:mapped', { kind: 'id' as const, id: 'g-gone' }]]), byEmail: new Map() };
    const retry = createUnmatchedRetry(deps({ overrides }));
    await unmatched(key);
    now += 1000;
    expect(await retry()).toMatchObject({ directoryRefreshed: true, examined: 1, reopened: 0 });

    genesysUsers.set('back@example.com', 'g-gone');
    now += 61 * 60_000;
    expect(await retry()).toMatchObject({ examined: 1, reopened: 1 });
  });

  it('finds the email of keys without one in the system directory (Teams, RingCentral), also once it learns it later', async () => {
    const key: StateKey = { system: 'ringcentral', externalUserId: '101' };
    let known: string | undefined;
    const retry = createUnmatchedRetry(deps({ directories: { ringcentral: async () => known } }));
    await unmatched(key);
    now += 1000;
    expect(await retry()).toMatchObject({ examined: 1, reopened: 0 });

    // The RingCentral directory refresh learned the extension's email; the Genesys directory is unchanged.
    known = 'Alice@Example.com';
    now += 61 * 60_000;
    expect(await retry()).toMatchObject({ reasons: ['directories refreshed'], reopened: 1 });
    expect((await store.get(key))?.status).toBe('parked');
  });
});
