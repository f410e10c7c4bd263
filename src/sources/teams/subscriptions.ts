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
 *
 * Where the rules live: subscription-plan.ts decides (pure, table-tested); this file performs its actions
 * against Graph and the store, and records what failed on the account's entry.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { describeError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import type { DocumentStore } from '../../store/state-store';
import { TEAMS_DOCUMENTS, updateDocument } from './documents';
import { graphErrorStatus, relativeGraphPath, toGraphRequestError } from './graph-client';
import { SubscriptionListSchema, SubscriptionResourceSchema, type SubscriptionResource } from './schema';
import {
  hashTeamsSubscriptionSettings,
  hashTeamsSubscriptionUsers,
  planTeamsAccount,
  planTeamsLeftoverDeletes,
  planTeamsSubscriptions,
  type AccountSubscription,
  type EnsureAction,
  type SubscriptionIndex,
  type TeamsAccountAction,
  type TeamsAccountIntent,
  type TeamsClearAction,
  type TeamsCreateAction,
  type TeamsSubscriptionPlan,
  type TeamsSubscriptionSettings,
} from './subscription-plan';
import { TEAMS_LIFECYCLE_WEBHOOK_PATH, TEAMS_WEBHOOK_PATH } from './webhook';

export { assignUsersToAccounts } from './subscription-plan';
export type { AccountSubscription, Assignment, EnsureAction, SubscriptionIndex } from './subscription-plan';

interface AssignmentDocument {
  readonly userIds: readonly string[];
}

/** The bulk presence resource for up to 650 users. */
export function presenceResource(userIds: readonly string[]): string {
  return `/communications/presences?$filter=id in (${userIds.map((id) => `'${id}'`).join(',')})`;
}

/** Base64 DER of a PEM certificate, as `encryptionCertificate` wants (public part only). */
export function certificateForGraph(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

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
  /** The maintainer's plan for the signed-in `accounts` and the covered users (subscription-plan.ts). */
  planRun(accounts: readonly string[], userIds: readonly string[]): Promise<TeamsSubscriptionPlan>;
  /** Performs one account's planned action; a failure is recorded on the account's entry and thrown. */
  apply(action: TeamsAccountAction): Promise<EnsureAction>;
  /** Makes the account's subscription cover exactly `userIds` and live long enough. */
  ensure(account: string, userIds: readonly string[]): Promise<EnsureAction>;
  /** PATCH a new expiry (renews and reauthorizes); re-creates on 404. */
  renew(account: string): Promise<EnsureAction>;
  /** Deletes (if present) and creates the account's subscription again for its assigned users. */
  recreate(account: string): Promise<EnsureAction>;
  /** Deletes the account's subscription and forgets it. */
  remove(account: string): Promise<void>;
}

/** What the executor's parts share. */
interface ManagerContext {
  readonly options: SubscriptionManagerOptions;
  readonly log: Logger;
  readonly now: () => number;
  readonly lifetimeMs: number;
  /** Public base URL without a trailing slash. */
  readonly base: string;
  readonly rich: boolean;
  readonly settings: TeamsSubscriptionSettings;
}

/** The subscription index and assignment documents. */
function createIndexStore(ctx: ManagerContext) {
  const { store } = ctx.options;
  const loadIndex = async (): Promise<SubscriptionIndex> =>
    (await store.getDocument<SubscriptionIndex>(TEAMS_DOCUMENTS.subscriptions))?.value ?? { accounts: {} };
  const updateEntry = async (account: string, change: (entry: AccountSubscription) => AccountSubscription | undefined): Promise<void> => {
    await updateDocument<SubscriptionIndex>(store, TEAMS_DOCUMENTS.subscriptions, (current) => {
      const accounts = { ...(current?.accounts ?? {}) };
      const next = change(accounts[account] ?? { account, userCount: 0, rich: ctx.rich });
      if (next) accounts[account] = next;
      else delete accounts[account];
      return { accounts };
    });
  };
  const usersOf = async (account: string): Promise<string[]> => [
    ...((await store.getDocument<AssignmentDocument>(TEAMS_DOCUMENTS.assignment(account)))?.value.userIds ?? []),
  ];
  const setUsers = async (account: string, userIds: readonly string[]): Promise<void> => {
    await updateDocument<AssignmentDocument>(store, TEAMS_DOCUMENTS.assignment(account), () => ({ userIds: [...userIds] }));
  };
  const recordError = async (account: string, error: unknown): Promise<void> => {
    await updateEntry(account, (entry) => ({ ...entry, lastError: describeError(error), lastErrorAt: new Date(ctx.now()).toISOString() })).catch(
      (storeError: unknown) => ctx.log.error('could not record subscription error', { account, error: describeError(storeError) }),
    );
  };
  return { loadIndex, updateEntry, usersOf, setUsers, recordError };
}

