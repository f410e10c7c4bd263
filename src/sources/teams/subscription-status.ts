/**
 * What an operator needs to know about the Teams subscriptions, read from the store alone (no Graph
 * call, no credentials): per service account who is signed in, how many users its subscription covers,
 * when it expires, when it last delivered, and its last error. Shared by `presence-bridge teams
 * subscriptions` and the status page (src/status/), so both say the same thing.
 */
import type { DocumentStore } from '../../store/state-store';
import { TEAMS_DOCUMENTS } from './documents';
import { listServiceAccounts } from './service-accounts';
import { loadSubscriptionActivity } from './subscription-activity';
import type { SubscriptionIndex } from './subscriptions';

/** One row of `presence-bridge teams subscriptions`. */
export interface SubscriptionStatus {
  readonly account: string;
  readonly username?: string;
  readonly signedInAt?: string;
  readonly users: number;
  readonly subscriptionId?: string;
  readonly expiresAt?: string;
  readonly lastNotificationAt?: string;
  readonly lastError?: string;
}

/** Every known service account (signed in, or still holding a subscription), by name. */
export async function readTeamsSubscriptionStatus(store: DocumentStore): Promise<SubscriptionStatus[]> {
  const accounts = await listServiceAccounts(store);
  const index = (await store.getDocument<SubscriptionIndex>(TEAMS_DOCUMENTS.subscriptions))?.value.accounts ?? {};
  const activity = (await loadSubscriptionActivity(store)).lastNotificationAt;
  const names = [...new Set([...accounts.map((a) => a.name), ...Object.keys(index)])].sort();
  return names.map((name) => {
    const account = accounts.find((a) => a.name === name);
    const entry = index[name];
    return {
      account: name,
      username: account?.username,
      signedInAt: account?.signedInAt,
      users: entry?.userCount ?? 0,
      subscriptionId: entry?.subscriptionId,
      expiresAt: entry?.expiresAt,
      lastNotificationAt: entry?.subscriptionId ? activity[entry.subscriptionId] : undefined,
      lastError: entry?.lastError,
    };
  });
}

/**
 * Whether an operator must run `presence-bridge teams login --account <name>` for this account: it was
 * never signed in, or its last subscription attempt failed because its refresh token was refused
 * (ServiceAccountSignInRequiredError, teams-errors.ts).
 */
export function accountNeedsSignIn(status: SubscriptionStatus): boolean {
  return !status.username || /ServiceAccountSignInRequiredError|must be signed in again/.test(status.lastError ?? '');
}
