/**
 * recordEvents: conditional write, then enqueue. A duplicate delivery must enqueue its key again: it is
 * how the bridge recovers when an earlier attempt recorded the state but failed to enqueue the key
 * (the sender's retry of that delivery is, by then, a duplicate).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PRESENCE_MAPPING, type PresenceEvent } from '../../src/presence';
import type { QueueMessage } from '../../src/queue/key-queue';
import { openEmbeddedStore } from '../../src/store/embedded';
import type { StateStore } from '../../src/store/state-store';
import { recordEvents, type RecordDeps } from '../../src/webhooks/record-events';

const event = (order: number, status = 'Away'): PresenceEvent => ({
  system: 'zoom',
  externalUserId: 'KDcuGIm1SaGc',
  email: 'Alice@Example.com',
  values: { presence_status: status },
  order,
});

describe('recordEvents', () => {
  let store: StateStore;
  let queued: QueueMessage[];
  let deps: RecordDeps;
  const now = Date.UTC(2026, 10, 28);

  beforeEach(async () => {
    store = await openEmbeddedStore(fs.mkdtempSync(path.join(os.tmpdir(), 'record-events-')));
    queued = [];
    deps = { store, queue: { enqueue: async (messages) => void queued.push(...messages) }, mapping: DEFAULT_PRESENCE_MAPPING, now: () => now };
  });
  afterEach(async () => store.close());

  it('re-enqueues the key of a duplicate delivery, so a lost enqueue is recovered by the retry', async () => {
    await recordEvents([event(now - 1000)], { ...deps, queue: { enqueue: async () => Promise.reject(new Error('queue down')) } }).catch(() => undefined);
    expect(queued).toEqual([]);

    const retry = await recordEvents([event(now - 1000)], deps);
    expect(retry).toMatchObject({ recorded: 0, duplicate: 1 });
    expect(queued).toEqual([expect.objectContaining({ kind: 'apply', key: { system: 'zoom', externalUserId: 'KDcuGIm1SaGc' } })]);
  });

  it('enqueues nothing for a stale event, and one key for several events of one user', async () => {
    await recordEvents([event(now - 1000), event(now - 500, 'Busy')], deps);
    expect(queued).toHaveLength(1);
    queued.length = 0;
    expect(await recordEvents([event(now - 2000)], deps)).toMatchObject({ stale: 1 });
    expect(queued).toEqual([]);
  });

  it('stores the email lower-cased and the external id exactly as sent', async () => {
    await recordEvents([event(now - 1000)], deps);
    const record = await store.get({ system: 'zoom', externalUserId: 'KDcuGIm1SaGc' });
    expect(record?.email).toBe('alice@example.com');
    expect(record?.key.externalUserId).toBe('KDcuGIm1SaGc');
  });
});
