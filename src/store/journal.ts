/**
 * An append-only journal of JSON lines plus a snapshot, the durable half of the embedded store.
 *
 * - Every entry is written and fsynced before `whenDurable()` resolves, because nothing may be lost
 *   (docs/architecture.md): a verified event is durably recorded before it is acknowledged. Entries appended
 *   while a write is in flight are grouped into the next write+fsync (group commit), so a burst of
 *   webhooks costs a few fsyncs, not one each.
 * - Entries must be idempotent (whole new values, not deltas): replaying an entry that the snapshot
 *   already contains changes nothing. That is what makes compaction and crash recovery simple.
 * - A crash can leave a torn last line (or zeros where the file system extended it). On open the
 *   torn tail is cut off so later appends start on a clean line; damage before a good line is refused.
 * - Compaction writes the snapshot to a temp file, fsyncs, renames it over the old one, then truncates
 *   the journal. A crash between rename and truncate only means entries are replayed twice.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../errors';
import { ensurePrivateFile, PRIVATE_FILE_MODE } from './private-files';

export const JOURNAL_FILE_NAME = 'journal.jsonl';
export const SNAPSHOT_FILE_NAME = 'snapshot.json';

/** Identifies our snapshots, so a foreign or future file is refused instead of misread. */
const SNAPSHOT_FORMAT = 'presence-bridge/embedded-store';
const SNAPSHOT_VERSION = 1;

export interface JournalOptions<S, E> {
  /** Compact once the journal exceeds this many bytes (or the last snapshot's size, if larger). */
  readonly compactThresholdBytes: number;
  /** Receives what is on disk, once, before `openJournal` resolves. */
  restore(snapshot: S | undefined, entries: E[]): void;
  /** The complete current state, written as the snapshot on compaction. */
  takeSnapshot(): S;
}

interface Waiter {
  readonly seq: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface SnapshotFile<S> {
  readonly format: string;
  readonly version: number;
  readonly state: S;
}

/** An open journal. One process only: the caller holds the directory lock. */
export class Journal<E> {
  private pending: string[] = [];
  private appendedSeq = 0;
  private durableSeq = 0;
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private failure: StoreError | undefined;
  private closed = false;

  /** @internal use `openJournal`. */
  constructor(
    private readonly dir: string,
    private readonly handle: FileHandle,
    private journalBytes: number,
    private snapshotBytes: number,
    private readonly options: JournalOptions<unknown, E>,
  ) {}

  private get journalPath(): string {
    return path.join(this.dir, JOURNAL_FILE_NAME);
  }

  /**
   * Queues `entry` for the next write and returns it as a replay will see it (after a JSON round
   * trip), so the caller's in-memory state never differs from what a restart rebuilds.
   */
  append(entry: E): E {
    this.assertUsable();
    const line = JSON.stringify(entry) + '\n';
    this.pending.push(line);
    this.appendedSeq += 1;
    return JSON.parse(line) as E;
  }

  /** Resolves once every entry appended so far is written and fsynced. */
  whenDurable(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const seq = this.appendedSeq;
    if (this.durableSeq >= seq) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
    this.startFlushing();
    return done;
  }

