import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, promises as fs } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { StoreError } from '../../src/errors';
import { LOCK_FILE_NAME } from '../../src/store/dir-lock';
import { openEmbeddedStore, openEmbeddedStoreSnapshot, type EmbeddedStoreOptions } from '../../src/store/embedded';
import { JOURNAL_FILE_NAME, SNAPSHOT_FILE_NAME } from '../../src/store/journal';
import type { DesiredState, StateKey } from '../../src/store/state-store';
import { describeStateStoreContract } from './state-store-contract';

let root: string;
let dirs = 0;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'presence-bridge-store-'));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** A fresh data directory per test. */
function newDir(): string {
  dirs += 1;
  return path.join(root, `data-${dirs}`);
}

describeStateStoreContract('EmbeddedStateStore', ({ now }) => openEmbeddedStore(newDir(), { now }));

describe('EmbeddedStateStore (on disk)', () => {
  const key: StateKey = { system: 'teams', externalUserId: 'user-1' };
  const desired = (order: number): DesiredState => ({
    target: 'Busy',
    message: `In a call ${order}`,
    values: { availability: 'Busy', activity: 'InACall' },
    order,
    tiebreak: 0,
    recordedAt: '2025-01-01T00:00:00.000Z',
  });
  const open = (dir: string, options?: EmbeddedStoreOptions) => openEmbeddedStore(dir, options);

  it('keeps everything across close and reopen', async () => {
    const dir = newDir();
    const store = await open(dir);
    await store.recordDesired(key, desired(1), 'Ann@Example.com');
    await store.markApplied(
      key,
      { definitionId: 'd', target: 'Busy', message: 'In a call 1', order: 1, tiebreak: 0, appliedAt: 'x', genesysUserId: 'g', sourceId: 's' },
      { order: 1, tiebreak: 0 },
    );
    await store.recordDesired({ system: 'zoom', externalUserId: 'z' }, desired(7));
    await store.markStatus({ system: 'zoom', externalUserId: 'z' }, { status: 'parked', retryAt: '2030-01-01T00:00:00.000Z' }, { order: 7, tiebreak: 0 });
    await store.putDocument('sources', { teams: 'src-1' });
    await store.putDocument('sources', { teams: 'src-2' }, 1);
    const before = await store.list();
    await store.close();

    const reopened = await open(dir);

    expect(await reopened.list()).toEqual(before);
    expect(await reopened.getDocument('sources')).toEqual({ value: { teams: 'src-2' }, version: 2 });
    expect(await reopened.listUnfinished(new Date('2031-01-01T00:00:00.000Z'))).toEqual([{ system: 'zoom', externalUserId: 'z' }]);
    await reopened.close();
  });

  it('has an acknowledged write on disk before the call resolves (a crash copy replays it)', async () => {
    const dir = newDir();
    const store = await open(dir);
    await Promise.all([1, 2, 3].map((order) => store.recordDesired({ ...key, externalUserId: `u${order}` }, desired(order))));

    // Copy the journal at once, synchronously, as a crash right now would leave it: no close, no lock release.
    const copy = newDir();
    mkdirSync(copy);
    copyFileSync(path.join(dir, JOURNAL_FILE_NAME), path.join(copy, JOURNAL_FILE_NAME));
    const recovered = await open(copy);

    expect((await recovered.list()).map((record) => record.key.externalUserId)).toEqual(['u1', 'u2', 'u3']);
    await recovered.close();
    await store.close();
  });

  it('answers no call, not even a stale or read one, before earlier writes are fsynced', async () => {
    const store = await open(newDir());
    await store.recordDesired(key, desired(1));
    // Hold every fsync of the journal until the test lets it go.
    const probe = await fs.open(path.join(root, 'probe'), 'w');
    const fileHandlePrototype = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    const datasync = fileHandlePrototype.datasync;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const spy = jest.spyOn(fileHandlePrototype, 'datasync').mockImplementation(async function (this: unknown) {
      await gate;
      return datasync.call(this);
    });
    try {
      const answered: string[] = [];
      const calls = [
        store.recordDesired(key, desired(5)).then((outcome) => answered.push(`newer:${outcome}`)),
        store.recordDesired(key, desired(3)).then((outcome) => answered.push(`older:${outcome}`)),
        store.get(key).then(() => answered.push('get')),
      ];
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(answered).toEqual([]);

      release();
      await Promise.all(calls);

      expect(answered.sort()).toEqual(['get', 'newer:recorded', 'older:stale']);
    } finally {
      release();
      spy.mockRestore();
      await store.close();
    }
  });

  it('tolerates a torn last journal line and appends after it cleanly', async () => {
    const dir = newDir();
    const store = await open(dir);
    await store.recordDesired(key, desired(1));
    await store.close();
    await fs.appendFile(path.join(dir, JOURNAL_FILE_NAME), '{"t":"user","r":{"key":{"sys');

    const reopened = await open(dir);
    expect((await reopened.get(key))?.desired).toEqual(desired(1));
    await reopened.recordDesired(key, desired(2));
    await reopened.close();

    const third = await open(dir);
    expect((await third.get(key))?.desired).toEqual(desired(2));
    await third.close();
  });

  it('opens a directory written by a version that remembered RingCentral delivery ids, and ignores them', async () => {
    const dir = newDir();
    const store = await open(dir, { compactThresholdBytes: 1 });
    await store.recordDesired(key, desired(1));
    await store.close();
    const snapshotPath = path.join(dir, SNAPSHOT_FILE_NAME);
    const snapshot = JSON.parse(await fs.readFile(snapshotPath, 'utf8'));
    snapshot.state.deliveries = [{ id: 'ringcentral:old-uuid', exp: 1 }];
    await fs.writeFile(snapshotPath, JSON.stringify(snapshot));
    await fs.appendFile(path.join(dir, JOURNAL_FILE_NAME), '{"t":"delivery","id":"ringcentral:other-uuid","exp":2}\n');

    const reopened = await open(dir);
    expect((await reopened.get(key))?.desired).toEqual(desired(1));
    await reopened.close();
  });

  it('tolerates zeros left at the end by a crash', async () => {
    const dir = newDir();
    const store = await open(dir);
    await store.recordDesired(key, desired(1));
    await store.close();
    await fs.appendFile(path.join(dir, JOURNAL_FILE_NAME), Buffer.alloc(64));

    const reopened = await open(dir);

    expect((await reopened.get(key))?.desired).toEqual(desired(1));
    await reopened.close();
  });

  it('refuses a journal damaged before its end, naming the file and line', async () => {
    const dir = newDir();
    const store = await open(dir);
    await store.recordDesired(key, desired(1));
    await store.recordDesired(key, desired(2));
    await store.close();
    const file = path.join(dir, JOURNAL_FILE_NAME);
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    lines[0] = '{"t":"user", garbage';
    await fs.writeFile(file, lines.join('\n'));

    await expect(open(dir)).rejects.toThrow(/journal\.jsonl is damaged at line 1/);
    // The failed open released the lock.
    await expect(fs.access(path.join(dir, LOCK_FILE_NAME))).rejects.toThrow();
  });

  it('compacts into a snapshot and keeps all data', async () => {
    const dir = newDir();
    const store = await open(dir, { compactThresholdBytes: 4096 });
    for (let order = 1; order <= 60; order += 1) {
      await Promise.all(Array.from({ length: 5 }, (_, user) => store.recordDesired({ ...key, externalUserId: `u${user}` }, desired(order))));
    }
    await store.putDocument('doc', { kept: true });
    const journalSize = (await fs.stat(path.join(dir, JOURNAL_FILE_NAME))).size;
    await store.close();

    expect(journalSize).toBeLessThan(8192);
    await expect(fs.stat(path.join(dir, SNAPSHOT_FILE_NAME))).resolves.toBeTruthy();
    const reopened = await open(dir, { compactThresholdBytes: 4096 });
    const records = await reopened.list();
    expect(records).toHaveLength(5);
    expect(records.every((record) => record.desired.order === 60)).toBe(true);
    expect(await reopened.getDocument('doc')).toEqual({ value: { kept: true }, version: 1 });
    await reopened.close();
  });

  it('refuses a second open of a locked directory with a message naming it', async () => {
    const dir = newDir();
    const store = await open(dir);

    const second = open(dir);

    await expect(second).rejects.toBeInstanceOf(StoreError);
    await expect(open(dir)).rejects.toThrow(`the data directory ${dir} is in use by another process (pid ${process.pid}`);
    await store.close();
    const again = await open(dir);
    await again.close();
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = newDir();
    await fs.mkdir(dir, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await fs.writeFile(path.join(dir, LOCK_FILE_NAME), JSON.stringify({ pid: dead, host: hostname() }));

    const store = await open(dir);

    expect(JSON.parse(await fs.readFile(path.join(dir, LOCK_FILE_NAME), 'utf8'))).toMatchObject({ pid: process.pid });
    await store.close();
  });

  it('gives a read-only view of a store another process owns, without touching its files', async () => {
    const dir = newDir();
    const owner = await open(dir, { compactThresholdBytes: 2048 });
    for (let order = 1; order <= 30; order += 1) await owner.recordDesired(key, desired(order), 'ann@example.com');
    await owner.putDocument('sources', { teams: 'src-1' });
    // The owner is in the middle of its next append.
    const journal = path.join(dir, JOURNAL_FILE_NAME);
    await fs.appendFile(journal, '{"t":"user","r":');
    const size = (await fs.stat(journal)).size;

    const view = await openEmbeddedStoreSnapshot(dir);

    expect((await view.get(key))?.desired).toEqual(desired(30));
    expect(await view.list({ email: 'ANN@example.com' })).toHaveLength(1);
    expect(await view.getDocument('sources')).toEqual({ value: { teams: 'src-1' }, version: 1 });
    await expect(view.recordDesired(key, desired(31))).rejects.toThrow(/read-only/);
    await expect(view.putDocument('sources', {}, 1)).rejects.toBeInstanceOf(StoreError);
    expect((await fs.stat(journal)).size).toBe(size);
    await view.close();
    await owner.close();
  });

  it('refuses calls after close', async () => {
    const store = await open(newDir());
    await store.close();

    await expect(store.get(key)).rejects.toThrow(/closed/);
  });

  it('reports through checkWritable when its directory no longer takes writes', async () => {
    const dir = newDir();
    const store = await open(dir);
    await store.checkWritable();
    expect(await fs.readdir(dir)).not.toContain('health.probe');

    await fs.rm(dir, { recursive: true, force: true }); // the disk or mount went away
    await expect(store.checkWritable()).rejects.toThrow(StoreError);
    await expect(store.checkWritable()).rejects.toThrow(/does not take writes/);
    await store.close().catch(() => undefined);
  });

  it('keeps its directory 0700 and its journal and snapshot 0600, tightening what an older version left', async () => {
    const dir = newDir();
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    await fs.chmod(dir, 0o755);
    await fs.writeFile(path.join(dir, JOURNAL_FILE_NAME), '', { mode: 0o644 });
    const store = await open(dir, { compactThresholdBytes: 512 });
    for (let order = 1; order <= 20; order += 1) await store.recordDesired(key, desired(order)); // compacts
    const mode = async (name: string) => (await fs.stat(path.join(dir, name))).mode & 0o777;

    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
    expect(await mode(JOURNAL_FILE_NAME)).toBe(0o600);
    expect(await mode(SNAPSHOT_FILE_NAME)).toBe(0o600);
    await store.close();
  });
});
