/**
 * An exclusive lock on a data directory, so exactly one process owns the embedded store: two writers
 * appending to one journal would corrupt it. The lock is a file created with O_EXCL holding the
 * owner's pid and host; a lock left behind by a dead process on this host is taken over.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { StoreError } from '../errors';

export const LOCK_FILE_NAME = 'store.lock';

/** A held directory lock. */
export interface DirLock {
  readonly file: string;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

/**
 * Takes the lock on `dir` (which must exist), or fails with a StoreError naming the directory and
 * the process holding it.
 */
export async function acquireDirLock(dir: string): Promise<DirLock> {
  const file = path.join(dir, LOCK_FILE_NAME);
  const me: LockOwner = { pid: process.pid, host: hostname() };
  const content = JSON.stringify(me) + '\n';
  // Two rounds: the second runs only after a stale lock was removed.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await createExclusive(file, content);
      return createHeldLock(file, content);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) {
        throw new StoreError(`cannot create the lock file ${file}: ${String(error)}`, { cause: error });
      }
    }
    const owner = await readOwner(file);
    if (owner !== undefined && isAlive(owner)) {
      throw new StoreError(
        `the data directory ${dir} is in use by another process (pid ${owner.pid} on ${owner.host}, lock file ${file}); ` +
          `stop that process or point BRIDGE_DATA_DIR at another directory`,
      );
    }
    // Stale (dead pid) or unreadable lock: remove it and race for a fresh one. If another process
    // wins that race, the next round reports it as the live owner.
    await fs.rm(file, { force: true });
  }
  throw new StoreError(`the data directory ${dir} is locked by another process (lock file ${file})`);
}

/**
 * Creates `file` with `content` only if it does not exist, never visible half-written: the content
 * goes to a private temp file first, then link(2) publishes it atomically (failing with EEXIST).
 * A reader therefore never mistakes a lock being created for an empty, stale one.
 */
async function createExclusive(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(temp, content, { flag: 'wx' });
  try {
    await fs.link(temp, file);
  } catch (error) {
    if (isCode(error, 'EEXIST')) throw error;
    // File systems without hard links: O_EXCL create, with a short window where the file is empty.
    await fs.writeFile(file, content, { flag: 'wx' });
  } finally {
    await fs.rm(temp, { force: true });
  }
}

function createHeldLock(file: string, content: string): DirLock {
  let released = false;
  return {
    file,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      // Only remove a lock that is still ours; never one a later owner took over.
      const current = await fs.readFile(file, 'utf8').catch(() => undefined);
      if (current === content) await fs.rm(file, { force: true });
    },
  };
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host };
    }
  } catch {
    // Gone, torn or foreign content: treated as stale below.
  }
  return undefined;
}

/** Another host's pid cannot be checked from here, so its lock counts as live. */
function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return isCode(error, 'EPERM');
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
