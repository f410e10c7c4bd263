/**
 * Presence subscriptions, one per service account, each covering ≤650 users:
 * `POST /subscriptions` with resource `/communications/presences?$filter=id in ('…','…')`
 * (quoted GUIDs, the primary page's form; https://learn.microsoft.com/graph/changenotifications-for-presence),
 * created, renewed and deleted with the account's delegated token.
 *
 * Lifecycle rules (docs/vendors.md: #teams-subscription-limits, #teams-lifecycle-events,
 * #teams-subscription-lifetime):
 * - presence subscriptions live ≤60 min and anything under 45 is raised to 45, so every create/renew
 *   asks for now + TEAMS_SUBSCRIPTION_LIFETIME_MINUTES (default 58), and the maintainer renews once
 *   less than TEAMS_SUBSCRIPTION_RENEW_BEFORE_MINUTES is left;
 * - `PATCH /subscriptions/{id}` renews and also reauthorizes; 404 means expired or deleted, and
 *   "retrying the update keeps failing… create a new subscription instead"
 *   (https://learn.microsoft.com/graph/api/subscription-update);
 * - only `expirationDateTime`/`notificationUrl` are updatable, so a change of covered users means
 *   delete + create (which is why assignment keeps users on their account when it can);
 * - a second create for the same user and app gets 409 ("A subscripton already exists. It must be
 *   deleted before a another can be made." — docs-contrib#2219): the leftover is listed, deleted, and
 *   the create retried once;
 * - reauthorization is always done with PATCH, never `POST …/reauthorize`, because mixing the two
 *   within 10 minutes "can result in subscription state inconsistencies" (lifecycle events doc).
 */
