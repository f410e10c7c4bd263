/**
 * The data-directory lock: one owner at a time, and recovery from every way an owner can vanish —
 * a crash, a container restart that hands the new process the old pid, a host that went away — with
 * a takeover that never leaves two owners.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { StoreError } from '../../src/errors';
import { acquireDirLock, LOCK_FILE_NAME } from '../../src/store/dir-lock';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'dir-lock-'));
});
afterAll(async () => fs.rm(root, { recursive: true, force: true }));

let dirs = 0;
async function dirWithLock(owner: Record<string, unknown> | undefined, ageMs = 0): Promise<string> {
  dirs += 1;
  const dir = path.join(root, `d${dirs}`);
  await fs.mkdir(dir);
  if (owner) {
    const file = path.join(dir, LOCK_FILE_NAME);
    await fs.writeFile(file, JSON.stringify(owner) + '\n');
    const then = new Date(Date.now() - ageMs);
    await fs.utimes(file, then, then);
  }
  return dir;
}

const ownerOf = async (dir: string) => JSON.parse(await fs.readFile(path.join(dir, LOCK_FILE_NAME), 'utf8'));
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

describe('acquireDirLock', () => {
  it('writes the lock 0600 with our pid, host and a token, and removes it on release', async () => {
    const dir = await dirWithLock(undefined);
    const lock = await acquireDirLock(dir);
    expect(await ownerOf(dir)).toMatchObject({ pid: process.pid, host: hostname(), token: expect.any(String) });
    expect((await fs.stat(lock.file)).mode & 0o777).toBe(0o600);
    await lock.release();
    await expect(fs.stat(lock.file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes over a lock with our own pid that this process does not hold (a restarted container)', async () => {
    const dir = await dirWithLock({ pid: process.pid, host: hostname(), token: 'the-previous-incarnation' });
    const lock = await acquireDirLock(dir);
    expect((await ownerOf(dir)).token).not.toBe('the-previous-incarnation');
    await lock.release();
  });

  it('takes over a lock with our own pid written by an older version (no token)', async () => {
    const dir = await dirWithLock({ pid: process.pid, host: hostname() });
    const lock = await acquireDirLock(dir);
    await lock.release();
  });

  it('still refuses while this process itself holds the lock', async () => {
    const dir = await dirWithLock(undefined);
    const lock = await acquireDirLock(dir);
    await expect(acquireDirLock(dir)).rejects.toThrow(/is in use by another process/);
    await lock.release();
  });

  it('respects a live lock of another host, and takes it over once its heartbeat is stale', async () => {
    const fresh = await dirWithLock({ pid: 4242, host: 'another-host.example', token: 't' }, 10_000);
    await expect(acquireDirLock(fresh, { staleAfterMs: 60_000 })).rejects.toThrow(/pid 4242 on another-host.example/);

    const old = await dirWithLock({ pid: 4242, host: 'another-host.example', token: 't' }, 120_000);
    const lock = await acquireDirLock(old, { staleAfterMs: 60_000 });
    expect((await ownerOf(old)).host).toBe(hostname());
    await lock.release();
  });

  it('keeps its heartbeat fresh while held', async () => {
    const dir = await dirWithLock(undefined);
    const lock = await acquireDirLock(dir, { heartbeatMs: 20 });
    const then = new Date(Date.now() - 600_000);
    await fs.utimes(lock.file, then, then);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Date.now() - (await fs.stat(lock.file)).mtimeMs).toBeLessThan(5_000);
    await lock.release();
  });

  it('lets exactly one of many contenders take over a stale lock', async () => {
    for (let round = 0; round < 5; round += 1) {
      const dir = await dirWithLock({ pid: deadPid(), host: hostname() });
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => acquireDirLock(dir)));
      const winners = results.filter((r) => r.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(StoreError);
      }
      const owner = await ownerOf(dir);
      expect(owner.pid).toBe(process.pid);
      await (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireDirLock>>>).value.release();
      expect(await fs.readdir(dir)).toEqual([]);
    }
  });
});