  /** Writes what is queued and closes the file. Later appends fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    // Refuse new entries first, then wait for the queued ones.
    this.closed = true;
    try {
      await this.whenDurable();
    } finally {
      await this.flushing;
      await this.handle.close();
    }
  }

  private assertUsable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new StoreError(`the embedded store in ${this.dir} is closed`);
  }

  private startFlushing(): void {
    if (this.flushing !== undefined) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.join('');
        const upTo = this.appendedSeq;
        this.pending = [];
        await this.handle.appendFile(batch, 'utf8');
        // fdatasync: the data and the new file size, which is all a replay needs.
        await this.handle.datasync();
        this.journalBytes += Buffer.byteLength(batch);
        this.durableSeq = upTo;
        this.settle();
        if (this.journalBytes > Math.max(this.options.compactThresholdBytes, this.snapshotBytes)) {
          await this.compact();
        }
      }
    } catch (error) {
      // After a failed write the file's tail is unknown: stop acknowledging anything. A restart
      // replays the journal, which is the truth.
      this.failure = new StoreError(`cannot write the journal ${this.journalPath}: ${String(error)}`, { cause: error });
      const waiters = this.waiters;
      this.waiters = [];
      for (const waiter of waiters) waiter.reject(this.failure);
    }
  }

  private settle(): void {
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.seq <= this.durableSeq) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }

  /**
   * Replaces the snapshot with the current state and empties the journal. Runs inside the flush loop,
   * so no write interleaves. The state may already include entries still queued; they are appended
   * after the truncation and replay idempotently.
   */
  private async compact(): Promise<void> {
    const text = JSON.stringify({
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      state: this.options.takeSnapshot(),
    } satisfies SnapshotFile<unknown>);
    const target = path.join(this.dir, SNAPSHOT_FILE_NAME);
    const temp = `${target}.tmp`;
    const file = await fs.open(temp, 'w', PRIVATE_FILE_MODE);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await fs.rename(temp, target);
    await syncDirectory(this.dir);
    await this.handle.truncate(0);
    await this.handle.sync();
    this.journalBytes = 0;
    this.snapshotBytes = Buffer.byteLength(text);
  }

  /** @internal compaction right after open, when a long journal was replayed. */
  async compactNow(): Promise<void> {
    await this.compact();
  }
}

/**
 * Opens (creating if needed) the journal in `dir`: reads the snapshot and entries, hands them to
 * `options.restore`, cuts off a torn tail, and compacts if the journal is already long.
 */
export async function openJournal<S, E>(dir: string, options: JournalOptions<S, E>): Promise<Journal<E>> {
  const journalPath = path.join(dir, JOURNAL_FILE_NAME);
  const snapshotPath = path.join(dir, SNAPSHOT_FILE_NAME);
  // A temp snapshot is a compaction that did not finish; the journal still holds everything.
  await fs.rm(`${snapshotPath}.tmp`, { force: true });

  const { snapshot, snapshotBytes } = await readSnapshot<S>(snapshotPath);
  const buffer = await readJournalBuffer(journalPath);
  const { entries, validBytes } = parseJournal<E>(buffer, journalPath);
  try {
    options.restore(snapshot, entries);
  } catch (error) {
    throw new StoreError(`cannot replay ${snapshotPath} and ${journalPath}: ${String(error)}`, { cause: error });
  }

  const handle = await fs.open(journalPath, 'a', PRIVATE_FILE_MODE);
  // Files an older version created with the default mode are made private too.
  await ensurePrivateFile(journalPath);
  await ensurePrivateFile(snapshotPath);
  try {
    if (validBytes < buffer.length) {
      await handle.truncate(validBytes);
      await handle.sync();
    }
    // The journal file may have just been created: make its directory entry durable too.
    await syncDirectory(dir);
  } catch (error) {
    await handle.close();
    throw new StoreError(`cannot prepare the journal ${journalPath}: ${String(error)}`, { cause: error });
  }
  const journal = new Journal<E>(dir, handle, validBytes, snapshotBytes, options as JournalOptions<unknown, E>);
  if (validBytes > Math.max(options.compactThresholdBytes, snapshotBytes)) {
    await journal.compactNow();
  }
  return journal;
}

/**
 * Reads the snapshot and journal without changing anything, for a reader while another process owns
 * the directory. A torn tail is the owner's write in progress and is left out. When a compaction
 * replaced the snapshot during the read, the pair may not fit together (older entries on a newer
 * snapshot would move state backwards), so the read is repeated.
 */
export async function readJournalFiles<S, E>(dir: string): Promise<{ snapshot: S | undefined; entries: E[] }> {
  const journalPath = path.join(dir, JOURNAL_FILE_NAME);
  const snapshotPath = path.join(dir, SNAPSHOT_FILE_NAME);
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const before = await fileIdentity(snapshotPath);
    const { snapshot } = await readSnapshot<S>(snapshotPath);
    const buffer = await readJournalBuffer(journalPath);
    if ((await fileIdentity(snapshotPath)) === before) {
      return { snapshot, entries: parseJournal<E>(buffer, journalPath).entries };
    }
  }
  throw new StoreError(`the store in ${dir} was compacted during every read attempt; try again`);
}

