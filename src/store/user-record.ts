/**
 * The rules every StateStore follows for one user record, as pure functions. The embedded store runs
 * them directly; the DynamoDB store encodes the same rules as condition expressions, and the shared
 * contract suite (test/store/state-store-contract.ts) holds both to them.
 */
import { StoreError } from '../errors';
import {
  isNewer,
  type AppliedState,
  type DesiredState,
  type DesiredVersion,
  type RecordOutcome,
  type RecordStatus,
  type StateKey,
  type StatusUpdate,
  type UserStateRecord,
} from './state-store';
import type { SystemName } from '../systems';

/** The filter `StateStore.list` accepts. */
export interface RecordFilter {
  readonly system?: SystemName;
  readonly email?: string;
  readonly status?: RecordStatus;
}

/** True when both name the same desired state: same order, tiebreak and sequence (or neither has one). */
export function isSameVersion(a: DesiredVersion, b: DesiredVersion): boolean {
  return a.order === b.order && a.tiebreak === b.tiebreak && a.sequence === b.sequence;
}

/** The version part of a desired state, without an absent sequence. */
export function versionOf(desired: DesiredVersion): DesiredVersion {
  return {
    order: desired.order,
    tiebreak: desired.tiebreak,
    ...(desired.sequence !== undefined ? { sequence: desired.sequence } : {}),
  };
}

/**
 * Rejects versions that could not be compared after a round trip through JSON or DynamoDB
 * (NaN and Infinity would silently become null or be refused by the server).
 */
export function assertVersion(version: DesiredVersion, what: string): void {
  if (!Number.isFinite(version.order) || !Number.isFinite(version.tiebreak)) {
    throw new StoreError(`${what}: order and tiebreak must be finite numbers (got ${String(version.order)}, ${String(version.tiebreak)})`);
  }
  if (version.sequence !== undefined && (typeof version.sequence !== 'string' || version.sequence === '')) {
    throw new StoreError(`${what}: sequence must be a non-empty string when given (got ${JSON.stringify(version.sequence)})`);
  }
}

/** Rejects a claim lease that is not a positive, finite number of milliseconds. */
export function assertLease(leaseMs: number): void {
  if (!(leaseMs > 0) || !Number.isFinite(leaseMs)) {
    throw new StoreError(`claimApply: leaseMs must be a positive number (got ${String(leaseMs)})`);
  }
}

/** What `recordDesired` answers when `incoming` meets the version already stored (if any). */
export function decideDesired(stored: DesiredVersion | undefined, incoming: DesiredVersion): RecordOutcome {
  if (stored === undefined || isNewer(incoming, stored)) return 'recorded';
  // Both sequenced: the same sequence is the same version of the presence, whenever it was learned.
  if (stored.sequence !== undefined && incoming.sequence !== undefined) {
    return stored.sequence === incoming.sequence ? 'duplicate' : 'stale';
  }
  return stored.order === incoming.order && stored.tiebreak === incoming.tiebreak ? 'duplicate' : 'stale';
}

/** The record after a newer desired state was recorded: pending again, old outcome details dropped. */
export function withDesired(
  existing: UserStateRecord | undefined,
  key: StateKey,
  desired: DesiredState,
  email: string | undefined,
  updatedAt: string,
): UserStateRecord {
  return compact({
    key: { system: key.system, externalUserId: key.externalUserId },
    email: email ?? existing?.email,
    genesysUserId: existing?.genesysUserId,
    desired,
    applied: existing?.applied,
    status: 'pending',
    updatedAt,
  });
}

/**
 * The record after a Genesys write. The applied state is always stored, even when a newer desired
 * state arrived meanwhile: it is what Genesys now holds, and remembering an older write could only
 * cause one extra write later, while keeping a newer one that Genesys no longer holds would skip a needed one.
 */
export function withApplied(existing: UserStateRecord, applied: AppliedState, forVersion: DesiredVersion, updatedAt: string, email?: string): UserStateRecord {
  const current = isSameVersion(existing.desired, forVersion);
  return compact({
    ...existing,
    email: email ?? existing.email,
    genesysUserId: applied.genesysUserId,
    applied,
    status: current ? 'applied' : existing.status,
    detail: current ? undefined : existing.detail,
    retryAt: current ? undefined : existing.retryAt,
    updatedAt,
  });
}

/** The record after an outcome other than a write, or undefined when `forVersion` is no longer current. */
export function withStatus(
  existing: UserStateRecord | undefined,
  update: StatusUpdate,
  forVersion: DesiredVersion,
  updatedAt: string,
): UserStateRecord | undefined {
  if (existing === undefined || !isSameVersion(existing.desired, forVersion)) return undefined;
  return compact({
    ...existing,
    email: update.email ?? existing.email,
    genesysUserId: update.forgetGenesysUser ? undefined : (update.genesysUserId ?? existing.genesysUserId),
    status: update.status,
    detail: update.detail,
    retryAt: update.retryAt,
    updatedAt,
  });
}

/**
 * Epoch ms from which an unfinished record is due, or undefined when it is finished. Pending is due at
 * once (0). A parked record without `retryAt` is also due at once: nothing says how long to wait, and
 * "nothing is lost" (docs/architecture.md) matters more than one early retry.
 */
export function dueAt(status: RecordStatus, retryAt: string | undefined): number | undefined {
  if (status === 'pending') return 0;
  if (status !== 'parked') return undefined;
  const at = retryAt === undefined ? NaN : Date.parse(retryAt);
  return Number.isNaN(at) ? 0 : at;
}

/** True when a restart or the maintainer must still finish this record at `now`. */
export function isUnfinished(record: UserStateRecord, now: Date): boolean {
  const due = dueAt(record.status, record.retryAt);
  return due !== undefined && due <= now.getTime();
}

/** `list` filtering: system and status exactly, email case-insensitively. */
export function matchesFilter(record: UserStateRecord, filter: RecordFilter | undefined): boolean {
  if (filter === undefined) return true;
  if (filter.system !== undefined && record.key.system !== filter.system) return false;
  if (filter.status !== undefined && record.status !== filter.status) return false;
  if (filter.email !== undefined && record.email?.toLowerCase() !== filter.email.toLowerCase()) return false;
  return true;
}

/** Sorts in place for stable CLI and test output: by system, then external user id. */
export function sortRecords<T extends { readonly key: StateKey }>(records: T[]): T[] {
  return records.sort((a, b) => compareText(a.key.system, b.key.system) || compareText(a.key.externalUserId, b.key.externalUserId));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Drops undefined properties, so records look the same live, after a restart and from DynamoDB. */
function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (field !== undefined) out[name] = field;
  }
  return out as T;
}
