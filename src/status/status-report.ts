/**
 * The status page's data, the same for its HTML and JSON forms: per system its Genesys source, feed
 * health, last event and counts by status; then one page of user rows, filtered. Read from the store
 * (one listing, so counts and rows agree) and, only when asked, the primary sources from Genesys.
 * Never carries secrets: records hold none, and the feed health leaves out token hashes.
 */
import type { MetricsSnapshot } from '../metrics/memory-metrics';
import { SOURCES_DOCUMENT, type SourcesDocument } from '../genesys/sources';
import { RECORD_STATUSES, type RecordStatus, type StateStore, type UserStateRecord } from '../store/state-store';
import { SYSTEM_LABELS, SYSTEMS, type SystemName } from '../systems';
import { readFeedHealth, type FeedHealth, type FeedSettings } from './feed-health';
import { PRIMARY_LOOKUP_LIMIT, type PrimarySourceReader } from './primary-sources';
import type { StatusQuery } from './status-query';

export interface StatusReportDeps {
  readonly store: StateStore;
  /** The configured source names (GENESYS_SOURCE_NAME_*), shown until the source document exists. */
  readonly sourceNames: Readonly<Record<SystemName, string>>;
  readonly feeds: FeedSettings;
  /** Absent: primary sources cannot be read here (the page says so). */
  readonly primarySources?: PrimarySourceReader;
  readonly now: () => number;
  /** The process's counters since start (local bridge); absent on AWS, where CloudWatch has them. */
  readonly counters?: () => MetricsSnapshot;
}

export interface SystemStatus {
  readonly system: SystemName;
  readonly label: string;
  /** The bridge's custom presence source in Genesys; `id` is absent until it was created or found. */
  readonly source: { readonly name: string; readonly id?: string };
  readonly feed: FeedHealth;
  /** When the latest event of this system was recorded (ISO), if any. */
  readonly lastEventAt?: string;
  /** When the bridge last wrote a state of this system to Genesys (ISO), if ever. */
  readonly lastAppliedAt?: string;
  readonly users: number;
  readonly counts: Readonly<Record<RecordStatus, number>>;
}

export interface UserRow {
  readonly system: SystemName;
  readonly externalUserId: string;
  readonly email?: string;
  readonly genesysUserId?: string;
  /** What the source reported last; `target` null means "skip" (recorded, nothing written). */
  readonly desired: { readonly target: string | null; readonly message: string; readonly at: string; readonly recordedAt: string };
  readonly applied?: { readonly target: string; readonly message: string; readonly appliedAt: string; readonly at: string };
  readonly status: RecordStatus;
  readonly detail?: string;
  readonly retryAt?: string;
  /** Applied time minus the source's own time of the state that was applied (ms), when known. */
  readonly lagMs?: number;
  /** Present only when the primary sources were read (`?primary=1`). */
  readonly primarySource?: string;
}

export interface StatusReport {
  readonly generatedAt: string;
  readonly systems: readonly SystemStatus[];
  readonly filters: StatusQuery;
  readonly users: {
    /** Users recorded, all systems. */
    readonly total: number;
    /** Users matching the filters (before paging). */
    readonly matching: number;
    readonly offset: number;
    readonly limit: number;
    readonly rows: readonly UserRow[];
  };
  /** Whether primary sources were read, for how many rows, and why not for the others. */
  readonly primarySources: { readonly requested: boolean; readonly read: number; readonly note?: string };
  /** Counters since this process started (README "What to watch" names each); only where they are kept. */
  readonly counters?: MetricsSnapshot;
}