/** The Graph calls, as the account (delegated token). */
function createGraphCalls(ctx: ManagerContext) {
  const { graphFor } = ctx.options;
  const expiry = (): string => new Date(ctx.now() + ctx.lifetimeMs).toISOString();

  const deleteRemote = async (account: string, subscriptionId: string): Promise<void> => {
    try {
      await graphFor(account)
        .api(`/subscriptions/${encodeURIComponent(subscriptionId)}`)
        .delete();
    } catch (error) {
      if (graphErrorStatus(error) === 404) return; // already gone
      throw toGraphRequestError(error, `deleting subscription ${subscriptionId} of ${account}`);
    }
  };

  /** Every subscription Graph lists for the account's user (all pages). */
  const list = async (account: string): Promise<SubscriptionResource[]> => {
    const graph = graphFor(account);
    const listed: SubscriptionResource[] = [];
    let path: string | undefined = '/subscriptions';
    while (path) {
      let body: unknown;
      try {
        body = await graph.api(path).get();
      } catch (error) {
        throw toGraphRequestError(error, `listing subscriptions of ${account}`);
      }
      const page = SubscriptionListSchema.parse(body);
      listed.push(...page.value);
      const next = page['@odata.nextLink'];
      path = next ? relativeGraphPath(ctx.options.graphBaseUrl, next) : undefined;
    }
    return listed;
  };

  /** `POST /subscriptions`; a 409 (a leftover of the same user and app) deletes the leftovers and retries once. */
  const createRemote = async (account: string, userIds: readonly string[]): Promise<SubscriptionResource> => {
    const { clientState, encryption } = ctx.options;
    const body: Record<string, unknown> = {
      changeType: 'updated',
      notificationUrl: `${ctx.base}${TEAMS_WEBHOOK_PATH}`,
      lifecycleNotificationUrl: `${ctx.base}${TEAMS_LIFECYCLE_WEBHOOK_PATH}`,
      resource: presenceResource(userIds),
      expirationDateTime: expiry(),
      clientState,
      includeResourceData: ctx.rich,
      ...(encryption ? { encryptionCertificate: certificateForGraph(encryption.certificatePem), encryptionCertificateId: encryption.certificateId } : {}),
    };
    for (let attempt = 0; ; attempt += 1) {
      try {
        return SubscriptionResourceSchema.parse(await graphFor(account).api('/subscriptions').post(body));
      } catch (error) {
        if (graphErrorStatus(error) !== 409 || attempt > 0) throw toGraphRequestError(error, `creating the presence subscription of ${account}`);
      }
      const leftovers = planTeamsLeftoverDeletes(account, await list(account));
      for (const leftover of leftovers) if (leftover.kind === 'delete-leftover') await deleteRemote(account, leftover.subscriptionId);
      ctx.log.warn('409 on subscription create: deleted the leftover presence subscription(s) of the account', { account, deleted: leftovers.length });
    }
  };

  const renewRemote = async (account: string, subscriptionId: string): Promise<SubscriptionResource> =>
    SubscriptionResourceSchema.parse(
      await graphFor(account)
        .api(`/subscriptions/${encodeURIComponent(subscriptionId)}`)
        .patch({ expirationDateTime: expiry() }),
    );

  return { deleteRemote, createRemote, renewRemote };
}

