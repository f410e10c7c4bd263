/**
 * The scheduled Teams work (part of the maintainer, docs/architecture.md), in one run:
 * 1. refresh the objectId → email directory when it is older than TEAMS_DIRECTORY_REFRESH_MINUTES,
 *    deciding again which users are covered (enabled, in TEAMS_USER_GROUP_ID, with a Genesys user:
 *    directory.ts, coverage.ts);
 * 2. subscription mode: assign the covered users to the signed-in service accounts (≤650 each),
 *    create, renew or re-create each account's subscription, and drop subscriptions of removed accounts
 *    (the rules: subscription-plan.ts; performed by the subscription manager, subscriptions.ts);
 * 3. both modes: reconcile EVERY covered user with getPresencesByUserId. Subscriptions can silently
 *    stop delivering for days while renewals succeed (MicrosoftDocs/msteams-docs#11452), and
 *    `missed`/`subscriptionRemoved` are not documented for presence (docs/vendors.md#teams-lifecycle-events),
 *    so reading back is the only way Genesys cannot stay stale. In polling mode this step is the whole feed.
 * Run it more often than TEAMS_SUBSCRIPTION_RENEW_BEFORE_MINUTES (e.g. every 5–10 min); in polling
 * mode every TEAMS_POLL_INTERVAL_SECONDS (polling.ts).
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { describeError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import type { PresenceEvent } from '../../presence';
import type { DocumentStore } from '../../store/state-store';
import {
  directoryEntries,
  loadTeamsDirectory,
  refreshTeamsDirectory,
  type DirectoryCoverage,
  type DirectoryEntry,
  type ResolveCoverage,
  type TeamsDirectory,
} from './directory';
import { presencesToEvents, type PresenceReader } from './presence-reader';
import type { ServiceAccounts } from './service-accounts';
import type { EnsureAction, SubscriptionManager } from './subscriptions';
import { MAX_IDS_PER_PRESENCE_READ } from './tasks';
import type { TeamsMode } from './teams-settings';

export interface MaintenanceProgress {
  readonly phase: 'directory' | 'subscriptions' | 'reconcile';
  readonly message: string;
  readonly done?: number;
  readonly total?: number;
}

export interface TeamsMaintenanceDeps {
  readonly mode: TeamsMode;
  readonly store: DocumentStore;
  /** App-only Graph client (directory). */
  readonly appGraph: Client;
  readonly graphBaseUrl: string;
  readonly readPresences: PresenceReader;
  readonly recordEvents: (events: PresenceEvent[]) => Promise<void>;
  readonly directoryMaxAgeMs: number;
  /** Subscription mode only. */
  readonly serviceAccounts?: ServiceAccounts;
  readonly subscriptions?: SubscriptionManager;
  /** Which enabled directory users the bridge covers (those with a Genesys user: coverage.ts); default: all. */
  readonly resolveCoverage?: ResolveCoverage;
  /** TEAMS_USER_GROUP_ID: only the group's transitive members are considered. */
  readonly groupId?: string;
  /**
   * The values currently recorded per Teams user (externalUserId → values). When given, reconciliation
   * only records users whose Graph presence differs, instead of one write per user per run.
   */
  readonly loadRecordedValues?: () => Promise<ReadonlyMap<string, Readonly<Record<string, string>>>>;
  readonly forceDirectoryRefresh?: boolean;
  readonly onProgress?: (progress: MaintenanceProgress) => void;
  readonly now?: () => number;
  readonly logger?: Logger;
}

export interface AccountReport {
  readonly account: string;
  readonly users: number;
  readonly action?: EnsureAction;
  readonly error?: string;
}

export interface TeamsMaintenanceReport {
  readonly mode: TeamsMode;
  /** Covered users: subscribed (subscription mode), polled and reconciled. */
  readonly users: number;
  /** How the covered set was found at the last directory refresh (listed, disabled, without a Genesys user…). */
  readonly coverage?: DirectoryCoverage;
  /** Service accounts the covered users need (650 each). */
  readonly accountsNeeded: number;
  readonly directoryRefreshed: boolean;
  readonly accounts: readonly AccountReport[];
  /** Covered users beyond the service accounts' capacity (650 each): reconciled only, not subscribed. */
  readonly uncovered: number;
  readonly presencesRead: number;
  readonly eventsRecorded: number;
  readonly errors: readonly string[];
}

