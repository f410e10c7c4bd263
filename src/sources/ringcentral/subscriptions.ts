/**
 * Keeps the bridge's RingCentral WebHook subscriptions alive: create, reuse, renew, update, and delete +
 * re-create when blacklisted. Run by the maintainer on a schedule and by `presence-bridge ringcentral
 * subscriptions --ensure`.
 *
 * Vendor rules (https://developers.ringcentral.com/guide/notifications/webhooks/creating-webhooks,
 * https://developers.ringcentral.com/api-reference/Subscriptions/createSubscription):
 * - `POST /restapi/v1.0/subscription` (Medium) with `deliveryMode {transportType: "WebHook", address,
 *   verificationToken}` and `expiresIn` ≤ 315360000 s; `POST /subscription/{id}/renew` (Light) renews;
 *   `PUT /subscription/{id}` (Medium) changes filters or delivery mode and also renews;
 *   `GET /subscription` (Light) lists them with `status` `Active` | `Blacklisted`.
 * - A blacklisted subscription stays suspended; the fix is delete and re-create
 *   (https://developers.ringcentral.com/guide/notifications/webhooks/troubleshooting; grokify/rchooks does the
 *   same).
 * - At most 30 subscriptions per user (extension) per app; one subscription may hold many event filters.
 *
 * Scope decision (documented in docs/ringcentral.md):
 * 1. `auto` (default) first asks for ONE subscription with the account-wide filter
 *    `/restapi/v1.0/account/~/presence?detailedTelephonyState=true` ("any extension within an account",
 *    permission listed as ReadAccounts), then the same filter without the query (whether the account filter
 *    accepts `detailedTelephonyState` is UNCONFIRMED). A filter RingCentral refuses — an error on create, or
 *    the filter coming back in `disabledFilters` — makes it fall back.
 * 2. The fallback is per-extension filters `/restapi/v1.0/account/~/extension/{id}/presence?detailedTelephonyState=true`
 *    (permission ReadPresence) for every enabled User extension, packed `filtersPerSubscription` (default
 *    1000) to a subscription, so 30 subscriptions cover 30 000 extensions. The refusal is remembered and the
 *    account filter is tried again after a day (permissions get granted later).
 * New subscriptions are created before surplus ones are deleted, so switching scope leaves no gap.
 *
 * What RingCentral does not say back, and the bridge therefore remembers (document `ringcentral-subscriptions`):
 * - RingCentral answers with `~` expanded to the numeric account and extension ids, so filters are compared
 *   by meaning (event-filters.ts). The ids are read once — the account `id` from `GET /restapi/v1.0/account/~`,
 *   the extension id from the token response's `owner_id` — and kept in the document; they are read again
 *   only when a login reports another owner (other credentials).
 * - `deliveryMode.verificationToken` is not part of RingCentral's SubscriptionInfo response
 *   (https://developers.ringcentral.com/api-reference/Subscriptions/createSubscription), so which token a
 *   subscription sends cannot be read back. A SHA-256 of the token each subscription was created or last
 *   updated with is kept per subscription id (never the token itself); when the first
 *   RINGCENTRAL_VERIFICATION_TOKEN value hashes differently — or nothing is remembered — the subscription is
 *   updated with `PUT /restapi/v1.0/subscription/{id}`.
 * So a run that finds everything in order changes nothing: one list call, and a renewal only near expiry.
 *
 * Where the rules live: subscription-plan.ts decides (pure, table-tested); this file gathers what the plan
 * needs (the list, the document, the ids `~` stands for) and performs the plan's actions.
 */
