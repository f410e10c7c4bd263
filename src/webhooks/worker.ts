/**
 * The worker: key → desired vs applied → at most one Genesys write → record the outcome
 * (docs/architecture.md).
 * Because it always applies the *latest* desired state, duplicates, replays and bursts collapse by
 * themselves, and a restart is safe (the store lists what is unfinished).
 */
import { describeError } from '../errors';
import type { Logger } from '../logger';
import { noopMetrics, type Metrics } from '../metrics/metrics';
import type { QueueMessage, WorkResult } from '../queue/key-queue';
import { formatKey, type DesiredVersion, type StateKey, type StateStore, type UserStateRecord } from '../store/state-store';
import { versionOf } from '../store/user-record';
import type { SystemName } from '../systems';
import type { UserMatch } from '../users/user-resolver';
import { applyUnderClaim, markStillQueued } from './apply-claim';

/** How a failed Genesys call should be treated; the composition root maps client errors onto this. */
export type GenesysFailure =
  | { readonly kind: 'parked'; readonly retryAt: Date; readonly detail: string }
  | { readonly kind: 'retryable'; readonly afterMs: number; readonly detail: string }
  | { readonly kind: 'source-gone'; readonly detail: string }
  | { readonly kind: 'user-gone'; readonly detail: string }
  | { readonly kind: 'permanent'; readonly detail: string };

/** The part of the Genesys client the worker needs. */
export interface GenesysPort {
  sourceIdFor(system: SystemName): Promise<string>;
  /** Forget remembered source ids so the next call re-ensures them (after a 404 on the source). */
  forgetSources(): void;
  /** `refresh`: reload the organization's definitions first (after a write refused a definition id). */
  resolveDefinition(target: string, options?: { readonly refresh?: boolean }): Promise<{ readonly id: string } | undefined>;
  /** Forget what was cached about a Genesys user that turned out to be gone, so the next match asks again. */
  forgetUser?(genesysUserId: string): void;
  setSourcePresence(userId: string, sourceId: string, definitionId: string, message: string): Promise<void>;
  classify(error: unknown): GenesysFailure;
}

/** Handles source-specific tasks (e.g. read Teams presence after a basic notification). */
export type TaskRunner = (message: Extract<QueueMessage, { kind: 'task' }>) => Promise<WorkResult>;

export interface WorkerDeps {
  readonly store: StateStore;
  readonly genesys: GenesysPort;
  readonly resolveUser: (key: StateKey, email?: string) => Promise<UserMatch>;
  readonly taskRunners?: Partial<Record<SystemName, TaskRunner>>;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Lease of a worker's claim on a key (see apply-claim.ts); undefined: the default, 15 min. */
  readonly claimLeaseMs?: () => number | undefined;
  /** Writes, failures, parked and unmatched keys, and the lag of each write; nothing when absent. */
  readonly metrics?: Metrics;
}

const DONE: WorkResult = { kind: 'done' };
/** Longest delay one retry waits before the key is looked at again (SQS allows 15 min). */
const MAX_RETRY_DELAY_MS = 15 * 60 * 1000;

/** Handles one queue message. Never throws for Genesys failures: it returns `retry` or records the outcome. */
export async function processMessage(message: QueueMessage, deps: WorkerDeps): Promise<WorkResult> {
  if (message.kind === 'task') {
    const runner = deps.taskRunners?.[message.system];
    if (!runner) {
      deps.logger.warn('no task runner for system; task dropped', { system: message.system, task: message.task });
      return DONE;
    }
    return runner(message);
  }
  const result = await applyKey(message.key, deps);
  if (result.kind === 'retry') await markStillQueued(message.key, result.afterMs, deps);
  return result;
}

function needsWork(record: UserStateRecord, now: number): boolean {
  if (record.status === 'pending') return true;
  if (record.status === 'parked') return !record.retryAt || Date.parse(record.retryAt) <= now;
  return false;
}

/** Applies the latest desired state of one key, holding the key's claim (one writer per key at a time). */
export function applyKey(key: StateKey, deps: WorkerDeps): Promise<WorkResult> {
  return applyUnderClaim(key, deps, needsWork, (record) => applyRecord(key, record, deps));
}