import { createHash } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import { describeError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import type { DocumentStore } from '../../store/state-store';
import { TEAMS_DOCUMENTS, updateDocument } from './documents';
import { graphErrorStatus, relativeGraphPath, toGraphRequestError } from './graph-client';
import { SubscriptionListSchema, SubscriptionResourceSchema, type SubscriptionResource } from './schema';
import { MAX_IDS_PER_PRESENCE_READ } from './tasks';
import { TEAMS_LIFECYCLE_WEBHOOK_PATH, TEAMS_WEBHOOK_PATH } from './webhook';

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

interface AssignmentDocument {
  readonly userIds: readonly string[];
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

/** The bulk presence resource for up to 650 users. */
export function presenceResource(userIds: readonly string[]): string {
  return `/communications/presences?$filter=id in (${userIds.map((id) => `'${id}'`).join(',')})`;
}

function hashUsers(userIds: readonly string[]): string {
  return createHash('sha256').update([...userIds].sort().join(',')).digest('hex').slice(0, 32);
}

/** Base64 DER of a PEM certificate, as `encryptionCertificate` wants (public part only). */
export function certificateForGraph(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export type EnsureAction = 'created' | 'recreated' | 'renewed' | 'unchanged' | 'deleted' | 'none';

export interface SubscriptionManagerOptions {
  readonly store: DocumentStore;
  /** A Graph client acting as the account (delegated token). */
  readonly graphFor: (account: string) => Client;
  readonly graphBaseUrl: string;
  /** BRIDGE_PUBLIC_URL: the public base of this deployment. */
  readonly notificationBaseUrl: string;
  /** The clientState sent to Graph (the first TEAMS_CLIENT_STATE value). */
  readonly clientState: string;
  /** With a certificate, subscriptions are rich (`includeResourceData`); without, basic. */
  readonly encryption?: { readonly certificatePem: string; readonly certificateId: string };
  readonly lifetimeMinutes?: number;
  readonly renewBeforeMinutes?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

export interface SubscriptionManager {
  loadIndex(): Promise<SubscriptionIndex>;
  /** The user ids the account's subscription covers. */
  usersOf(account: string): Promise<string[]>;
  /** All current assignments, by account. */
  loadAssignments(accounts: readonly string[]): Promise<Record<string, string[]>>;
  findAccount(subscriptionId: string): Promise<string | undefined>;
  /** Makes the account's subscription cover exactly `userIds` and live long enough. */
  ensure(account: string, userIds: readonly string[]): Promise<EnsureAction>;
  /** PATCH a new expiry (renews and reauthorizes); re-creates on 404. */
  renew(account: string): Promise<EnsureAction>;
  /** Deletes (if present) and creates the account's subscription again for its assigned users. */
  recreate(account: string): Promise<EnsureAction>;
  /** Deletes the account's subscription and forgets it. */
  remove(account: string): Promise<void>;
}

export function createSubscriptionManager(options: SubscriptionManagerOptions): SubscriptionManager {
  const now = options.now ?? Date.now;
  const log = (options.logger ?? silentLogger).child({ component: 'teams-subscriptions' });
  const lifetimeMs = (options.lifetimeMinutes ?? 58) * 60_000;
  const renewBeforeMs = (options.renewBeforeMinutes ?? 25) * 60_000;
  const base = options.notificationBaseUrl.replace(/\/+$/, '');
  const rich = options.encryption !== undefined;
  const settingsHash = createHash('sha256')
    .update(JSON.stringify([options.clientState, base, options.encryption?.certificateId ?? null, options.encryption?.certificatePem ?? null]))
    .digest('hex')
    .slice(0, 32);

  const loadIndex = async (): Promise<SubscriptionIndex> =>
    (await options.store.getDocument<SubscriptionIndex>(TEAMS_DOCUMENTS.subscriptions))?.value ?? { accounts: {} };

  const updateEntry = async (account: string, change: (entry: AccountSubscription) => AccountSubscription | undefined): Promise<void> => {
    await updateDocument<SubscriptionIndex>(options.store, TEAMS_DOCUMENTS.subscriptions, (current) => {
      const accounts = { ...(current?.accounts ?? {}) };
      const next = change(accounts[account] ?? { account, userCount: 0, rich });
      if (next) accounts[account] = next;
      else delete accounts[account];
      return { accounts };
    });
  };

  const usersOf = async (account: string): Promise<string[]> =>
    [...((await options.store.getDocument<AssignmentDocument>(TEAMS_DOCUMENTS.assignment(account)))?.value.userIds ?? [])];

  const expiry = (): string => new Date(now() + lifetimeMs).toISOString();

  const deleteRemote = async (account: string, subscriptionId: string): Promise<void> => {
    try {
      await options.graphFor(account).api(`/subscriptions/${encodeURIComponent(subscriptionId)}`).delete();
    } catch (error) {
      if (graphErrorStatus(error) === 404) return; // already gone
      throw toGraphRequestError(error, `deleting subscription ${subscriptionId} of ${account}`);
    }
  };

  /** Deletes this app's presence subscriptions of the account's user (the cause of a 409). */
  const deleteLeftovers = async (account: string): Promise<number> => {
    const graph = options.graphFor(account);
    let path: string | undefined = '/subscriptions';
    let deleted = 0;
    while (path) {
      let body: unknown;
      try {
        body = await graph.api(path).get();
      } catch (error) {
        throw toGraphRequestError(error, `listing subscriptions of ${account}`);
      }
      const page = SubscriptionListSchema.parse(body);
      for (const subscription of page.value) {
        if (/communications\/presences/i.test(subscription.resource ?? '')) {
          await deleteRemote(account, subscription.id);
          deleted += 1;
        }
      }
      const next = page['@odata.nextLink'];
      path = next ? relativeGraphPath(options.graphBaseUrl, next) : undefined;
    }
    return deleted;
  };

  const createRemote = async (account: string, userIds: readonly string[]): Promise<SubscriptionResource> => {
    const body: Record<string, unknown> = {
      changeType: 'updated',
      notificationUrl: `${base}${TEAMS_WEBHOOK_PATH}`,
      lifecycleNotificationUrl: `${base}${TEAMS_LIFECYCLE_WEBHOOK_PATH}`,
      resource: presenceResource(userIds),
      expirationDateTime: expiry(),
      clientState: options.clientState,
      includeResourceData: rich,
      ...(options.encryption
        ? {
            encryptionCertificate: certificateForGraph(options.encryption.certificatePem),
            encryptionCertificateId: options.encryption.certificateId,
          }
        : {}),
    };
    const graph = options.graphFor(account);
    for (let attempt = 0; ; attempt += 1) {
      try {
        return SubscriptionResourceSchema.parse(await graph.api('/subscriptions').post(body));
      } catch (error) {
        if (graphErrorStatus(error) === 409 && attempt === 0) {
          const deleted = await deleteLeftovers(account);
          log.warn('409 on subscription create: deleted the leftover presence subscription(s) of the account', { account, deleted });
          continue;
        }
        throw toGraphRequestError(error, `creating the presence subscription of ${account}`);
      }
    }
  };

  const recordError = async (account: string, error: unknown): Promise<void> => {
    await updateEntry(account, (entry) => ({ ...entry, lastError: describeError(error), lastErrorAt: new Date(now()).toISOString() })).catch(
      (storeError: unknown) => log.error('could not record subscription error', { account, error: describeError(storeError) }),
    );
  };

  const create = async (account: string, userIds: readonly string[], action: EnsureAction): Promise<EnsureAction> => {
    const previous = (await loadIndex()).accounts[account];
    if (previous?.subscriptionId) await deleteRemote(account, previous.subscriptionId);
    // Assignment first: a notification may arrive before create returns, and the runner needs the users.
    await updateDocument<AssignmentDocument>(options.store, TEAMS_DOCUMENTS.assignment(account), () => ({ userIds: [...userIds] }));
    if (userIds.length === 0) {
      await updateEntry(account, () => ({ account, userCount: 0, rich }));
      return previous?.subscriptionId ? 'deleted' : 'none';
    }
    const created = await createRemote(account, userIds);
    const at = new Date(now()).toISOString();
    await updateEntry(account, () => ({
      account,
      subscriptionId: created.id,
      expiresAt: created.expirationDateTime,
      usersHash: hashUsers(userIds),
      settingsHash,
      userCount: userIds.length,
      rich,
      createdAt: at,
      renewedAt: at,
    }));
    log.info('presence subscription created', { account, subscriptionId: created.id, users: userIds.length, action });
    return action;
  };

  const renewEntry = async (account: string, entry: AccountSubscription): Promise<EnsureAction> => {
    let renewed: SubscriptionResource;
    try {
      renewed = SubscriptionResourceSchema.parse(
        await options.graphFor(account).api(`/subscriptions/${encodeURIComponent(entry.subscriptionId!)}`).patch({ expirationDateTime: expiry() }),
      );
    } catch (error) {
      if (graphErrorStatus(error) === 404) {
        log.warn('subscription gone (404 on renew); re-creating', { account, subscriptionId: entry.subscriptionId });
        await updateEntry(account, (current) => ({ ...current, subscriptionId: undefined, expiresAt: undefined }));
        return create(account, await usersOf(account), 'recreated');
      }
      throw toGraphRequestError(error, `renewing subscription ${entry.subscriptionId} of ${account}`);
    }
    await updateEntry(account, (current) => ({
      ...current,
      expiresAt: renewed.expirationDateTime,
      renewedAt: new Date(now()).toISOString(),
      lastError: undefined,
      lastErrorAt: undefined,
    }));
    log.info('presence subscription renewed', { account, subscriptionId: entry.subscriptionId, expiresAt: renewed.expirationDateTime });
    return 'renewed';
  };

  const guarded = async <T>(account: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      await recordError(account, error);
      throw error;
    }
  };

  return {
    loadIndex,
    usersOf,

    async loadAssignments(accounts) {
      const result: Record<string, string[]> = {};
      for (const account of accounts) result[account] = await usersOf(account);
      return result;
    },

    async findAccount(subscriptionId) {
      const entry = Object.values((await loadIndex()).accounts).find((candidate) => candidate.subscriptionId === subscriptionId);
      return entry?.account;
    },

    ensure(account, userIds) {
      return guarded(account, async () => {
        const entry = (await loadIndex()).accounts[account];
        const sorted = [...new Set(userIds)].sort();
        if (!entry?.subscriptionId) return create(account, sorted, sorted.length > 0 ? 'created' : 'none');
        if (entry.usersHash !== hashUsers(sorted) || entry.settingsHash !== settingsHash) {
          return create(account, sorted, sorted.length > 0 ? 'recreated' : 'deleted');
        }
        const left = Date.parse(entry.expiresAt ?? '') - now();
        if (!(left > renewBeforeMs)) return renewEntry(account, entry);
        return 'unchanged';
      });
    },

    renew(account) {
      return guarded(account, async () => {
        const entry = (await loadIndex()).accounts[account];
        if (!entry?.subscriptionId) return create(account, await usersOf(account), 'created');
        return renewEntry(account, entry);
      });
    },

    recreate(account) {
      return guarded(account, async () => create(account, await usersOf(account), 'recreated'));
    },

    async remove(account) {
      const entry = (await loadIndex()).accounts[account];
      if (entry?.subscriptionId) {
        try {
          await deleteRemote(account, entry.subscriptionId);
        } catch (error) {
          // The account may have lost its sign-in; the subscription then expires on its own within an hour.
          log.warn('could not delete subscription of a removed account; it will expire by itself', {
            account,
            error: describeError(error),
          });
        }
      }
      await updateDocument<AssignmentDocument>(options.store, TEAMS_DOCUMENTS.assignment(account), () => ({ userIds: [] }));
      await updateEntry(account, () => undefined);
    },
  };
}