function sameValues(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>>): boolean {
  if (!a) return false;
  const norm = (values: Readonly<Record<string, string>>): string =>
    Object.entries(values)
      .map(([key, value]) => `${key.toLowerCase()}=${value.trim().toLowerCase()}`)
      .sort()
      .join('&');
  return norm(a) === norm(b);
}

/** Reads every user's presence in ≤650-id chunks and records it (only changes, when it can tell). */
export async function reconcileTeamsPresence(
  deps: Pick<TeamsMaintenanceDeps, 'readPresences' | 'recordEvents' | 'loadRecordedValues' | 'onProgress' | 'now'>,
  users: readonly DirectoryEntry[],
): Promise<{ presencesRead: number; eventsRecorded: number }> {
  const now = deps.now ?? Date.now;
  const recorded = await deps.loadRecordedValues?.();
  const emailOf = new Map(users.map((user) => [user.objectId, user.email]));
  let presencesRead = 0;
  let eventsRecorded = 0;
  for (let i = 0; i < users.length; i += MAX_IDS_PER_PRESENCE_READ) {
    const chunk = users.slice(i, i + MAX_IDS_PER_PRESENCE_READ).map((user) => user.objectId);
    const readAt = now();
    const presences = await deps.readPresences(chunk);
    presencesRead += presences.length;
    const events = presencesToEvents(presences, readAt, (id) => emailOf.get(id)).filter(
      (event) => !recorded || !sameValues(recorded.get(event.externalUserId), event.values),
    );
    if (events.length > 0) await deps.recordEvents(events);
    eventsRecorded += events.length;
    deps.onProgress?.({
      phase: 'reconcile',
      message: 'reading presence',
      done: Math.min(i + chunk.length, users.length),
      total: users.length,
    });
  }
  return { presencesRead, eventsRecorded };
}

/** Refreshes the directory when it is due (or decided another way); a stale one is kept on failure. */
async function refreshDirectoryIfDue(
  deps: TeamsMaintenanceDeps,
  now: () => number,
  log: Logger,
  errors: string[],
): Promise<{ directory: TeamsDirectory; directoryRefreshed: boolean }> {
  const stored = await loadTeamsDirectory(deps.store);
  const age = stored ? now() - Date.parse(stored.refreshedAt) : Infinity;
  // A directory decided another way (before coverage existed, another group, without Genesys) is redone now.
  const coverage = stored?.coverage;
  const decidedOtherwise = !coverage || coverage.groupId !== deps.groupId || coverage.by !== (deps.resolveCoverage ? 'genesys' : 'all');
  if (stored && !deps.forceDirectoryRefresh && !decidedOtherwise && age < deps.directoryMaxAgeMs) return { directory: stored, directoryRefreshed: false };
  deps.onProgress?.({ phase: 'directory', message: 'listing users' });
  try {
    const directory = await refreshTeamsDirectory({
      graph: deps.appGraph,
      graphBaseUrl: deps.graphBaseUrl,
      store: deps.store,
      groupId: deps.groupId,
      resolveCoverage: deps.resolveCoverage,
      now,
      onPage: (count) => deps.onProgress?.({ phase: 'directory', message: 'listing users', done: count }),
    });
    return { directory, directoryRefreshed: true };
  } catch (error) {
    // A stale directory still lets everything else run; without one there is nothing to cover.
    errors.push(`directory: ${describeError(error)}`);
    log.error('Teams directory refresh failed', { error: describeError(error) });
    if (!stored) throw error;
    return { directory: stored, directoryRefreshed: false };
  }
}

/**
 * Subscription mode: plans the accounts' subscriptions (subscription-plan.ts) and performs the plan. One
 * account's failure is reported and logged; the others go on.
 */
