/**
 * A read-only view of an embedded store that another process (the running `npm start`) owns: the CLI
 * reads state this way instead of fighting for the directory lock. It shows what was durable when it
 * was opened and never changes afterwards; every write is refused, since only the owner may append
 * to the journal.
 */
import path from 'node:path';
import { StoreError } from '../errors';
import { MemoryState, type JournalEntry, type Snapshot } from './embedded-state';
import { readJournalFiles } from './journal';
import type { AppliedState, DesiredState, DesiredVersion, RecordOutcome, StateKey, StateStore, StatusUpdate, UserStateRecord } from './state-store';
import type { RecordFilter } from './user-record';

/** The read-only StateStore. Create it with `openEmbeddedStoreSnapshot`. */
export class ReadOnlyEmbeddedStore implements StateStore {
  constructor(
    /** The absolute data directory. */
    readonly dir: string,
    private readonly state: MemoryState,
  ) {}

  async get(key: StateKey): Promise<UserStateRecord | undefined> {
    return this.state.getRecord(key);
  }

  async list(filter?: RecordFilter): Promise<UserStateRecord[]> {
    return this.state.listRecords(filter);
  }

  async listUnfinished(now: Date): Promise<StateKey[]> {
    return this.state.listUnfinished(now);
  }

  async getDocument<T>(name: string): Promise<{ value: T; version: number } | undefined> {
    return this.state.getDocument<T>(name);
  }

  recordDesired(_key: StateKey, _desired: DesiredState, _email?: string): Promise<RecordOutcome> {
    return this.refuse('recordDesired');
  }

  markApplied(_key: StateKey, _applied: AppliedState, _forVersion: DesiredVersion): Promise<void> {
    return this.refuse('markApplied');
  }

  markStatus(_key: StateKey, _update: StatusUpdate, _forVersion: DesiredVersion): Promise<void> {
    return this.refuse('markStatus');
  }

  markQueued(_key: StateKey, _untilMs: number): Promise<void> {
    return this.refuse('markQueued');
  }

  claimApply(_key: StateKey, _claimant: string, _leaseMs: number): Promise<boolean> {
    return this.refuse('claimApply');
  }

  releaseApply(_key: StateKey, _claimant: string): Promise<void> {
    return this.refuse('releaseApply');
  }

  checkWritable(): Promise<void> {
    return this.refuse('checkWritable');
  }

  putDocument<T>(_name: string, _value: T, _expectedVersion?: number): Promise<boolean> {
    return this.refuse('putDocument');
  }

  async close(): Promise<void> {}

  private refuse(operation: string): Promise<never> {
    return Promise.reject(
      new StoreError(
        `${operation}: the store in ${this.dir} is open read-only because another process (the running bridge) owns it; ` +
          'make the change through that process, or stop it first',
      ),
    );
  }
}

/**
 * Opens a read-only copy of the embedded store in `dir` as it is on disk now, without taking the
 * directory lock. A missing directory reads as an empty store.
 */
export async function openEmbeddedStoreSnapshot(dir: string): Promise<ReadOnlyEmbeddedStore> {
  const absolute = path.resolve(dir);
  const state = new MemoryState();
  try {
    const { snapshot, entries } = await readJournalFiles<Snapshot, JournalEntry>(absolute);
    state.restore(snapshot, entries);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot read the embedded store in ${absolute}: ${String(error)}`, { cause: error });
  }
  return new ReadOnlyEmbeddedStore(absolute, state);
}
