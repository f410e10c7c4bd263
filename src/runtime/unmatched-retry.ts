/**
 * Retries users recorded as `unmatched` when something that decides the match changed: the Genesys
 * user directory (listed by the maintainer at most every GENESYS_DIRECTORY_REFRESH_MINUTES) or
 * USER_MAPPING_FILE (size/mtime, then content). Without this an unmatched user stayed unmatched until
 * their next presence change, however long ago the Genesys account was created (docs/genesys.md).
 *
 * Cheap by design:
 * - nothing is looked at unless the mapping file changed or a directory listing is due (and the
 *   listing is skipped while nobody is unmatched);
 * - only keys that would now match are re-opened, judged from the listing and the overrides without
 *   any Genesys request (the worker then finds the user in the cache the listing filled);
 * - at most `batchSize` keys are re-opened per run; the rest continue on the next run, from a cursor
 *   kept in the store, so a large backlog never floods the queue or the Genesys budget.
 * A re-opened key is `parked` and due now, so the worker (and a restart) handles it like any other
 * unfinished key.
 */
import { createHash } from 'node:crypto';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import { applyMessage, type KeyQueue } from '../queue/key-queue';
import { formatKey, type StateStore, type UserStateRecord } from '../store/state-store';
import type { SystemName } from '../systems';
import type { UserMappingOverrides } from '../users/user-mapping-file';
import type { BridgeParts } from './bridge';
import type { MaintenanceStep } from './maintenance';
import type { UserMappingSource } from '../users/user-mapping-source';
import type { EmailDirectory } from '../users/user-resolver';

export const UNMATCHED_RETRY_DOCUMENT = 'unmatched-retry';

/** What the document `unmatched-retry` holds. */
export interface UnmatchedRetryDocument {
  readonly genesysDirectory?: { readonly fingerprint: string; readonly refreshedAt: string; readonly users: number };
  /** Fingerprint of USER_MAPPING_FILE when last seen (`none` without a file). */
  readonly userMapping?: string;
  /** A retry still in progress: unmatched records last updated at or before `since`, after `after`. */
  readonly pending?: { readonly since: string; readonly reason: string; readonly after?: string };
}

export interface UnmatchedRetryDeps {
  readonly store: StateStore;
  /**
   * Where re-opened keys are enqueued. Leave it out inside runMaintenance: its requeue of unfinished
   * keys, right after the steps, enqueues them (once, which matters on SQS).
   */
  readonly queue?: KeyQueue;
  /** Every active Genesys user by lower-cased email (GenesysUsers.listAll, which also fills the lookup cache). */
  readonly listGenesysUsers: () => Promise<ReadonlyMap<string, string>>;
  readonly userMapping?: UserMappingSource;
  /** Used when there is no `userMapping` source. */
  readonly overrides?: UserMappingOverrides;
  readonly directories?: Partial<Record<SystemName, EmailDirectory>>;
  readonly logger: Logger;
  readonly now: () => number;
  /** Minutes between directory listings; default 60. */
  readonly refreshMinutes?: number;
  /** Keys re-opened per run at most (default 200); 20 times as many records are examined at most. */
  readonly batchSize?: number;
}

export interface UnmatchedRetryReport {
  readonly directoryRefreshed: boolean;
  readonly reasons: readonly string[];
  readonly examined: number;
  readonly reopened: number;
  /** True when more unmatched records remain to be looked at on the next run. */
  readonly more: boolean;
}

/** Order-independent fingerprint of a directory listing. */
export function fingerprintDirectory(users: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const entry of [...users].map(([email, id]) => `${email}\u0000${id}`).sort()) hash.update(entry).update('\n');
  return hash.digest('hex');
}