/** Performs one account action against Graph and the store. */
function createAccountExecutor(ctx: ManagerContext, index: ReturnType<typeof createIndexStore>, graph: ReturnType<typeof createGraphCalls>) {
  const write = async (action: TeamsCreateAction | TeamsClearAction): Promise<EnsureAction> => {
    const { account } = action;
    if (action.replaces !== undefined) await graph.deleteRemote(account, action.replaces);
    // Assignment first: a notification may arrive before create returns, and the runner needs the users.
    await index.setUsers(account, action.kind === 'create' ? action.userIds : []);
    if (action.kind === 'clear') {
      await index.updateEntry(account, () => ({ account, userCount: 0, rich: ctx.rich }));
      return action.outcome;
    }
    const created = await graph.createRemote(account, action.userIds);
    const at = new Date(ctx.now()).toISOString();
    await index.updateEntry(account, () => ({
      account,
      subscriptionId: created.id,
      expiresAt: created.expirationDateTime,
      usersHash: hashTeamsSubscriptionUsers(action.userIds),
      settingsHash: ctx.settings.settingsHash,
      userCount: action.userIds.length,
      rich: ctx.rich,
      createdAt: at,
      renewedAt: at,
    }));
    ctx.log.info('presence subscription created', { account, subscriptionId: created.id, users: action.userIds.length, action: action.outcome });
    return action.outcome;
  };

  const renew = async (action: Extract<TeamsAccountAction, { kind: 'renew' }>): Promise<EnsureAction> => {
    const { account, subscriptionId } = action;
    let renewed: SubscriptionResource;
    try {
      renewed = await graph.renewRemote(account, subscriptionId);
    } catch (error) {
      if (graphErrorStatus(error) !== 404) throw toGraphRequestError(error, `renewing subscription ${subscriptionId} of ${account}`);
      ctx.log.warn('subscription gone (404 on renew); re-creating', { account, subscriptionId });
      await index.updateEntry(account, (current) => ({ ...current, subscriptionId: undefined, expiresAt: undefined }));
      return write(action.ifGone);
    }
    await index.updateEntry(account, (current) => ({
      ...current,
      expiresAt: renewed.expirationDateTime,
      renewedAt: new Date(ctx.now()).toISOString(),
      lastError: undefined,
      lastErrorAt: undefined,
    }));
    ctx.log.info('presence subscription renewed', { account, subscriptionId, expiresAt: renewed.expirationDateTime });
    return 'renewed';
  };

  /** Performs the action; a failure is recorded on the account's entry, then thrown. */
  return async (action: TeamsAccountAction): Promise<EnsureAction> => {
    try {
      if (action.kind === 'keep') return 'unchanged';
      return action.kind === 'renew' ? await renew(action) : await write(action);
    } catch (error) {
      await index.recordError(action.account, error);
      throw error;
    }
  };
}

export function createSubscriptionManager(options: SubscriptionManagerOptions): SubscriptionManager {
  const base = options.notificationBaseUrl.replace(/\/+$/, '');
  const ctx: ManagerContext = {
    options,
    log: (options.logger ?? silentLogger).child({ component: 'teams-subscriptions' }),
    now: options.now ?? Date.now,
    lifetimeMs: (options.lifetimeMinutes ?? 58) * 60_000,
    base,
    rich: options.encryption !== undefined,
    settings: {
      renewBeforeMs: (options.renewBeforeMinutes ?? 25) * 60_000,
      settingsHash: hashTeamsSubscriptionSettings({
        clientState: options.clientState,
        notificationBaseUrl: base,
        certificateId: options.encryption?.certificateId,
        certificatePem: options.encryption?.certificatePem,
      }),
    },
  };
  const index = createIndexStore(ctx);
  const graph = createGraphCalls(ctx);
  const apply = createAccountExecutor(ctx, index, graph);
  const loadAssignments = async (accounts: readonly string[]): Promise<Record<string, string[]>> => {
    const result: Record<string, string[]> = {};
    for (const account of accounts) result[account] = await index.usersOf(account);
    return result;
  };
  /** Plans one account from the stored entry and assignment, then performs the plan. */
  const planAndApply = async (account: string, intent: TeamsAccountIntent, desiredUsers: readonly string[] = []): Promise<EnsureAction> => {
    let action: TeamsAccountAction;
    try {
      const entry = (await index.loadIndex()).accounts[account];
      action = planTeamsAccount(account, entry, desiredUsers, await index.usersOf(account), ctx.now(), ctx.settings, intent);
    } catch (error) {
      await index.recordError(account, error);
      throw error;
    }
    return apply(action);
  };

  return {
    loadIndex: index.loadIndex,
    usersOf: index.usersOf,
    loadAssignments,
    async findAccount(subscriptionId) {
      const entry = Object.values((await index.loadIndex()).accounts).find((candidate) => candidate.subscriptionId === subscriptionId);
      return entry?.account;
    },
    async planRun(accounts, userIds) {
      const stored = { index: await index.loadIndex(), assignments: await loadAssignments(accounts) };
      return planTeamsSubscriptions({}, { accounts, userIds }, stored, ctx.now(), ctx.settings);
    },
    apply,
    ensure: (account, userIds) => planAndApply(account, 'ensure', userIds),
    renew: (account) => planAndApply(account, 'renew'),
    recreate: (account) => planAndApply(account, 'recreate'),
    async remove(account) {
      const entry = (await index.loadIndex()).accounts[account];
      if (entry?.subscriptionId) {
        try {
          await graph.deleteRemote(account, entry.subscriptionId);
        } catch (error) {
          // The account may have lost its sign-in; the subscription then expires on its own within an hour.
          ctx.log.warn('could not delete subscription of a removed account; it will expire by itself', { account, error: describeError(error) });
        }
      }
      await index.setUsers(account, []);
      await index.updateEntry(account, () => undefined);
    },
  };
}
