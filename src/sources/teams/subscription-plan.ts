/**
 * Which Teams presence-subscription calls to make: the pure half of the subscription manager
 * (subscriptions.ts performs the actions) and of the maintainer's subscription step (maintainer.ts).
 * Every rule about keeping the subscriptions lives here; docs/teams.md explains them for operators.
 *
 * - Covered users are spread over the signed-in service accounts, ≤650 each, stable (`assignUsersToAccounts`):
 *   only `expirationDateTime`/`notificationUrl` of a subscription can be updated
 *   (https://learn.microsoft.com/graph/api/subscription-update), so a change of users costs a delete + create.
 * - An account's subscription is created when there is none, re-created when its users or its settings
 *   (clientState, public URL, encryption certificate) changed, renewed with PATCH once less than
 *   TEAMS_SUBSCRIPTION_RENEW_BEFORE_MINUTES is left, and otherwise left alone. An account without users has
 *   its subscription deleted.
 * - A renewal that finds the subscription gone (404) creates it again for the stored users.
 * - Accounts no longer signed in have their subscription removed.
 * - After a 409 on create, the account's listed presence subscriptions are leftovers and deleted
 *   (docs-contrib#2219: "It must be deleted before another can be made"); subscriptions to other
 *   resources are not touched.
 */
import { createHash } from 'node:crypto';
import type { SubscriptionResource } from './schema';
import { MAX_IDS_PER_PRESENCE_READ } from './tasks';

/** One account's subscription as the bridge remembers it (`GET /subscriptions` does not return clientState). */
export interface AccountSubscription {
  readonly account: string;
  readonly subscriptionId?: string;
  readonly expiresAt?: string;
  /** Hash of the sorted covered user ids: a different hash means delete + create. */
  readonly usersHash?: string;
  /**
   * Hash of what else the subscription was created with (clientState, notification URL, certificate
   * id): after a TEAMS_CLIENT_STATE rotation, a move of BRIDGE_PUBLIC_URL or a new encryption
   * certificate, the subscription is re-created so the old value can be retired.
   */
  readonly settingsHash?: string;
  readonly userCount: number;
  readonly rich: boolean;
  readonly createdAt?: string;
  readonly renewedAt?: string;
  readonly lastError?: string;
  readonly lastErrorAt?: string;
}

export interface SubscriptionIndex {
  readonly accounts: Readonly<Record<string, AccountSubscription>>;
}

export interface Assignment {
  readonly byAccount: Readonly<Record<string, readonly string[]>>;
  /** Users beyond the pool's capacity: still reconciled by reading, but not subscribed. */
  readonly uncovered: readonly string[];
}

/**
 * Assigns users to accounts, ≤`capacity` each. Stable: a user stays on the account that already
 * covers it (changing an account's users costs a delete + create), newcomers fill free places in
 * account-name order, departed users are dropped.
 */
export function assignUsersToAccounts(
  userIds: readonly string[],
  accountNames: readonly string[],
  previous: Readonly<Record<string, readonly string[]>> = {},
  capacity = MAX_IDS_PER_PRESENCE_READ,
): Assignment {
  const wanted = new Set(userIds);
  const taken = new Set<string>();
  const accounts = [...new Set(accountNames)].sort();
  const byAccount: Record<string, string[]> = {};
  for (const account of accounts) {
    const keep: string[] = [];
    for (const id of previous[account] ?? []) {
      if (keep.length >= capacity) break;
      if (wanted.has(id) && !taken.has(id)) {
        keep.push(id);
        taken.add(id);
      }
    }
    byAccount[account] = keep;
  }
  const remaining = [...wanted].filter((id) => !taken.has(id)).sort();
  let next = 0;
  for (const account of accounts) {
    while (byAccount[account].length < capacity && next < remaining.length) byAccount[account].push(remaining[next++]);
    byAccount[account].sort();
  }
  return { byAccount, uncovered: remaining.slice(next) };
}