async function readJournalBuffer(journalPath: string): Promise<Buffer> {
  try {
    return await fs.readFile(journalPath);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return Buffer.alloc(0);
    throw new StoreError(`cannot read the journal ${journalPath}: ${String(error)}`, { cause: error });
  }
}

/** Changes whenever a compaction renames a new snapshot into place. */
async function fileIdentity(file: string): Promise<string> {
  const stats = await fs.stat(file).catch(() => undefined);
  return stats === undefined ? 'none' : `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

/**
 * Splits the journal into entries. Lines that do not parse are tolerated only at the end (a write
 * torn by a crash); `validBytes` is where the good part ends.
 */
export function parseJournal<E>(buffer: Buffer, file: string): { entries: E[]; validBytes: number } {
  const entries: E[] = [];
  let validBytes = 0;
  let firstBadLine: number | undefined;
  let offset = 0;
  let lineNumber = 0;
  while (offset < buffer.length) {
    lineNumber += 1;
    const newline = buffer.indexOf(0x0a, offset);
    const end = newline === -1 ? buffer.length : newline;
    const text = buffer.toString('utf8', offset, end);
    // A line without its newline was never completely written, even if what is there parses.
    let good = false;
    if (newline !== -1) {
      if (text.trim() === '') {
        good = true;
      } else {
        try {
          const parsed: unknown = JSON.parse(text);
          if (typeof parsed === 'object' && parsed !== null) {
            entries.push(parsed as E);
            good = true;
          }
        } catch {
          // Counted as bad below.
        }
      }
    }
    if (good) {
      if (firstBadLine !== undefined) {
        throw new StoreError(
          `the journal ${file} is damaged at line ${firstBadLine} (a good line follows, so it is not a torn write); ` +
            'restore the data directory from a backup or move the file away',
        );
      }
      validBytes = end + 1;
    } else if (firstBadLine === undefined) {
      firstBadLine = lineNumber;
    }
    offset = end + 1;
  }
  return { entries, validBytes };
}

async function readSnapshot<S>(file: string): Promise<{ snapshot: S | undefined; snapshotBytes: number }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return { snapshot: undefined, snapshotBytes: 0 };
    throw new StoreError(`cannot read the snapshot ${file}: ${String(error)}`, { cause: error });
  }
  let parsed: Partial<SnapshotFile<S>>;
  try {
    parsed = JSON.parse(text) as Partial<SnapshotFile<S>>;
  } catch (error) {
    // Snapshots are only ever published by rename, so a broken one is not a crash artefact.
    throw new StoreError(`the snapshot ${file} is not valid JSON; restore it from a backup`, { cause: error });
  }
  if (parsed.format !== SNAPSHOT_FORMAT || parsed.version !== SNAPSHOT_VERSION) {
    throw new StoreError(
      `the snapshot ${file} has format ${String(parsed.format)} v${String(parsed.version)}; ` + `this version reads ${SNAPSHOT_FORMAT} v${SNAPSHOT_VERSION}`,
    );
  }
  return { snapshot: parsed.state as S, snapshotBytes: Buffer.byteLength(text) };
}

/** fsync on a directory makes renames and new files durable on Linux; other systems may refuse it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!isCode(error, 'EISDIR') && !isCode(error, 'EPERM') && !isCode(error, 'EINVAL') && !isCode(error, 'EBADF')) {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
