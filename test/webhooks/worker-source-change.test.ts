/**
 * The worker's "already there" check compares the whole write, the source id included: after the
 * bridge's source is re-created (new id), a user whose last write matches the desired state must still
 * be written to the new source, or Genesys shows nothing for them there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/logger';
import { openEmbeddedStore } from '../../src/store/embedded';
import type { StateKey, StateStore } from '../../src/store/state-store';
import { applyKey, type GenesysPort, type WorkerDeps } from '../../src/webhooks/worker';

const KEY: StateKey = { system: 'zoom', externalUserId: 'KDcuGIm1SaGc' };
const desired = (order: number) => ({
  target: 'Busy',
  message: 'In a meeting',
  values: { presence_status: 'In_Meeting' },
  order,
  tiebreak: 0,
  recordedAt: new Date(order).toISOString(),
});

describe('worker after a source is re-created', () => {
  let store: StateStore;
  let writes: Array<{ userId: string; sourceId: string; definitionId: string }>;
  let sourceId: string;
  let deps: WorkerDeps;

  beforeEach(async () => {
    store = await openEmbeddedStore(fs.mkdtempSync(path.join(os.tmpdir(), 'worker-source-')));
    writes = [];
    sourceId = 'source-1';
    const genesys: GenesysPort = {
      sourceIdFor: async () => sourceId,
      forgetSources: () => undefined,
      resolveDefinition: async () => ({ id: 'busy-definition' }),
      setSourcePresence: async (userId, source, definitionId) => void writes.push({ userId, sourceId: source, definitionId }),
      classify: () => ({ kind: 'permanent', detail: 'unexpected' }),
    };
    deps = { store, genesys, resolveUser: async () => ({ kind: 'matched', genesysUserId: 'genesys-user-1' }), logger: silentLogger };
  });
  afterEach(async () => store.close());

  it('writes an unchanged state again when the source id changed, and not when it did not', async () => {
    await store.recordDesired(KEY, desired(1000));
    await applyKey(KEY, deps);
    expect(writes).toEqual([{ userId: 'genesys-user-1', sourceId: 'source-1', definitionId: 'busy-definition' }]);

    // The same state again (a later event): nothing to write while the source is the same.
    await store.recordDesired(KEY, desired(2000));
    await applyKey(KEY, deps);
    expect(writes).toHaveLength(1);

    // The source was deleted in Genesys and re-created with a new id.
    sourceId = 'source-2';
    await store.recordDesired(KEY, desired(3000));
    await applyKey(KEY, deps);
    expect(writes).toEqual([
      { userId: 'genesys-user-1', sourceId: 'source-1', definitionId: 'busy-definition' },
      { userId: 'genesys-user-1', sourceId: 'source-2', definitionId: 'busy-definition' },
    ]);
    expect((await store.get(KEY))?.applied?.sourceId).toBe('source-2');
  });
});
