/**
 * An exclusive lock on a data directory, so exactly one process owns the embedded store: two writers
 * appending to one journal would corrupt it. The lock is a file created with O_EXCL (via link(2))
 * holding the owner's pid, host and a random token, and refreshed (mtime) while held.
 *
 * A lock is stale, and is taken over, when its owner is gone:
 * - same host, another pid that no longer runs (a crash);
 * - same host, the SAME pid as ours but not held by this process: a container restarted, and its new
 *   process got the pid the old one had (often 1) — a pid check alone would call it alive forever;
 * - another host (a shared volume, or a re-created container with a new host name), whose pid cannot be
 *   checked from here: when its heartbeat is older than `staleAfterMs`.
 * Taking over is atomic: the stale file is first renamed aside, which only one contender can do, and
 * checked to be the very lock judged stale before it is removed (see `removeIfUnchanged`).
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { StoreError } from '../errors';
import { PRIVATE_FILE_MODE } from './private-files';

export const LOCK_FILE_NAME = 'store.lock';

/** How often a held lock's mtime is refreshed, and how old a foreign host's heartbeat may get. */
export const LOCK_HEARTBEAT_MS = 30_000;
export const LOCK_STALE_AFTER_MS = 5 * 60_000;

/** A held directory lock. */
export interface DirLock {
  readonly file: string;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Random per acquisition; absent in locks written by older versions. */
  readonly token?: string;
}

export interface DirLockOptions {
  readonly heartbeatMs?: number;
  readonly staleAfterMs?: number;
}

/** Tokens of the locks this process holds: how a lock with our own pid is told apart from a stale one. */
const heldByThisProcess = new Set<string>();

/**
 * Takes the lock on `dir` (which must exist), or fails with a StoreError naming the directory and
 * the process holding it.
 */
export async function acquireDirLock(dir: string, options: DirLockOptions = {}): Promise<DirLock> {
  const file = path.join(dir, LOCK_FILE_NAME);
  const me: LockOwner = { pid: process.pid, host: hostname(), token: randomUUID() };
  const content = JSON.stringify(me) + '\n';
  const staleAfterMs = options.staleAfterMs ?? LOCK_STALE_AFTER_MS;
  // Two rounds: the second runs only after a stale lock was removed.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await createExclusive(file, content);
      heldByThisProcess.add(me.token!);
      return createHeldLock(file, content, me.token!, options.heartbeatMs ?? LOCK_HEARTBEAT_MS);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) {
        throw new StoreError(`cannot create the lock file ${file}: ${String(error)}`, { cause: error });
      }
    }
    const seen = await readLock(file);
    if (seen === undefined) continue; // released meanwhile: try again
    if (seen.owner !== undefined && isLive(seen.owner, seen.ageMs, staleAfterMs)) {
      throw new StoreError(
        `the data directory ${dir} is in use by another process (pid ${seen.owner.pid} on ${seen.owner.host}, lock file ${file}); ` +
          `stop that process or point BRIDGE_DATA_DIR at another directory` +
          (seen.owner.host !== hostname() ? ` (a lock from another host is taken over once it is ${staleAfterMs / 60_000} min without heartbeat)` : ''),
      );
    }
    await removeIfUnchanged(file, seen.content, me.token!);
  }
  throw new StoreError(`the data directory ${dir} is locked by another process (lock file ${file})`);
}

/**
 * Creates `file` with `content` only if it does not exist, never visible half-written: the content
 * goes to a private temp file first, then link(2) publishes it atomically (failing with EEXIST).
 * A reader therefore never mistakes a lock being created for an empty, stale one.
 */
async function createExclusive(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.writeFile(temp, content, { flag: 'wx', mode: PRIVATE_FILE_MODE });
  try {
    await fs.link(temp, file);
  } catch (error) {
    if (isCode(error, 'EEXIST')) throw error;
    // File systems without hard links: O_EXCL create, with a short window where the file is empty.
    await fs.writeFile(file, content, { flag: 'wx', mode: PRIVATE_FILE_MODE });
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/**
 * Removes the lock file only if it still holds `staleContent`. Renaming is atomic and only one
 * contender can move a given file; the mover then checks it moved the stale lock and not a fresh one
 * another contender created in between, which it puts back.
 */
async function removeIfUnchanged(file: string, staleContent: string, token: string): Promise<void> {
  const aside = `${file}.${token}.stale`;
  try {
    await fs.rename(file, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return; // another contender moved it first
    throw new StoreError(`cannot take over the stale lock ${file}: ${String(error)}`, { cause: error });
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== staleContent) {
    await fs.link(aside, file).catch(() => undefined); // a fresh lock: give it back
  }
  await fs.rm(aside, { force: true });
}

function createHeldLock(file: string, content: string, token: string, heartbeatMs: number): DirLock {
  let released = false;
  // The heartbeat tells processes on other hosts that this lock is alive.
  const heartbeat = setInterval(() => {
    const now = new Date();
    void fs.utimes(file, now, now).catch(() => undefined);
  }, heartbeatMs);
  heartbeat.unref();
  return {
    file,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      heldByThisProcess.delete(token);
      // Only remove a lock that is still ours; never one a later owner took over.
      const current = await fs.readFile(file, 'utf8').catch(() => undefined);
      if (current === content) await fs.rm(file, { force: true });
    },
  };
}

/** The lock file's content, owner (undefined when unreadable or foreign) and heartbeat age. */
async function readLock(file: string): Promise<{ content: string; owner?: LockOwner; ageMs: number } | undefined> {
  let content: string;
  let ageMs: number;
  try {
    [content, ageMs] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file).then((s) => Date.now() - s.mtimeMs)]);
  } catch {
    return undefined; // gone
  }
  try {
    const parsed = JSON.parse(content) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      const owner = { pid: parsed.pid, host: parsed.host, ...(typeof parsed.token === 'string' ? { token: parsed.token } : {}) };
      return { content, owner, ageMs };
    }
  } catch {
    // Torn or foreign content: treated as stale.
  }
  return { content, ageMs };
}

function isLive(owner: LockOwner, ageMs: number, staleAfterMs: number): boolean {
  if (owner.host !== hostname()) return ageMs < staleAfterMs;
  if (owner.pid === process.pid) return owner.token !== undefined && heldByThisProcess.has(owner.token);
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
