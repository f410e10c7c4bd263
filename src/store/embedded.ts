/**
 * The local StateStore behind `npm start`: everything in memory, made durable by a journal in
 * BRIDGE_DATA_DIR (see `journal.ts`), so state survives restarts with no native modules and no server.
 * One process owns the directory at a time (`dir-lock.ts`).
 *
 * Every call, including reads and "nothing changed" answers, first waits until all earlier writes
 * are fsynced. Otherwise a caller could be told "stale" because of a newer event that a crash then
 * loses, and the older event would be dropped although its sender was acknowledged.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StoreError } from '../errors';
import { acquireDirLock, type DirLock } from './dir-lock';
import { openJournal, type Journal } from './journal';
import {
  formatKey,
  type AppliedState,
  type DesiredState,
  type DesiredVersion,
  type RecordOutcome,
  type StateKey,
  type StateStore,
  type StatusUpdate,
  type UserStateRecord,
} from './state-store';
import { MemoryState, type JournalEntry, type Snapshot } from './embedded-state';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-files';
import type { TaskLog } from './task-log';
import { assertLease, assertVersion, decideDesired, dueAt, withApplied, withDesired, withStatus, type RecordFilter } from './user-record';

/** Written and removed by `checkWritable`. */
const HEALTH_PROBE_FILE = 'health.probe';

/** Compaction threshold: small enough to replay in well under a second, large enough to be rare. */
export const DEFAULT_COMPACT_THRESHOLD_BYTES = 8 * 1024 * 1024;

export interface EmbeddedStoreOptions {
  /** Clock for `updatedAt`; injected by tests. */
  readonly now?: () => Date;
  /** Journal size that triggers compaction; default 8 MiB. */
  readonly compactThresholdBytes?: number;
}

/** The embedded StateStore. Create it with `openEmbeddedStore`. */
export class EmbeddedStateStore implements StateStore, TaskLog {
  private closed = false;
  /**
   * Apply claims and queued marks live in memory only: they describe this process's workers and its
   * in-memory queue, both of which a restart ends, so journaling them would only delay work after a crash.
   */
  private readonly claims = new Map<string, { readonly by: string; readonly until: number }>();
  private readonly queuedUntil = new Map<string, number>();

  private constructor(
    /** The absolute data directory. */
    readonly dir: string,
    private readonly lock: DirLock,
    private readonly journal: Journal<JournalEntry>,
    private readonly state: MemoryState,
    private readonly now: () => Date,
  ) {}

