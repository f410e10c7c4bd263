/**
 * A presence PATCH answering 404 while the source exists (issue 9, item 8): the worker first
 * re-resolves the presence definitions and retries once; only then is the user treated as gone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/logger';
import { createGenesysPort } from '../../src/runtime/genesys-port';
import { openEmbeddedStore, type EmbeddedStateStore } from '../../src/store/embedded';
import type { DesiredState, StateKey } from '../../src/store/state-store';
import { createBatchingEmailLookup } from '../../src/users/email-lookup';
import { NO_OVERRIDES } from '../../src/users/user-mapping-file';
import { createUserResolver } from '../../src/users/user-resolver';
import { applyKey, type WorkerDeps } from '../../src/webhooks/worker';
import { DEFAULT_SOURCE_NAMES, startSandboxClient, type SandboxClientSetup } from '../genesys/helpers/sandbox-client';

const LABEL = 'Focus time';

function desired(order: number, message: string): DesiredState {
  return { target: LABEL, message, values: { presence_status: 'Do_Not_Disturb' }, order, tiebreak: 0, recordedAt: new Date().toISOString() };
}

describe('worker: PATCH 404 while the source exists', () => {
  let setup: SandboxClientSetup;
  let store: EmbeddedStateStore;
  let deps: WorkerDeps;
  let dir: string;

  beforeEach(async () => {
    setup = await startSandboxClient({ sandbox: { seedDemoUsers: true } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-404-'));
    store = await openEmbeddedStore(dir);
    const lookup = createBatchingEmailLookup((emails) => setup.client.users.findByEmails(emails));
    deps = {
      store,
      genesys: createGenesysPort(setup.client, DEFAULT_SOURCE_NAMES, 50),
      resolveUser: createUserResolver({ overrides: NO_OVERRIDES, lookup }),
      logger: silentLogger,
    };
  });
  afterEach(async () => {
    await store.close();
    await setup.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const patches = (userId: string) => setup.sandbox.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith(`/api/v2/users/${userId}/presences/`));
  const definitionLists = () => setup.sandbox.requests.filter((r) => r.method === 'GET' && r.path.includes('presence/definitions'));

  async function applyFirst(email: string): Promise<{ key: StateKey; userId: string; sourceId: string }> {
    const key: StateKey = { system: 'zoom', externalUserId: `zoom-${email}` };
    await store.recordDesired(key, desired(1, 'Focusing'), email);
    expect(await applyKey(key, deps)).toEqual({ kind: 'done' });
    const record = await store.get(key);
    expect(record?.status).toBe('applied');
    return { key, userId: record!.genesysUserId!, sourceId: record!.applied!.sourceId };
  }

  it('re-resolves a presence definition whose id changed (deleted and re-created) and the write succeeds', async () => {
    const focus = setup.sandbox.addSecondaryPresence('Busy', LABEL);
    const { key, userId, sourceId } = await applyFirst('alice@example.com');
    expect(setup.sandbox.getPresence(userId, sourceId)?.definitionId).toBe(focus.id);

    const rotated = setup.sandbox.recreateDefinition(focus.id);
    setup.sandbox.reset();
    await store.recordDesired(key, desired(2, 'Focusing again'));

    expect(await applyKey(key, deps)).toEqual({ kind: 'done' });

    expect(patches(userId).map((r) => r.status)).toEqual([404, 200]);
    expect(definitionLists().length).toBe(1);
    expect(setup.sandbox.getPresence(userId, sourceId)).toMatchObject({ definitionId: rotated.id, message: 'Focusing again' });
    const record = await store.get(key);
    expect(record).toMatchObject({ status: 'applied', genesysUserId: userId });
    expect(record?.applied?.definitionId).toBe(rotated.id);
    expect(setup.sandbox.violations).toEqual([]);
  });

  it('marks a truly deleted user gone after one retry, forgets the id, and does not loop', async () => {
    setup.sandbox.addSecondaryPresence('Busy', LABEL);
    const { key, userId } = await applyFirst('bob@example.com');
    setup.sandbox.deleteUser(userId);
    setup.sandbox.reset();
    await store.recordDesired(key, desired(2, 'Focusing again'));

    expect(await applyKey(key, deps)).toEqual({ kind: 'done' });

    expect(patches(userId).map((r) => r.status)).toEqual([404, 404]);
    expect(definitionLists().length).toBe(1);
    const record = await store.get(key);
    expect(record?.status).toBe('unmatched');
    expect(record?.detail).toMatch(/user no longer exists/);
    expect(record?.genesysUserId).toBeUndefined();

    // Handling the key again changes nothing and asks Genesys nothing: no loop.
    const before = setup.sandbox.requests.length;
    expect(await applyKey(key, deps)).toEqual({ kind: 'done' });
    expect(setup.sandbox.requests.length).toBe(before);
    expect(setup.sandbox.violations).toEqual([]);
  });

  it('keeps the re-create path when the source itself is gone', async () => {
    setup.sandbox.addSecondaryPresence('Busy', LABEL);
    const { key, sourceId } = await applyFirst('carol@example.com');
    setup.sandbox.deleteSource(sourceId);
    await store.recordDesired(key, desired(2, 'Focusing again'));

    const result = await applyKey(key, deps);

    expect(result.kind).toBe('retry');
    expect((await store.get(key))?.status).toBe('pending');
    expect(await applyKey(key, deps)).toEqual({ kind: 'done' });
    const record = await store.get(key);
    expect(record?.status).toBe('applied');
    expect(record?.applied?.sourceId).not.toBe(sourceId);
  });
});