import crypto from 'node:crypto';
import { silentLogger, type Logger } from '../../logger';
import type { DocumentStore } from '../../store/state-store';
import type { RingCentralClient } from './client';
import { isRingCentralUserExtension, readRingCentralDirectory, refreshRingCentralDirectory } from './directory';
import { overwriteDocument } from './documents';
import { RingCentralApiError } from './ringcentral-errors';
import type { RingCentralFilterIds } from './event-filters';
import { RINGCENTRAL_MAX_WEBHOOK_EXPIRES_IN, type RingCentralSubscriptionScope } from './ringcentral-settings';
import { RingCentralAccountInfoSchema, RingCentralSubscriptionListSchema, RingCentralSubscriptionSchema, type RingCentralSubscription } from './schema';
import {
  FilterRefusedError,
  planRingCentralSubscriptions,
  ringCentralPlanSettings,
  type RingCentralCreateAction,
  type RingCentralDesiredSubscriptions,
  type RingCentralPlanAction,
  type RingCentralPlanSettings,
  type RingCentralRunProgress,
  type RingCentralStoredSubscriptions,
} from './subscription-plan';
import { RINGCENTRAL_WEBHOOK_PATH } from './webhook';

export type { RingCentralSubscription } from './schema';
export {
  isBridgeSubscription,
  RINGCENTRAL_ACCOUNT_PRESENCE_FILTERS,
  RINGCENTRAL_MAX_SUBSCRIPTIONS,
  ringCentralExtensionPresenceFilter,
} from './subscription-plan';

export const RINGCENTRAL_SUBSCRIPTION_PATH = '/restapi/v1.0/subscription';
export const RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT = 'ringcentral-subscriptions';