  /** @internal use `openEmbeddedStore`. */
  static async open(dir: string, options: EmbeddedStoreOptions = {}): Promise<EmbeddedStateStore> {
    const absolute = path.resolve(dir);
    try {
      await ensurePrivateDir(absolute);
    } catch (error) {
      throw new StoreError(`cannot create the data directory ${absolute}: ${String(error)}`, { cause: error });
    }
    const lock = await acquireDirLock(absolute);
    const now = options.now ?? (() => new Date());
    const state = new MemoryState();
    try {
      const journal = await openJournal<Snapshot, JournalEntry>(absolute, {
        compactThresholdBytes: options.compactThresholdBytes ?? DEFAULT_COMPACT_THRESHOLD_BYTES,
        restore: (snapshot, entries) => state.restore(snapshot, entries),
        takeSnapshot: () => state.snapshot(),
      });
      return new EmbeddedStateStore(absolute, lock, journal, state, now);
    } catch (error) {
      await lock.release();
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot open the embedded store in ${absolute}: ${String(error)}`, { cause: error });
    }
  }

  async recordDesired(key: StateKey, desired: DesiredState, email?: string): Promise<RecordOutcome> {
    this.assertOpen();
    assertVersion(desired, `recordDesired ${formatKey(key)}`);
    const existing = this.state.users.get(formatKey(key));
    const outcome = decideDesired(existing?.desired, desired);
    if (outcome === 'recorded') {
      this.writeUser(withDesired(existing, key, desired, email, this.stamp()));
      this.queuedUntil.delete(formatKey(key));
    }
    await this.journal.whenDurable();
    return outcome;
  }

  async get(key: StateKey): Promise<UserStateRecord | undefined> {
    this.assertOpen();
    await this.journal.whenDurable();
    return this.state.getRecord(key);
  }

  async markApplied(key: StateKey, applied: AppliedState, forVersion: DesiredVersion, email?: string): Promise<void> {
    this.assertOpen();
    assertVersion(forVersion, `markApplied ${formatKey(key)}`);
    const existing = this.state.users.get(formatKey(key));
    if (existing === undefined) {
      throw new StoreError(`markApplied: there is no record for ${formatKey(key)}; record a desired state first`);
    }
    this.writeUser(withApplied(existing, applied, forVersion, this.stamp(), email));
    await this.journal.whenDurable();
  }

  async markStatus(key: StateKey, update: StatusUpdate, forVersion: DesiredVersion): Promise<void> {
    this.assertOpen();
    assertVersion(forVersion, `markStatus ${formatKey(key)}`);
    const next = withStatus(this.state.users.get(formatKey(key)), update, forVersion, this.stamp());
    if (next !== undefined) {
      this.writeUser(next);
      this.queuedUntil.delete(formatKey(key));
    }
    await this.journal.whenDurable();
  }

  async listUnfinished(now: Date): Promise<StateKey[]> {
    this.assertOpen();
    await this.journal.whenDurable();
    const nowMs = now.getTime();
    return this.state.listUnfinished(now).filter((key) => !((this.queuedUntil.get(formatKey(key)) ?? 0) > nowMs));
  }

  async markQueued(key: StateKey, untilMs: number): Promise<void> {
    this.assertOpen();
    const id = formatKey(key);
    const record = this.state.users.get(id);
    const unfinished = record !== undefined && dueAt(record.status, record.retryAt) !== undefined;
    if (unfinished && untilMs > (this.queuedUntil.get(id) ?? 0)) this.queuedUntil.set(id, untilMs);
    await this.journal.whenDurable();
  }

  async claimApply(key: StateKey, claimant: string, leaseMs: number): Promise<boolean> {
    this.assertOpen();
    assertLease(leaseMs);
    const id = formatKey(key);
    const nowMs = this.now().getTime();
    const held = this.claims.get(id);
    const free = held === undefined || held.until <= nowMs || held.by === claimant;
    const claimed = free && this.state.users.has(id);
    if (claimed) this.claims.set(id, { by: claimant, until: nowMs + leaseMs });
    await this.journal.whenDurable();
    return claimed;
  }

  async releaseApply(key: StateKey, claimant: string): Promise<void> {
    this.assertOpen();
    const id = formatKey(key);
    if (this.claims.get(id)?.by === claimant) this.claims.delete(id);
  }

  async list(filter?: RecordFilter): Promise<UserStateRecord[]> {
    this.assertOpen();
    await this.journal.whenDurable();
    return this.state.listRecords(filter);
  }

  async getDocument<T>(name: string): Promise<{ value: T; version: number } | undefined> {
    this.assertOpen();
    await this.journal.whenDurable();
    return this.state.getDocument<T>(name);
  }

  async putDocument<T>(name: string, value: T, expectedVersion?: number): Promise<boolean> {
    this.assertOpen();
    const current = this.state.docs.get(name);
    const matches = expectedVersion === undefined ? current === undefined : current?.version === expectedVersion;
    if (matches) {
      this.state.apply(this.journal.append({ t: 'doc', n: name, v: (current?.version ?? 0) + 1, d: value }));
    }
    await this.journal.whenDurable();
    return matches;
  }

  async recordTasks(tasks: ReadonlyArray<{ readonly id: string; readonly task: unknown }>): Promise<void> {
    this.assertOpen();
    for (const { id, task } of tasks) this.state.apply(this.journal.append({ t: 'task', id, m: task }));
    await this.journal.whenDurable();
  }

  async forgetTask(id: string): Promise<void> {
    this.assertOpen();
    if (this.state.tasks.has(id)) this.state.apply(this.journal.append({ t: 'taskDone', id }));
    await this.journal.whenDurable();
  }

  async listTasks(): Promise<Array<{ readonly id: string; readonly task: unknown }>> {
    this.assertOpen();
    await this.journal.whenDurable();
    return [...this.state.tasks].map(([id, task]) => ({ id, task: structuredClone(task) }));
  }

  /** Writes what is queued, closes the journal and releases the directory lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.journal.close();
    } finally {
      await this.lock.release();
    }
  }

  private writeUser(record: UserStateRecord): void {
    this.state.apply(this.journal.append({ t: 'user', r: record }));
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  /**
   * The journal must not have failed, and the data directory must take a write and an fsync (a full or
   * read-only disk fails here before an event does). The probe file is written and removed each time.
   */
  async checkWritable(): Promise<void> {
    this.assertOpen();
    await this.journal.whenDurable();
    const probe = path.join(this.dir, HEALTH_PROBE_FILE);
    try {
      const handle = await fs.open(probe, 'w', PRIVATE_FILE_MODE);
      try {
        await handle.writeFile('ok\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rm(probe, { force: true });
    } catch (error) {
      throw new StoreError(`the data directory ${this.dir} does not take writes: ${String(error)}`, { cause: error });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`the embedded store in ${this.dir} is closed`);
  }
}

/**
 * Opens (creating if needed) the embedded store in `dir`, replaying what a previous run recorded.
 * Fails with a StoreError naming the directory when another live process holds it.
 */
export function openEmbeddedStore(dir: string, options?: EmbeddedStoreOptions): Promise<EmbeddedStateStore> {
  return EmbeddedStateStore.open(dir, options);
}

export { openEmbeddedStoreSnapshot } from './embedded-snapshot';