function emptyCounts(): Record<RecordStatus, number> {
  return Object.fromEntries(RECORD_STATUSES.map((status) => [status, 0])) as Record<RecordStatus, number>;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function matchesQuery(record: UserStateRecord, query: StatusQuery): boolean {
  if (query.system && record.key.system !== query.system) return false;
  if (query.status && record.status !== query.status) return false;
  if (query.text) {
    const needle = query.text.toLowerCase();
    const haystack = (record.email ?? record.key.externalUserId).toLowerCase();
    if (!haystack.includes(needle)) return false;
  }
  return true;
}

function toRow(record: UserStateRecord): UserRow {
  const applied = record.applied;
  const appliedMs = applied ? Date.parse(applied.appliedAt) : NaN;
  const lag = applied && Number.isFinite(appliedMs) && Number.isFinite(applied.order) ? appliedMs - applied.order : undefined;
  return {
    system: record.key.system,
    externalUserId: record.key.externalUserId,
    ...(record.email !== undefined ? { email: record.email } : {}),
    ...((record.genesysUserId ?? applied?.genesysUserId) ? { genesysUserId: record.genesysUserId ?? applied?.genesysUserId } : {}),
    desired: {
      target: record.desired.target,
      message: record.desired.message,
      at: iso(record.desired.order),
      recordedAt: record.desired.recordedAt,
    },
    ...(applied ? { applied: { target: applied.target, message: applied.message, appliedAt: applied.appliedAt, at: iso(applied.order) } } : {}),
    status: record.status,
    ...(record.detail !== undefined ? { detail: record.detail } : {}),
    ...(record.retryAt !== undefined ? { retryAt: record.retryAt } : {}),
    ...(lag !== undefined ? { lagMs: Math.max(0, lag) } : {}),
  };
}

/** Collects the report for one request. */
export async function collectStatusReport(deps: StatusReportDeps, query: StatusQuery): Promise<StatusReport> {
  const now = deps.now();
  const records = await deps.store.list();
  const remembered = (await deps.store.getDocument<SourcesDocument>(SOURCES_DOCUMENT))?.value.sources ?? {};
  const feeds = await readFeedHealth(deps.store, deps.feeds, now);

  const perSystem = new Map<SystemName, { counts: Record<RecordStatus, number>; users: number; lastEventAt?: string; lastAppliedAt?: string }>(
    SYSTEMS.map((system) => [system, { counts: emptyCounts(), users: 0 }]),
  );
  const matching: UserStateRecord[] = [];
  for (const record of records) {
    const entry = perSystem.get(record.key.system);
    if (entry) {
      entry.users += 1;
      entry.counts[record.status] = (entry.counts[record.status] ?? 0) + 1;
      entry.lastEventAt = later(entry.lastEventAt, record.desired.recordedAt);
      entry.lastAppliedAt = later(entry.lastAppliedAt, record.applied?.appliedAt);
    }
    if (matchesQuery(record, query)) matching.push(record);
  }

  const systems: SystemStatus[] = SYSTEMS.map((system) => {
    const entry = perSystem.get(system)!;
    const source = remembered[system];
    return {
      system,
      label: SYSTEM_LABELS[system],
      source: source ? { name: source.name, id: source.id } : { name: deps.sourceNames[system] },
      feed: feeds[system],
      ...(entry.lastEventAt ? { lastEventAt: entry.lastEventAt } : {}),
      ...(entry.lastAppliedAt ? { lastAppliedAt: entry.lastAppliedAt } : {}),
      users: entry.users,
      counts: entry.counts,
    };
  });

  let rows = matching.slice(query.offset, query.offset + query.limit).map(toRow);
  let primarySources: StatusReport['primarySources'] = { requested: false, read: 0 };
  if (query.primary) {
    const ids = [...new Set(rows.map((row) => row.genesysUserId).filter((id): id is string => id !== undefined))];
    if (!deps.primarySources) {
      primarySources = { requested: true, read: 0, note: 'primary sources cannot be read here' };
    } else {
      const names = await deps.primarySources.read(ids, PRIMARY_LOOKUP_LIMIT);
      rows = rows.map((row) => (row.genesysUserId && names.has(row.genesysUserId) ? { ...row, primarySource: names.get(row.genesysUserId) } : row));
      primarySources = {
        requested: true,
        read: names.size,
        ...(ids.length > names.size
          ? {
              note: `read for the first ${PRIMARY_LOOKUP_LIMIT} Genesys users of this page only, to spare the Genesys request budget; narrow the filters or page with limit=${PRIMARY_LOOKUP_LIMIT}`,
            }
          : {}),
      };
    }
  }

  return {
    generatedAt: iso(now),
    systems,
    filters: query,
    users: { total: records.length, matching: matching.length, offset: query.offset, limit: query.limit, rows },
    primarySources,
    ...(deps.counters ? { counters: deps.counters() } : {}),
  };
}