async function applyRecord(key: StateKey, record: UserStateRecord, deps: WorkerDeps): Promise<WorkResult> {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ key: formatKey(key) });
  const metrics = deps.metrics ?? noopMetrics;

  const { desired } = record;
  const version = versionOf(desired);

  if (desired.target === null) {
    await deps.store.markStatus(key, { status: 'skipped', detail: `"${desired.message}" maps to skip` }, version);
    return DONE;
  }

  let genesysUserId = record.genesysUserId;
  /** An email the record lacks and the match found (a directory's): remembered with the outcome. */
  let email: string | undefined;
  if (!genesysUserId) {
    const matched = await matchUser(key, record, deps, log);
    if ('kind' in matched) return matched;
    ({ genesysUserId, email } = matched);
  }

  const unresolvable = async (): Promise<WorkResult> => {
    const detail = `mapping target "${desired.target}" matches no active presence definition in this Genesys organization; fix PRESENCE_MAPPING_FILE or add the presence`;
    log.error('unresolvable mapping target', { target: desired.target });
    metrics.count('GenesysWriteFailures', { system: key.system, reason: 'permanent' });
    await deps.store.markStatus(key, { status: 'failed', detail, genesysUserId }, version);
    return DONE;
  };

  try {
    const sourceId = await deps.genesys.sourceIdFor(key.system);
    let definition = await deps.genesys.resolveDefinition(desired.target);
    if (!definition) return await unresolvable();
    const applied = record.applied;
    const alreadyThere =
      applied !== undefined &&
      applied.definitionId === definition.id &&
      applied.message === desired.message &&
      applied.sourceId === sourceId &&
      applied.genesysUserId === genesysUserId;
    if (!alreadyThere) {
      try {
        await deps.genesys.setSourcePresence(genesysUserId, sourceId, definition.id, desired.message);
      } catch (error) {
        // A 404 while the source exists may mean the definition id is gone (an org-defined presence
        // deleted and re-created gets a new id), not the user: re-resolve the definitions, retry once,
        // and only then treat the user as gone (docs/genesys.md, "Troubleshooting").
        const failure = deps.genesys.classify(error);
        if (failure.kind !== 'user-gone') throw error;
        const fresh = await deps.genesys.resolveDefinition(desired.target, { refresh: true });
        if (!fresh) return await unresolvable();
        log.warn('presence write refused; presence definitions re-resolved, retrying once', {
          target: desired.target,
          genesysUserId,
          definitionId: fresh.id,
          previousDefinitionId: definition.id,
          detail: failure.detail,
        });
        definition = fresh;
        await deps.genesys.setSourcePresence(genesysUserId, sourceId, definition.id, desired.message);
      }
      log.info('presence written', { target: desired.target, genesysUserId });
      metrics.count('GenesysWrites', { system: key.system });
      // End-to-end lag: the vendor's own time of the state → now, when it is written. One value per write,
      // so CloudWatch can compute p50/p99. `order` is epoch ms for every source (docs/architecture.md).
      const lag = now() - desired.order;
      if (desired.order > 1e12 && lag >= 0) metrics.timing('PresenceLag', lag, { system: key.system });
    }
    await deps.store.markApplied(
      key,
      {
        definitionId: definition.id,
        target: desired.target,
        message: desired.message,
        ...version,
        appliedAt: new Date(now()).toISOString(),
        genesysUserId,
        sourceId,
      },
      version,
      email,
    );
    return DONE;
  } catch (error) {
    return retryAfterFailure(error, key, version, deps, log, genesysUserId);
  }
}

/**
 * The Genesys user of a record that has none yet, with an email the record lacks and the match found;
 * or the work's result when there is none to write to (unmatched, or the lookup failed).
 */
async function matchUser(
  key: StateKey,
  record: UserStateRecord,
  deps: WorkerDeps,
  log: Logger,
): Promise<{ genesysUserId: string; email?: string } | WorkResult> {
  const version = versionOf(record.desired);
  let match: UserMatch;
  try {
    match = await deps.resolveUser(key, record.email);
  } catch (error) {
    return retryAfterFailure(error, key, version, deps, log);
  }
  const email = record.email === undefined ? match.email : undefined;
  if (match.kind === 'matched') return { genesysUserId: match.genesysUserId, email };
  // Recorded and reported; retried when the Genesys directory or USER_MAPPING_FILE changes, or on
  // the user's next event — never in a loop (docs/genesys.md, "Unmatched users").
  log.warn('unmatched user', { reason: match.reason });
  (deps.metrics ?? noopMetrics).count('UnmatchedUsers', { system: key.system });
  await deps.store.markStatus(key, { status: 'unmatched', detail: match.reason, email }, version);
  return DONE;
}

async function retryAfterFailure(
  error: unknown,
  key: StateKey,
  version: DesiredVersion,
  deps: WorkerDeps,
  log: Logger,
  genesysUserId?: string,
): Promise<WorkResult> {
  const failure = deps.genesys.classify(error);
  const now = (deps.now ?? Date.now)();
  const metrics = deps.metrics ?? noopMetrics;
  if (failure.kind === 'parked') metrics.count('KeysParked', { system: key.system });
  else metrics.count('GenesysWriteFailures', { system: key.system, reason: failure.kind });
  if (failure.kind === 'user-gone') metrics.count('UnmatchedUsers', { system: key.system });
  switch (failure.kind) {
    case 'parked': {
      // A long Retry-After (daily quota): park instead of sleeping; the maintainer re-enqueues when due.
      log.warn('Genesys asked to wait long; key parked', { retryAt: failure.retryAt.toISOString(), detail: failure.detail });
      await deps.store.markStatus(key, { status: 'parked', detail: failure.detail, retryAt: failure.retryAt.toISOString(), genesysUserId }, version);
      return { kind: 'retry', afterMs: Math.min(MAX_RETRY_DELAY_MS, Math.max(1000, failure.retryAt.getTime() - now)) };
    }
    case 'retryable':
      log.warn('Genesys write delayed; will retry', { afterMs: failure.afterMs, detail: failure.detail });
      return { kind: 'retry', afterMs: Math.min(MAX_RETRY_DELAY_MS, failure.afterMs) };
    case 'source-gone':
      log.warn('presence source vanished; re-ensuring it', { detail: failure.detail });
      deps.genesys.forgetSources();
      return { kind: 'retry', afterMs: 1000 };
    case 'user-gone':
      // The gone user id is forgotten, so a later retry (directory refresh, USER_MAPPING_FILE change,
      // a new event) matches the user again instead of writing to the same id.
      log.warn('Genesys user is gone; recorded as unmatched', { genesysUserId, detail: failure.detail });
      if (genesysUserId) deps.genesys.forgetUser?.(genesysUserId);
      await deps.store.markStatus(key, { status: 'unmatched', detail: failure.detail, forgetGenesysUser: true }, version);
      return DONE;
    case 'permanent':
      log.error('Genesys refused the write', { detail: failure.detail, error: describeError(error) });
      await deps.store.markStatus(key, { status: 'failed', detail: failure.detail, genesysUserId }, version);
      return DONE;
  }
}
