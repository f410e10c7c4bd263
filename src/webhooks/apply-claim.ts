/**
 * At most one worker writes a key to Genesys at a time. On AWS several worker Lambdas run at once and
 * SQS (a standard queue, at-least-once) can hand two of them messages for the same key; without this an
 * older PATCH that lands after a newer one leaves Genesys stale while the record says `applied`.
 *
 * A worker claims the key in the store (`StateStore.claimApply`, a conditional write with a lease),
 * reads the record only after it holds the claim, applies, and reads again: when a newer desired state
 * arrived during the write, the key is still pending and the same worker applies it too before
 * releasing. A worker that finds the key claimed asks to be retried shortly: the holder may have made
 * its last check just before the newer state arrived.
 */
import { randomUUID } from 'node:crypto';
import { describeError } from '../errors';
import type { WorkResult } from '../queue/key-queue';
import { formatKey, type StateKey, type UserStateRecord } from '../store/state-store';
import type { WorkerDeps } from './worker';

/** Lease when the composition root gives none: longer than any local pass (retries included) can take. */
export const DEFAULT_CLAIM_LEASE_MS = 15 * 60_000;
/** How soon a worker that found the key claimed looks again. */
export const CLAIM_BUSY_RETRY_MS = 2_000;
/** Passes one claim may make while newer states keep arriving, before yielding with a short retry. */
export const MAX_PASSES_PER_CLAIM = 3;
/**
 * How long after a retried message is due again the maintainer still trusts it to be in the queue. Long
 * enough for a backlog to drain at the Genesys budget (2,000 keys at 300 requests a minute take about
 * 7 minutes); short enough that a message that went to the dead-letter queue is replaced soon.
 */
export const QUEUED_GRACE_MS = 15 * 60_000;

/** The worker's parts a claim needs (its `claimLeaseMs`: on AWS the invocation's remaining time plus a margin). */
export type ClaimDeps = Pick<WorkerDeps, 'store' | 'logger' | 'now' | 'claimLeaseMs'>;

const DONE: WorkResult = { kind: 'done' };

/**
 * Runs `applyRecord` on the key's latest record while holding the key's claim, until the key needs no
 * more work. `needsWork` is checked before claiming too, so a duplicate message costs one read, no write.
 */
export async function applyUnderClaim(
  key: StateKey,
  deps: ClaimDeps,
  needsWork: (record: UserStateRecord, now: number) => boolean,
  applyRecord: (record: UserStateRecord) => Promise<WorkResult>,
): Promise<WorkResult> {
  const now = deps.now ?? Date.now;
  const first = await deps.store.get(key);
  if (!first || !needsWork(first, now())) return DONE;

  const log = deps.logger.child({ key: formatKey(key) });
  const claimant = randomUUID();
  const leaseMs = Math.max(1000, deps.claimLeaseMs?.() ?? DEFAULT_CLAIM_LEASE_MS);
  if (!(await deps.store.claimApply(key, claimant, leaseMs))) {
    log.info('another worker is applying this key; looking again shortly', { afterMs: CLAIM_BUSY_RETRY_MS });
    return { kind: 'retry', afterMs: CLAIM_BUSY_RETRY_MS };
  }
  try {
    for (let pass = 1; pass <= MAX_PASSES_PER_CLAIM; pass += 1) {
      // Read under the claim: nothing another worker wrote before can be missed.
      const record = await deps.store.get(key);
      if (!record || !needsWork(record, now())) return DONE;
      const result = await applyRecord(record);
      if (result.kind === 'retry') return result;
      // Done with this version; a newer desired state recorded meanwhile keeps the key pending: go again.
    }
    log.info('the desired state kept changing while it was written; looking again shortly');
    return { kind: 'retry', afterMs: CLAIM_BUSY_RETRY_MS };
  } finally {
    await deps.store
      .releaseApply(key, claimant)
      .catch((error) => log.warn('could not release the apply claim; it lapses with its lease', { leaseMs, error: describeError(error) }));
  }
}

/**
 * After a retry the key's message stays in the queue (SQS redelivers it after `afterMs`): tell the store,
 * so the maintainer does not add a second message meanwhile. A failure only costs a possible duplicate.
 */
export async function markStillQueued(key: StateKey, afterMs: number, deps: ClaimDeps): Promise<void> {
  const now = (deps.now ?? Date.now)();
  await deps.store
    .markQueued(key, now + Math.max(0, afterMs) + QUEUED_GRACE_MS)
    .catch((error) => deps.logger.warn('could not mark the key as queued', { key: formatKey(key), error: describeError(error) }));
}