/** Keeps the last listing of this process, so a continued retry needs no second listing. */
export function createUnmatchedRetry(deps: UnmatchedRetryDeps) {
  let lastListing: ReadonlyMap<string, string> | undefined;
  const log = deps.logger.child({ component: 'unmatched-retry' });

  const overrides = (): UserMappingOverrides => deps.userMapping?.current() ?? deps.overrides ?? { byKey: new Map(), byEmail: new Map() };

  const emailOf = async (record: UserStateRecord): Promise<string | undefined> => {
    if (record.email) return record.email.toLowerCase();
    try {
      return (await deps.directories?.[record.key.system]?.(record.key))?.toLowerCase();
    } catch (error) {
      log.debug('directory lookup failed; the key is looked at again on the next retry', { key: formatKey(record.key), error: describeError(error) });
      return undefined;
    }
  };

  /**
   * True when the user resolver would now find an existing Genesys user for this record, judged from
   * the listing (no Genesys request). An override naming a user id counts only while that id exists,
   * so a mapping to a deleted user is not retried over and over.
   */
  const couldMatch = async (record: UserStateRecord, directory: ReadonlyMap<string, string>, ids: ReadonlySet<string>): Promise<boolean> => {
    const current = overrides();
    const byKey = current.byKey.get(formatKey(record.key));
    const email = byKey ? undefined : await emailOf(record);
    const ref = byKey ?? (email ? current.byEmail.get(email) : undefined);
    if (ref) return ref.kind === 'id' ? ids.has(ref.id) : directory.has(ref.email);
    return email !== undefined && directory.has(email);
  };

  return async function retryUnmatched(): Promise<UnmatchedRetryReport> {
    const now = deps.now();
    const stored = await deps.store.getDocument<UnmatchedRetryDocument>(UNMATCHED_RETRY_DOCUMENT);
    const previous = stored?.value ?? {};
    const next: { -readonly [K in keyof UnmatchedRetryDocument]: UnmatchedRetryDocument[K] } = { ...previous };
    const reasons: string[] = [];

    // USER_MAPPING_FILE: reloaded here (local bridge), compared with what the store saw (any process, restarts, deploys).
    deps.userMapping?.reloadIfChanged();
    const mapping = deps.userMapping?.fingerprint() ?? 'none';
    if (previous.userMapping !== undefined ? previous.userMapping !== mapping : mapping !== 'none') {
      reasons.push('USER_MAPPING_FILE changed');
    }
    next.userMapping = mapping;

    // The Genesys user directory, listed at most every refreshMinutes, and only while someone is unmatched.
    const refreshMs = (deps.refreshMinutes ?? 60) * 60_000;
    const lastRefresh = previous.genesysDirectory ? Date.parse(previous.genesysDirectory.refreshedAt) : NaN;
    const due = !(now - lastRefresh < refreshMs);
    let unmatched: UserStateRecord[] | undefined;
    let directoryRefreshed = false;
    if (due) {
      unmatched = await deps.store.list({ status: 'unmatched' });
      if (unmatched.length > 0) {
        lastListing = await deps.listGenesysUsers();
        directoryRefreshed = true;
        const fingerprint = fingerprintDirectory(lastListing);
        // Even an unchanged listing is worth one pass: the systems' own directories (Teams object id,
        // RingCentral extension → email) are refreshed on their own schedules and may now know an email.
        reasons.push(previous.genesysDirectory?.fingerprint !== fingerprint ? 'the Genesys user directory changed' : 'directories refreshed');
        next.genesysDirectory = { fingerprint, refreshedAt: new Date(now).toISOString(), users: lastListing.size };
      }
    }

    if (reasons.length > 0) next.pending = { since: new Date(now).toISOString(), reason: reasons.join('; ') };

    let examined = 0;
    let reopened = 0;
    let more = false;
    const pending = next.pending;
    if (pending) {
      unmatched ??= await deps.store.list({ status: 'unmatched' });
      if (unmatched.length > 0) lastListing ??= await deps.listGenesysUsers();
      const directory = lastListing ?? new Map<string, string>();
      const ids = new Set(directory.values());
      const since = Date.parse(pending.since);
      const batchSize = deps.batchSize ?? 200;
      const examineLimit = batchSize * 20;
      // Records marked unmatched after `since` already saw the change: re-opening them again would loop.
      const candidates = unmatched
        .filter((record) => !(Date.parse(record.updatedAt) > since))
        .filter((record) => pending.after === undefined || formatKey(record.key) > pending.after)
        .sort((a, b) => (formatKey(a.key) < formatKey(b.key) ? -1 : formatKey(a.key) > formatKey(b.key) ? 1 : 0));
      const keys = [];
      let last: string | undefined;
      for (const record of candidates) {
        if (reopened >= batchSize || examined >= examineLimit) {
          more = true;
          break;
        }
        examined += 1;
        last = formatKey(record.key);
        if (!(await couldMatch(record, directory, ids))) continue;
        await deps.store.markStatus(
          record.key,
          { status: 'parked', retryAt: new Date(now).toISOString(), detail: `retrying the user match: ${pending.reason}` },
          { order: record.desired.order, tiebreak: record.desired.tiebreak },
        );
        keys.push(record.key);
        reopened += 1;
      }
      if (keys.length > 0 && deps.queue) await deps.queue.enqueue(keys.map(applyMessage));
      next.pending = more ? { ...pending, after: last } : undefined;
      if (reopened > 0 || more) log.info('retrying unmatched users', { reason: pending.reason, examined, reopened, more });
    }

    const saved = await deps.store.putDocument(UNMATCHED_RETRY_DOCUMENT, dropUndefined(next), stored?.version);
    if (!saved) log.info('unmatched-retry document changed concurrently; the other run keeps its state');
    return { directoryRefreshed, reasons, examined, reopened, more };
  };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** One-line summary for the maintenance report. */
export function describeUnmatchedRetry(report: UnmatchedRetryReport): string {
  const parts = [report.directoryRefreshed ? 'Genesys directory listed' : 'directory listing not due'];
  if (report.reasons.length > 0) parts.push(report.reasons.join('; '));
  if (report.examined > 0) parts.push(`${report.reopened} of ${report.examined} unmatched user(s) retried${report.more ? ', more next run' : ''}`);
  return parts.join(', ');
}

/** The maintenance step: runs after the per-system directory refreshes, before the requeue of unfinished keys. */
export function unmatchedRetryStep(parts: BridgeParts, directories: Partial<Record<SystemName, EmailDirectory>>): MaintenanceStep {
  const retry = createUnmatchedRetry({
    store: parts.store,
    listGenesysUsers: () => parts.genesys.users.listAll(),
    userMapping: parts.userMapping,
    overrides: parts.overrides,
    directories,
    logger: parts.logger,
    now: parts.now,
    refreshMinutes: parts.config.genesys.directoryRefreshMinutes,
  });
  return { name: 'retry-unmatched', run: async () => describeUnmatchedRetry(await retry()) };
}