export function hashTeamsSubscriptionUsers(userIds: readonly string[]): string {
  return createHash('sha256')
    .update([...userIds].sort().join(','))
    .digest('hex')
    .slice(0, 32);
}

/** The hash of what a subscription is created with besides its users (see `AccountSubscription.settingsHash`). */
export function hashTeamsSubscriptionSettings(parts: {
  readonly clientState: string;
  readonly notificationBaseUrl: string;
  readonly certificateId?: string;
  readonly certificatePem?: string;
}): string {
  return createHash('sha256')
    .update(JSON.stringify([parts.clientState, parts.notificationBaseUrl, parts.certificateId ?? null, parts.certificatePem ?? null]))
    .digest('hex')
    .slice(0, 32);
}

/** What an account's subscription call reports (the maintainer's `AccountReport.action`). */
export type EnsureAction = 'created' | 'recreated' | 'renewed' | 'unchanged' | 'deleted' | 'none';

/** Assign `userIds` to the account and create its subscription (deleting `replaces` first). */
export interface TeamsCreateAction {
  readonly kind: 'create';
  readonly account: string;
  readonly userIds: readonly string[];
  readonly replaces?: string;
  readonly outcome: 'created' | 'recreated';
}

/** The account covers nobody: delete `replaces` (if any) and remember the empty assignment. */
export interface TeamsClearAction {
  readonly kind: 'clear';
  readonly account: string;
  readonly replaces?: string;
  readonly outcome: 'deleted' | 'none';
}

/** What one account's subscription needs. */
export type TeamsAccountAction =
  | TeamsCreateAction
  | TeamsClearAction
  /** PATCH a new expiry (renews and reauthorizes); when Graph says 404, forget the id and do `ifGone`. */
  | { readonly kind: 'renew'; readonly account: string; readonly subscriptionId: string; readonly ifGone: TeamsCreateAction | TeamsClearAction }
  | { readonly kind: 'keep'; readonly account: string };

export type TeamsSubscriptionAction =
  | TeamsAccountAction
  /** The account is no longer signed in: delete its subscription (best effort) and forget it. */
  | { readonly kind: 'remove'; readonly account: string }
  /** A presence subscription Graph lists for the account that the bridge does not know (cause of a 409). */
  | { readonly kind: 'delete-leftover'; readonly account: string; readonly subscriptionId: string }
  /** A warning for operators. */
  | { readonly kind: 'report'; readonly message: string; readonly context: Readonly<Record<string, unknown>> };

export interface TeamsSubscriptionSettings {
  readonly renewBeforeMs: number;
  /** `hashTeamsSubscriptionSettings` of the current configuration. */
  readonly settingsHash: string;
  /** Users per subscription (default 650). */
  readonly capacity?: number;
}

/** Why the account's subscription is planned: the maintainer's run, or a lifecycle event. */
export type TeamsAccountIntent =
  /** Make it cover exactly the desired users and live long enough. */
  | 'ensure'
  /** reauthorizationRequired: PATCH (create when there is none). */
  | 'renew'
  /** subscriptionRemoved: delete (if present) and create again. */
  | 'recreate';

function write(
  account: string,
  userIds: readonly string[],
  outcome: 'created' | 'recreated',
  replaces: string | undefined,
): TeamsCreateAction | TeamsClearAction {
  const also = replaces !== undefined ? { replaces } : {};
  if (userIds.length === 0) return { kind: 'clear', account, ...also, outcome: replaces !== undefined ? 'deleted' : 'none' };
  return { kind: 'create', account, userIds, ...also, outcome };
}

/**
 * One account's action. Pure. `desiredUsers` are the users the account should cover (intent `ensure`);
 * `storedUsers` the users it covers now (its assignment document), used by lifecycle intents and after a 404.
 */
