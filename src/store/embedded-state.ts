/**
 * The in-memory state of the embedded store, the journal entries that rebuild it, and the reads
 * shared by the writable store (`embedded.ts`) and the read-only view (`embedded-snapshot.ts`).
 */
import { StoreError } from '../errors';
import { formatKey, type StateKey, type UserStateRecord } from './state-store';
import { isUnfinished, matchesFilter, sortRecords, type RecordFilter } from './user-record';

/** One journal line: always a whole new value, so replaying it twice is harmless. */
export type JournalEntry =
  | { readonly t: 'user'; readonly r: UserStateRecord }
  | { readonly t: 'doc'; readonly n: string; readonly v: number; readonly d: unknown }
  /** Written by versions that remembered RingCentral delivery ids; read and ignored. */
  | { readonly t: 'delivery'; readonly id: string; readonly exp: number }
  | { readonly t: 'task'; readonly id: string; readonly m: unknown }
  | { readonly t: 'taskDone'; readonly id: string };

/** The compaction snapshot's content. */
export interface Snapshot {
  readonly users: UserStateRecord[];
  readonly docs: Array<{ readonly n: string; readonly v: number; readonly d: unknown }>;
  /** Delivery ids, in snapshots written by versions that remembered them; ignored. */
  readonly deliveries?: Array<{ readonly id: string; readonly exp: number }>;
  /** Pending durable tasks (absent in snapshots written before tasks were journalled). */
  readonly tasks?: Array<{ readonly id: string; readonly m: unknown }>;
}

export interface StoredDocument {
  readonly value: unknown;
  readonly version: number;
}

/** What the journal rebuilds. Reads hand out copies, so callers cannot change the store by mutating them. */
export class MemoryState {
  readonly users = new Map<string, UserStateRecord>();
  readonly docs = new Map<string, StoredDocument>();
  /** Pending durable task id → task, in recording order. */
  readonly tasks = new Map<string, unknown>();

  restore(snapshot: Snapshot | undefined, entries: JournalEntry[]): void {
    if (snapshot !== undefined) {
      for (const record of snapshot.users) this.apply({ t: 'user', r: record });
      for (const doc of snapshot.docs) this.apply({ t: 'doc', ...doc });
      for (const task of snapshot.tasks ?? []) this.apply({ t: 'task', ...task });
    }
    for (const entry of entries) this.apply(entry);
  }

  apply(entry: JournalEntry): void {
    switch (entry.t) {
      case 'user':
        this.users.set(formatKey(entry.r.key), entry.r);
        return;
      case 'doc':
        this.docs.set(entry.n, { value: entry.d, version: entry.v });
        return;
      case 'delivery':
        return;
      case 'task':
        this.tasks.set(entry.id, entry.m);
        return;
      case 'taskDone':
        this.tasks.delete(entry.id);
        return;
      default:
        throw new StoreError(`unknown journal entry type ${JSON.stringify((entry as { t?: unknown }).t)}`);
    }
  }

  snapshot(): Snapshot {
    return {
      users: [...this.users.values()],
      docs: [...this.docs].map(([n, doc]) => ({ n, v: doc.version, d: doc.value })),
      tasks: [...this.tasks].map(([id, m]) => ({ id, m })),
    };
  }

  getRecord(key: StateKey): UserStateRecord | undefined {
    const record = this.users.get(formatKey(key));
    return record === undefined ? undefined : structuredClone(record);
  }

  listRecords(filter: RecordFilter | undefined): UserStateRecord[] {
    return sortRecords([...this.users.values()].filter((record) => matchesFilter(record, filter))).map((record) => structuredClone(record));
  }

  listUnfinished(now: Date): StateKey[] {
    return sortRecords([...this.users.values()].filter((record) => isUnfinished(record, now))).map((record) => ({
      ...record.key,
    }));
  }

  getDocument<T>(name: string): { value: T; version: number } | undefined {
    const doc = this.docs.get(name);
    return doc === undefined ? undefined : { value: structuredClone(doc.value) as T, version: doc.version };
  }
}