async function maintainSubscriptions(
  deps: TeamsMaintenanceDeps,
  subscriptions: SubscriptionManager,
  serviceAccounts: ServiceAccounts,
  users: readonly DirectoryEntry[],
  log: Logger,
  errors: string[],
): Promise<{ accounts: AccountReport[]; uncovered: number }> {
  const names = (await serviceAccounts.list()).map((account) => account.name);
  const plan = await subscriptions.planRun(
    names,
    users.map((user) => user.objectId),
  );
  const accounts: AccountReport[] = [];
  for (const action of plan.actions) {
    if (action.kind === 'report') log.warn(action.message, action.context);
    else if (action.kind === 'remove')
      await subscriptions.remove(action.account).catch((error: unknown) => errors.push(`${action.account}: ${describeError(error)}`));
    // `delete-leftover` comes only from Graph's listing, which planRun does not read (the 409 path does).
    else if (action.kind !== 'delete-leftover') {
      const { account } = action;
      const assigned = plan.assignment.byAccount[account] ?? [];
      deps.onProgress?.({ phase: 'subscriptions', message: `subscription of ${account}`, done: accounts.length, total: names.length });
      try {
        accounts.push({ account, users: assigned.length, action: await subscriptions.apply(action) });
      } catch (error) {
        const detail = describeError(error);
        errors.push(`${account}: ${detail}`);
        accounts.push({ account, users: assigned.length, error: detail });
        log.error('Teams subscription maintenance failed for an account', { account, error: detail });
      }
    }
  }
  deps.onProgress?.({ phase: 'subscriptions', message: 'subscriptions done', done: names.length, total: names.length });
  return { accounts, uncovered: plan.assignment.uncovered.length };
}

/** One maintenance run. Never throws for one account's failure; errors are in the report. */
export async function runTeamsMaintenance(deps: TeamsMaintenanceDeps): Promise<TeamsMaintenanceReport> {
  const now = deps.now ?? Date.now;
  const log = (deps.logger ?? silentLogger).child({ system: 'teams', component: 'maintainer' });
  const errors: string[] = [];
  const { directory, directoryRefreshed } = await refreshDirectoryIfDue(deps, now, log, errors);
  const users = directoryEntries(directory);

  let accounts: AccountReport[] = [];
  let uncovered = 0;
  if (deps.mode === 'subscription' && deps.serviceAccounts && deps.subscriptions) {
    ({ accounts, uncovered } = await maintainSubscriptions(deps, deps.subscriptions, deps.serviceAccounts, users, log, errors));
  }

  let presencesRead = 0;
  let eventsRecorded = 0;
  try {
    ({ presencesRead, eventsRecorded } = await reconcileTeamsPresence({ ...deps, now }, users));
  } catch (error) {
    errors.push(`reconcile: ${describeError(error)}`);
    log.error('Teams presence reconciliation failed', { error: describeError(error) });
  }

  const report: TeamsMaintenanceReport = {
    mode: deps.mode,
    users: users.length,
    coverage: directory.coverage,
    accountsNeeded: Math.ceil(users.length / MAX_IDS_PER_PRESENCE_READ),
    directoryRefreshed,
    accounts,
    uncovered,
    presencesRead,
    eventsRecorded,
    errors,
  };
  log.info('Teams maintenance done', { ...report, accounts: accounts.length, errors: errors.length });
  return report;
}

/** One line for logs and the maintenance-step summary (src/runtime/maintenance.ts convention). */
export function describeTeamsMaintenance(report: TeamsMaintenanceReport): string {
  const parts = [`${report.mode}: ${report.users} users, ${report.presencesRead} read, ${report.eventsRecorded} recorded`];
  if (report.coverage) parts.push(describeCoverage(report.coverage));
  if (report.directoryRefreshed) parts.push('directory refreshed');
  for (const account of report.accounts) parts.push(`${account.account} ${account.error ? 'FAILED' : (account.action ?? 'unchanged')} (${account.users})`);
  if (report.uncovered > 0) parts.push(`${report.uncovered} without a subscription (sign in more service accounts)`);
  if (report.errors.length > 0) parts.push(`errors: ${report.errors.join('; ')}`);
  return parts.join(', ');
}

/** "12 of 40 directory users covered (3 disabled, 25 without a Genesys user)", for logs and the CLI. */
export function describeCoverage(coverage: DirectoryCoverage): string {
  const scope = coverage.groupId ? `members of group ${coverage.groupId}` : 'directory users';
  const reasons = [
    coverage.disabled > 0 ? `${coverage.disabled} disabled` : '',
    coverage.withoutEmail > 0 ? `${coverage.withoutEmail} without an email` : '',
    coverage.withoutGenesysUser > 0 ? `${coverage.withoutGenesysUser} without a Genesys user` : '',
  ].filter(Boolean);
  return `${coverage.covered} of ${coverage.listed} ${scope} covered${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`;
}