export function planTeamsAccount(
  account: string,
  entry: AccountSubscription | undefined,
  desiredUsers: readonly string[],
  storedUsers: readonly string[],
  now: number,
  settings: TeamsSubscriptionSettings,
  intent: TeamsAccountIntent = 'ensure',
): TeamsAccountAction {
  const id = entry?.subscriptionId;
  const renew = (subscriptionId: string): TeamsAccountAction => ({
    kind: 'renew',
    account,
    subscriptionId,
    ifGone: write(account, storedUsers, 'recreated', undefined),
  });
  if (intent === 'recreate') return write(account, storedUsers, 'recreated', id);
  if (intent === 'renew') return id === undefined ? write(account, storedUsers, 'created', undefined) : renew(id);
  const sorted = [...new Set(desiredUsers)].sort();
  if (id === undefined) return write(account, sorted, 'created', undefined);
  if (entry?.usersHash !== hashTeamsSubscriptionUsers(sorted) || entry.settingsHash !== settings.settingsHash) {
    return write(account, sorted, 'recreated', id);
  }
  // An unknown or unparsable expiry counts as expiring.
  const left = Date.parse(entry.expiresAt ?? '') - now;
  return left > settings.renewBeforeMs ? { kind: 'keep', account } : renew(id);
}

/** After a 409: the listed presence subscriptions of the account are leftovers; others are not the bridge's. */
export function planTeamsLeftoverDeletes(account: string, listed: readonly SubscriptionResource[]): TeamsSubscriptionAction[] {
  return listed
    .filter((subscription) => /communications\/presences/i.test(subscription.resource ?? ''))
    .map((subscription) => ({ kind: 'delete-leftover', account, subscriptionId: subscription.id }));
}

/** What the maintainer wants: the signed-in accounts and the covered users. */
export interface TeamsDesiredSubscriptions {
  readonly accounts: readonly string[];
  readonly userIds: readonly string[];
}

/** What the store remembers: the subscription index and each account's assigned users. */
export interface TeamsStoredSubscriptions {
  readonly index: SubscriptionIndex;
  readonly assignments: Readonly<Record<string, readonly string[]>>;
}

export interface TeamsSubscriptionPlan {
  readonly assignment: Assignment;
  readonly actions: readonly TeamsSubscriptionAction[];
}

/**
 * The maintainer's subscription step. Pure. `existing` is what Graph listed per account, when known
 * (only after a 409: listing costs a call per account, and the index remembers the ids); its presence
 * subscriptions are deleted before the account's action.
 */
export function planTeamsSubscriptions(
  existing: Readonly<Record<string, readonly SubscriptionResource[]>>,
  desired: TeamsDesiredSubscriptions,
  stored: TeamsStoredSubscriptions,
  now: number,
  settings: TeamsSubscriptionSettings,
): TeamsSubscriptionPlan {
  const capacity = settings.capacity ?? MAX_IDS_PER_PRESENCE_READ;
  const names = desired.accounts;
  const actions: TeamsSubscriptionAction[] = [];
  if (names.length === 0) {
    actions.push({
      kind: 'report',
      message: 'no Teams service account is signed in: presence comes from reconciliation only (run `presence-bridge teams login --account <name>`)',
      context: {},
    });
  }
  for (const stale of Object.keys(stored.index.accounts).filter((account) => !names.includes(account))) actions.push({ kind: 'remove', account: stale });
  const assignment = assignUsersToAccounts(desired.userIds, names, stored.assignments, capacity);
  if (assignment.uncovered.length > 0) {
    actions.push({
      kind: 'report',
      message: `more covered Teams users than service accounts can subscribe to (${capacity} each); sign in more accounts`,
      context: { uncovered: assignment.uncovered.length, accounts: names.length, accountsNeeded: Math.ceil(desired.userIds.length / capacity) },
    });
  }
  for (const account of names) {
    const known = stored.index.accounts[account]?.subscriptionId;
    const listed = existing[account];
    if (listed)
      actions.push(
        ...planTeamsLeftoverDeletes(
          account,
          listed.filter((s) => s.id !== known),
        ),
      );
    const entry = stored.index.accounts[account];
    actions.push(planTeamsAccount(account, entry, assignment.byAccount[account] ?? [], stored.assignments[account] ?? [], now, settings));
  }
  return { assignment, actions };
}
