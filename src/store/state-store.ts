/**
 * The durable state of the bridge: per (system, external user) the desired state (latest event) and
 * the applied state (last thing written to Genesys), plus small versioned documents (source ids,
 * subscriptions, encrypted tokens). Two implementations: `embedded.ts` (local) and `dynamodb.ts` (AWS).
 */
import type { SystemName } from '../systems';

export interface StateKey {
  readonly system: SystemName;
  readonly externalUserId: string;
}

/** `zoom:abc123` — the form used in queues, logs and the CLI. */
export function formatKey(key: StateKey): string {
  return `${key.system}:${key.externalUserId}`;
}

export function parseKey(text: string): StateKey {
  const at = text.indexOf(':');
  const system = text.slice(0, at);
  if (at <= 0 || !['teams', 'zoom', 'ringcentral'].includes(system) || at === text.length - 1) {
    throw new Error(`not a state key: "${text}" (expected system:externalUserId)`);
  }
  return { system: system as SystemName, externalUserId: text.slice(at + 1) };
}

/** The latest state an external system reported for one user. */
export interface DesiredState {
  /** Genesys target (`systemPresence` name or secondary label); null = skip (record, write nothing). */
  readonly target: string | null;
  readonly message: string;
  /** Raw values the source reported, kept for the CLI and for re-mapping. */
  readonly values: Readonly<Record<string, string>>;
  /** The source's own order (timestamp ms) and tie-break: "latest state wins" compares these… */
  readonly order: number;
  readonly tiebreak: number;
  /** …unless this and the other state both have a sequence (see `isNewer`). */
  readonly sequence?: string;
  readonly recordedAt: string;
}

/** What the bridge last wrote to (or confirmed in) Genesys for this user and source. */
export interface AppliedState {
  readonly definitionId: string;
  readonly target: string;
  readonly message: string;
  /** The desired state's order/tiebreak/sequence this corresponds to. */
  readonly order: number;
  readonly tiebreak: number;
  readonly sequence?: string;
  readonly appliedAt: string;
  readonly genesysUserId: string;
  readonly sourceId: string;
}

export const RECORD_STATUSES = ['pending', 'applied', 'skipped', 'unmatched', 'parked', 'failed'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

export interface UserStateRecord {
  readonly key: StateKey;
  readonly email?: string;
  readonly genesysUserId?: string;
  readonly desired: DesiredState;
  readonly applied?: AppliedState;
  /** pending: desired not yet handled; parked: waiting until `retryAt` (e.g. a daily Genesys quota). */
  readonly status: RecordStatus;
  /** Why the record is unmatched, parked or failed, in words an operator can act on. */
  readonly detail?: string;
  readonly retryAt?: string;
  readonly updatedAt: string;
}

/** recorded: stored as the new desired state; stale: older than what is stored; duplicate: same order. */
export type RecordOutcome = 'recorded' | 'stale' | 'duplicate';

/** The version of a desired state a worker acted on; outcomes are only stored while it is still current. */
export interface DesiredVersion {
  readonly order: number;
  readonly tiebreak: number;
  /** Absent for sources (and old records) without one. */
  readonly sequence?: string;
}

export interface StatusUpdate {
  readonly status: Exclude<RecordStatus, 'pending'>;
  readonly detail?: string;
  readonly retryAt?: string;
  readonly genesysUserId?: string;
  /** Drop the remembered Genesys user id (it turned out to be gone), so the next attempt matches again. */
  readonly forgetGenesysUser?: boolean;
  /** The external user's email, when the worker learned it from a directory: remembered with the record. */
  readonly email?: string;
}

/** Small JSON documents with optimistic concurrency (version starts at 1). */
export interface DocumentStore {
  getDocument<T>(name: string): Promise<{ value: T; version: number } | undefined>;
  /** Writes when the stored version equals `expectedVersion` (undefined = must not exist). Returns false on conflict. */
  putDocument<T>(name: string, value: T, expectedVersion?: number): Promise<boolean>;
}

export interface StateStore extends DocumentStore {
  /**
   * Conditional write of the desired state: stored only when (order, tiebreak) is greater than what is
   * stored. Sets status to pending. The email, when given, is remembered with the record.
   */
  recordDesired(key: StateKey, desired: DesiredState, email?: string): Promise<RecordOutcome>;
  get(key: StateKey): Promise<UserStateRecord | undefined>;
  /**
   * Records what was written to Genesys. Status becomes `applied` only if the desired state is still
   * `forVersion`; if a newer desired state arrived meanwhile, the applied state is stored but status stays pending.
   * `email`, when given, is remembered with the record (one the worker learned from a directory).
   */
  markApplied(key: StateKey, applied: AppliedState, forVersion: DesiredVersion, email?: string): Promise<void>;
  /** Records skipped/unmatched/parked/failed, only if the desired state is still `forVersion`. */
  markStatus(key: StateKey, update: StatusUpdate, forVersion: DesiredVersion): Promise<void>;
  /**
   * Keys that are pending, or parked with `retryAt` ≤ now: what a restart or the maintainer must finish.
   * A key marked queued (`markQueued`) is left out until its mark passes, so the maintainer does not add
   * a second message for a key whose message is still in the queue.
   */
  listUnfinished(now: Date): Promise<StateKey[]>;
  /**
   * Remembers that a message for this key is in the queue until `untilMs` (epoch ms): `listUnfinished`
   * leaves the key out until then. Only ever pushes the mark later, and only for an unfinished key; a
   * newer desired state or a recorded outcome clears it. The embedded store keeps the mark in memory, as
   * its queue is in memory too: after a restart every unfinished key is listed again.
   */
  markQueued(key: StateKey, untilMs: number): Promise<void>;
  /**
   * Claims the right to write this key to Genesys for `leaseMs`, so at most one worker applies a key at a
   * time (an older write landing after a newer one would leave Genesys stale). True when claimed: no other
   * unexpired claim exists (the same `claimant` may claim again, extending its lease). False when another
   * worker holds the key or there is no record.
   */
  claimApply(key: StateKey, claimant: string, leaseMs: number): Promise<boolean>;
  /** Ends `claimant`'s claim on the key; does nothing when the claim is not (or no longer) its own. */
  releaseApply(key: StateKey, claimant: string): Promise<void>;
  /** Records for the CLI, optionally filtered by system and/or email (case-insensitive). */
  list(filter?: { system?: SystemName; email?: string; status?: RecordStatus }): Promise<UserStateRecord[]>;
  /**
   * Resolves when the store can durably write right now; rejects with a StoreError saying why not.
   * Behind `GET /healthz` (503 when it rejects), so it must be cheap and must not grow the state.
   */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Compares sequences by their UTF-8 bytes, the order DynamoDB uses for strings in a
 * ConditionExpression (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Comparators),
 * so both stores agree even beyond ASCII.
 */
export function compareSequences(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * True when `a` is strictly newer than `b` by the source's own ordering: by `sequence` when both have
 * one (Graph presence `sequenceNumber` is "lexicographically sortable",
 * https://learn.microsoft.com/graph/api/resources/presence), otherwise by (order, tiebreak).
 */
export function isNewer(a: DesiredVersion, b: DesiredVersion): boolean {
  if (a.sequence !== undefined && b.sequence !== undefined) return compareSequences(a.sequence, b.sequence) > 0;
  return a.order > b.order || (a.order === b.order && a.tiebreak > b.tiebreak);
}