/** The webhook address for a deployment's public base URL (e.g. `https://bridge.example.com`). */
export function ringCentralNotificationUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl.trim().replace(/\/+$/, '')}${RINGCENTRAL_WEBHOOK_PATH}`;
}

/** What the bridge remembers between runs. */
export interface RingCentralSubscriptionsDocument {
  readonly address: string;
  readonly scope: 'account' | 'extension';
  readonly ids: readonly string[];
  /** When (ISO) and why the account-wide filter was last refused. */
  readonly accountScopeRefusedAt?: string;
  readonly accountScopeRefusal?: string;
  /** This account's id: what `~` in a filter's account position stands for. */
  readonly accountId?: string;
  /** The JWT user's extension id (`owner_id`): what `~` in a filter's extension position stands for. */
  readonly ownerExtensionId?: string;
  /** Per subscription id: `hashRingCentralVerificationToken` of the token it was created or last updated with. */
  readonly verificationTokenHashes?: Readonly<Record<string, string>>;
  readonly updatedAt: string;
}

/**
 * What the bridge remembers of a verification token: a SHA-256 (hex) with a fixed label, so the store never
 * holds the token and the value is of no use elsewhere.
 */
export function hashRingCentralVerificationToken(token: string): string {
  return crypto.createHash('sha256').update('presence-bridge/ringcentral-verification-token/v1\0').update(token, 'utf8').digest('hex');
}

export type RingCentralSubscriptionActionKind = 'created' | 'reused' | 'renewed' | 'updated' | 'deleted';

export interface RingCentralSubscriptionAction {
  readonly action: RingCentralSubscriptionActionKind;
  readonly id: string;
  readonly detail?: string;
}

export interface RingCentralSubscriptionReport {
  readonly scope: 'account' | 'extension';
  /** The bridge's live subscriptions after the run. */
  readonly subscriptions: readonly RingCentralSubscription[];
  readonly actions: readonly RingCentralSubscriptionAction[];
  /** Why the account-wide filter is not in use, when it was refused. */
  readonly accountScopeRefusal?: string;
}

export interface EnsureRingCentralSubscriptionOptions {
  readonly client: RingCentralClient;
  readonly documents: DocumentStore;
  /** Full webhook address, e.g. `ringCentralNotificationUrl(publicBaseUrl)`. */
  readonly notificationUrl: string;
  /** Sent as `deliveryMode.verificationToken`: the first RINGCENTRAL_VERIFICATION_TOKEN value. */
  readonly verificationToken: string;
  /** Extensions for per-extension filters (default: enabled User extensions of the directory). */
  readonly extensionIds?: readonly string[];
  readonly scope?: RingCentralSubscriptionScope;
  /** Requested lifetime in seconds (default and maximum 315360000). */
  readonly expiresIn?: number;
  readonly filtersPerSubscription?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/**
 * Whether an error means "this filter is not allowed for this app/user" (so another filter may work),
 * as opposed to "the webhook address failed validation" (SUB-52x: no filter would help) or an outage.
 */
export function isRingCentralFilterRefusal(error: unknown): boolean {
  if (error instanceof FilterRefusedError) return true;
  if (!(error instanceof RingCentralApiError)) return false;
  if (error.errorCode?.toUpperCase().startsWith('SUB-52')) return false;
  return error.status === 400 || error.status === 403 || error.status === 422;
}

export const RINGCENTRAL_ACCOUNT_INFO_PATH = '/restapi/v1.0/account/~';

/**
 * The ids `~` stands for, from the document when known. The account id is read once with
 * `GET /restapi/v1.0/account/~` (Light, ReadAccounts); the extension id is the `owner_id` of the client's
 * own login. When a login reports another owner than remembered (other credentials), both are taken anew.
 * A refused account read leaves the account id unknown (compared leniently, see event-filters.ts) and is
 * tried again next run.
 */
async function resolveFilterIds(
  client: RingCentralClient,
  stored: RingCentralSubscriptionsDocument | undefined,
  logger: Logger,
): Promise<RingCentralFilterIds> {
  let accountId = stored?.accountId;
  let extensionId = stored?.ownerExtensionId;
  const owner = client.ownerId?.();
  if (owner !== undefined && extensionId !== undefined && owner !== extensionId) {
    logger.warn('RingCentral credentials now belong to another extension; reading the account id again', { was: extensionId, now: owner });
    accountId = undefined;
  }
  if (owner !== undefined) extensionId = owner;
  if (accountId === undefined) {
    try {
      const data = await client.request({ method: 'GET', path: RINGCENTRAL_ACCOUNT_INFO_PATH, group: 'Light' });
      accountId = RingCentralAccountInfoSchema.parse(data).id;
    } catch (error) {
      if (!(error instanceof RingCentralApiError) || error.status >= 500 || error.status === 0) throw error;
      logger.warn('could not read the RingCentral account id (GET /restapi/v1.0/account/~ needs ReadAccounts); ~ in filters is compared leniently', {
        error: error.message,
      });
    }
  }
  return { ...(accountId !== undefined ? { accountId } : {}), ...(extensionId !== undefined ? { extensionId } : {}) };
}

/** `GET /restapi/v1.0/subscription`: every subscription of the app's user. */
export async function listRingCentralSubscriptions(client: RingCentralClient): Promise<RingCentralSubscription[]> {
  const data = await client.request({ method: 'GET', path: RINGCENTRAL_SUBSCRIPTION_PATH, group: 'Light' });
  return RingCentralSubscriptionListSchema.parse(data ?? {}).records;
}

/** The most planning passes one run makes: account filters tried, extensions loaded, then the final plan. */
const MAX_PASSES = 8;

/** Creates, reuses, renews or re-creates the bridge's presence subscriptions: plan, perform, plan again until done. */
export async function ensureRingCentralSubscription(options: EnsureRingCentralSubscriptionOptions): Promise<RingCentralSubscriptionReport> {
  if (!options.verificationToken.trim()) {
    throw new Error('RINGCENTRAL_VERIFICATION_TOKEN must be set before creating RingCentral subscriptions');
  }
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const settings = ringCentralPlanSettings(options, RINGCENTRAL_MAX_WEBHOOK_EXPIRES_IN);
  const existing = await listRingCentralSubscriptions(options.client);
  const document = (await options.documents.getDocument<RingCentralSubscriptionsDocument>(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT))?.value;
  const filterIds = await resolveFilterIds(options.client, document, logger);
  const desired: RingCentralDesiredSubscriptions = {
    notificationUrl: options.notificationUrl,
    tokenHash: hashRingCentralVerificationToken(options.verificationToken),
    scope: options.scope ?? 'auto',
    ...(options.extensionIds ? { extensionIds: options.extensionIds } : {}),
  };
  const run = createRun(options, settings, existing, logger, {
    tokenHashes: { ...(document?.verificationTokenHashes ?? {}) },
    ...(document?.accountScopeRefusedAt ? { accountScopeRefusedAt: document.accountScopeRefusedAt } : {}),
    ...(document?.accountScopeRefusal ? { accountScopeRefusal: document.accountScopeRefusal } : {}),
    filterIds,
    run: { probes: [], created: [] },
  });
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const actions = planRingCentralSubscriptions(run.existing, desired, run.stored, now(), settings);
    const report = await run.perform(actions);
    if (report) return report;
  }
  throw new Error(`RingCentral subscription planning did not settle after ${MAX_PASSES} passes`);
}

/** The executor: performs planned actions, keeping `existing` and `stored` up to date for the next pass. */
function createRun(
  options: EnsureRingCentralSubscriptionOptions,
  settings: RingCentralPlanSettings,
  initial: readonly RingCentralSubscription[],
  logger: Logger,
  initialStored: RingCentralStoredSubscriptions,
) {
  const { client, documents, notificationUrl, verificationToken } = options;
  const now = options.now ?? Date.now;
  const deliveryMode = { transportType: 'WebHook', address: notificationUrl, verificationToken };
  const tokenHash = hashRingCentralVerificationToken(verificationToken);
  const reported: RingCentralSubscriptionAction[] = [];
  const logged = new Set<string>();
  let existing = [...initial];
  let stored = initialStored;
  let kept: RingCentralSubscription[] = [];
  /** Ids found gone on renew or update, and replaced, in this pass. */
  let replaced = new Set<string>();

  const setTokenHash = (id: string, hash: string | undefined): void => {
    const { [id]: _previous, ...others } = stored.tokenHashes;
    void _previous;
    stored = { ...stored, tokenHashes: hash === undefined ? others : { ...others, [id]: hash } };
  };
  const progress = (change: (run: RingCentralRunProgress) => RingCentralRunProgress): void => {
    stored = { ...stored, run: change(stored.run) };
  };
  const replace = (subscription: RingCentralSubscription): void => {
    existing = existing.map((s) => (s.id === subscription.id ? subscription : s));
    kept.push(subscription);
  };
  const path = (id: string): string => `${RINGCENTRAL_SUBSCRIPTION_PATH}/${encodeURIComponent(id)}`;

  const remove = async (action: Extract<RingCentralPlanAction, { kind: 'delete' }>): Promise<void> => {
    try {
      await client.request({ method: 'DELETE', path: path(action.id), group: 'Medium' });
    } catch (error) {
      if (!(error instanceof RingCentralApiError && error.status === 404)) throw error;
    }
    setTokenHash(action.id, undefined);
    existing = existing.filter((s) => s.id !== action.id);
    if (action.refusal) {
      const { filter, error } = action.refusal;
      progress((run) => ({ ...run, probes: run.probes.map((p) => (p.subscriptionId === action.id && p.filter === filter ? { ...p, error } : p)) }));
    }
    reported.push({ action: 'deleted', id: action.id, detail: action.detail });
    logger.info('RingCentral subscription deleted', { id: action.id, detail: action.detail });
  };

  const create = async (action: RingCentralCreateAction): Promise<void> => {
    let created: RingCentralSubscription;
    try {
      const body = { eventFilters: action.eventFilters, deliveryMode, expiresIn: settings.expiresIn };
      created = RingCentralSubscriptionSchema.parse(await client.request({ method: 'POST', path: RINGCENTRAL_SUBSCRIPTION_PATH, group: 'Medium', body }));
    } catch (error) {
      if (action.probe === undefined || !isRingCentralFilterRefusal(error)) throw error;
      const filter = action.probe;
      progress((run) => ({ ...run, probes: [...run.probes, { filter, error }] }));
      return;
    }
    setTokenHash(created.id, tokenHash);
    existing.push(created);
    const filter = action.probe;
    if (filter !== undefined) progress((run) => ({ ...run, probes: [...run.probes, { filter, subscriptionId: created.id }] }));
    else kept.push(created);
    progress((run) => ({ ...run, created: [...run.created, created.id] }));
    reported.push({ action: 'created', id: created.id, detail: action.detail });
    logger.info('RingCentral subscription created', { id: created.id, filters: action.eventFilters.length });
  };

  /** PUT or renew; a subscription gone meanwhile (deleted elsewhere, or expired) is made anew. */
  const change = async (action: Extract<RingCentralPlanAction, { kind: 'update' | 'renew' }>): Promise<void> => {
    let data: unknown;
    try {
      data =
        action.kind === 'update'
          ? await client.request({
              method: 'PUT',
              path: path(action.id),
              group: 'Medium',
              body: { eventFilters: action.eventFilters, deliveryMode, expiresIn: settings.expiresIn },
            })
          : await client.request({ method: 'POST', path: `${path(action.id)}/renew`, group: 'Light' });
    } catch (error) {
      if (!(error instanceof RingCentralApiError && error.status === 404)) throw error;
      replaced.add(action.id);
      return create(action.ifGone);
    }
    if (action.kind === 'update') {
      setTokenHash(action.id, tokenHash);
      logger.info('RingCentral subscription updated', { id: action.id, detail: action.detail });
    }
    reported.push({ action: action.kind === 'update' ? 'updated' : 'renewed', id: action.id, detail: action.detail });
    replace(RingCentralSubscriptionSchema.parse(data));
  };

  const remember = async (action: Extract<RingCentralPlanAction, { kind: 'remember' }>): Promise<RingCentralSubscriptionReport> => {
    const hashes = stored.tokenHashes;
    const document: RingCentralSubscriptionsDocument = {
      address: notificationUrl,
      scope: action.scope,
      ids: kept.map((s) => s.id),
      ...(action.refusedAt ? { accountScopeRefusedAt: action.refusedAt } : {}),
      ...(action.refusal ? { accountScopeRefusal: action.refusal } : {}),
      ...(stored.filterIds.accountId !== undefined ? { accountId: stored.filterIds.accountId } : {}),
      ...(stored.filterIds.extensionId !== undefined ? { ownerExtensionId: stored.filterIds.extensionId } : {}),
      verificationTokenHashes: Object.fromEntries(kept.flatMap((s) => (hashes[s.id] !== undefined ? [[s.id, hashes[s.id]]] : []))),
      updatedAt: new Date(now()).toISOString(),
    };
    await overwriteDocument(documents, RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT, document);
    return { scope: action.scope, subscriptions: kept, actions: reported, ...(action.refusal ? { accountScopeRefusal: action.refusal } : {}) };
  };

  const loadExtensions = async (): Promise<void> => {
    let directory = await readRingCentralDirectory(documents);
    if (directory.size === 0) {
      await refreshRingCentralDirectory(client, documents, { now });
      directory = await readRingCentralDirectory(documents);
    }
    const extensionIds = [...directory.entries()].filter(([, entry]) => isRingCentralUserExtension(entry)).map(([id]) => id);
    progress((run) => ({ ...run, extensionIds }));
  };

  /** Performs one plan; the report when the plan was complete, undefined when it asked a question. */
  const perform = async (actions: readonly RingCentralPlanAction[]): Promise<RingCentralSubscriptionReport | undefined> => {
    kept = [];
    replaced = new Set();
    for (const action of actions) {
      switch (action.kind) {
        case 'delete':
          if (!action.ifReplaced || replaced.has(action.id)) await remove(action);
          break;
        case 'create':
          await create(action);
          break;
        case 'update':
        case 'renew':
          try {
            await change(action);
          } catch (error) {
            if (!action.refusable || !isRingCentralFilterRefusal(error)) throw error;
            progress((run) => ({ ...run, accountRefusal: { error } }));
            return undefined; // plan again: the account-wide filter is refused
          }
          break;
        case 'keep': {
          const subscription = existing.find((s) => s.id === action.id);
          if (subscription) kept.push(subscription);
          if (!action.silent) reported.push({ action: 'reused', id: action.id });
          break;
        }
        case 'load-extensions':
          await loadExtensions();
          break;
        case 'report':
          if (!logged.has(action.message)) logger.warn(action.message, action.context);
          logged.add(action.message);
          break;
        case 'fail':
          throw action.error;
        case 'remember':
          return remember(action);
      }
    }
    return undefined;
  };

  return {
    get existing(): readonly RingCentralSubscription[] {
      return existing;
    },
    get stored(): RingCentralStoredSubscriptions {
      return stored;
    },
    perform,
  };
}
