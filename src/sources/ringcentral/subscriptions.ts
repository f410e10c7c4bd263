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
 */
import crypto from 'node:crypto';
import { silentLogger, type Logger } from '../../logger';
import type { DocumentStore } from '../../store/state-store';
import type { RingCentralClient } from './client';
import { isRingCentralUserExtension, readRingCentralDirectory, refreshRingCentralDirectory } from './directory';
import { overwriteDocument } from './documents';
import { RingCentralApiError } from './ringcentral-errors';
import {
  includesRingCentralFilter,
  isRingCentralAccountPresenceFilter,
  isRingCentralExtensionPresenceFilter,
  sameRingCentralFilter,
  sameRingCentralFilterSet,
  type RingCentralFilterIds,
} from './event-filters';
import { RINGCENTRAL_MAX_WEBHOOK_EXPIRES_IN, type RingCentralSubscriptionScope } from './ringcentral-settings';
import {
  RingCentralAccountInfoSchema,
  RingCentralSubscriptionListSchema,
  RingCentralSubscriptionSchema,
  type RingCentralSubscription,
} from './schema';
import { RINGCENTRAL_WEBHOOK_PATH } from './webhook';

export type { RingCentralSubscription } from './schema';

export const RINGCENTRAL_SUBSCRIPTION_PATH = '/restapi/v1.0/subscription';
export const RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT = 'ringcentral-subscriptions';
/** "30 subscriptions per user/extension per app" (https://github.com/ringcentral/ringcentral-extensible, `packages/core/src/paths/Restapi/Subscription/index.ts`). */
export const RINGCENTRAL_MAX_SUBSCRIPTIONS = 30;

/** The account-wide presence filters, most detailed first. */
export const RINGCENTRAL_ACCOUNT_PRESENCE_FILTERS = [
  '/restapi/v1.0/account/~/presence?detailedTelephonyState=true',
  '/restapi/v1.0/account/~/presence',
] as const;

/** The detailed per-extension presence filter. */
export function ringCentralExtensionPresenceFilter(extensionId: string): string {
  return `/restapi/v1.0/account/~/extension/${encodeURIComponent(extensionId)}/presence?detailedTelephonyState=true`;
}

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
  /** Renew when less than this is left (default min(7 days, half the lifetime)). */
  readonly renewBeforeMs?: number;
  /** Try the account-wide filter again this long after it was refused (default 24 h). */
  readonly retryAccountScopeAfterMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** The account filter was refused (an API error, or the filter came back disabled). */
class FilterRefusedError extends Error {
  override readonly name = 'FilterRefusedError';
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

function isBlacklisted(subscription: RingCentralSubscription): boolean {
  return subscription.status?.toLowerCase() === 'blacklisted';
}

function sameAddress(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim().replace(/\/+$/, '') === b.trim().replace(/\/+$/, '');
}

function isDisabled(subscription: RingCentralSubscription, filter: string, ids: RingCentralFilterIds): boolean {
  return subscription.disabledFilters.some((disabled) => disabled.filter !== undefined && sameRingCentralFilter(disabled.filter, filter, ids));
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

/** True when the subscription delivers to `notificationUrl` by WebHook: one of the bridge's own. */
export function isBridgeSubscription(subscription: RingCentralSubscription, notificationUrl: string): boolean {
  return (
    subscription.deliveryMode?.transportType?.toLowerCase() === 'webhook' &&
    sameAddress(subscription.deliveryMode.address, notificationUrl)
  );
}

/** Creates, reuses, renews or re-creates the bridge's presence subscriptions. */
export async function ensureRingCentralSubscription(
  options: EnsureRingCentralSubscriptionOptions,
): Promise<RingCentralSubscriptionReport> {
  const { client, documents, notificationUrl, verificationToken } = options;
  if (!verificationToken.trim()) {
    throw new Error('RINGCENTRAL_VERIFICATION_TOKEN must be set before creating RingCentral subscriptions');
  }
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const expiresIn = Math.min(options.expiresIn ?? RINGCENTRAL_MAX_WEBHOOK_EXPIRES_IN, RINGCENTRAL_MAX_WEBHOOK_EXPIRES_IN);
  const renewBeforeMs = options.renewBeforeMs ?? Math.min(7 * 24 * 3600 * 1000, (expiresIn * 1000) / 2);
  const perSubscription = options.filtersPerSubscription ?? 1000;
  const requestedScope = options.scope ?? 'auto';
  const actions: RingCentralSubscriptionAction[] = [];
  const deliveryMode = { transportType: 'WebHook', address: notificationUrl, verificationToken };
  const tokenHash = hashRingCentralVerificationToken(verificationToken);
  /** Subscription id → hash of the token it sends, as far as the bridge knows. */
  const tokenHashes = new Map<string, string>();
  let ids: RingCentralFilterIds = {};

  const remove = async (id: string, detail: string): Promise<void> => {
    try {
      await client.request({ method: 'DELETE', path: `${RINGCENTRAL_SUBSCRIPTION_PATH}/${encodeURIComponent(id)}`, group: 'Medium' });
    } catch (error) {
      if (!(error instanceof RingCentralApiError && error.status === 404)) throw error;
    }
    tokenHashes.delete(id);
    actions.push({ action: 'deleted', id, detail });
    logger.info('RingCentral subscription deleted', { id, detail });
  };

  const create = async (eventFilters: readonly string[], detail?: string): Promise<RingCentralSubscription> => {
    const data = await client.request({
      method: 'POST',
      path: RINGCENTRAL_SUBSCRIPTION_PATH,
      group: 'Medium',
      body: { eventFilters, deliveryMode, expiresIn },
    });
    const created = RingCentralSubscriptionSchema.parse(data);
    tokenHashes.set(created.id, tokenHash);
    actions.push({ action: 'created', id: created.id, detail });
    logger.info('RingCentral subscription created', { id: created.id, filters: eventFilters.length });
    return created;
  };

  /** Keeps one existing subscription right: token and filters as desired, renewed when near expiry. */
  const maintain = async (subscription: RingCentralSubscription, eventFilters: readonly string[]): Promise<RingCentralSubscription> => {
    const path = `${RINGCENTRAL_SUBSCRIPTION_PATH}/${encodeURIComponent(subscription.id)}`;
    // RingCentral does not say which token a subscription sends: compare with what we last sent it.
    const sentHash = tokenHashes.get(subscription.id);
    const tokenDiffers = sentHash !== tokenHash;
    const filtersDiffer = !sameRingCentralFilterSet(subscription.eventFilters, eventFilters, ids);
    const expiresAt = subscription.expirationTime ? Date.parse(subscription.expirationTime) : NaN;
    const expiring = !Number.isFinite(expiresAt) || expiresAt - now() < renewBeforeMs;
    try {
      if (tokenDiffers || filtersDiffer) {
        const data = await client.request({ method: 'PUT', path, group: 'Medium', body: { eventFilters, deliveryMode, expiresIn } });
        tokenHashes.set(subscription.id, tokenHash);
        const tokenDetail = sentHash === undefined ? 'verification token not remembered, sent again' : 'verification token rotated';
        const detail = [tokenDiffers && tokenDetail, filtersDiffer && 'event filters changed'].filter(Boolean).join(', ');
        actions.push({ action: 'updated', id: subscription.id, detail });
        logger.info('RingCentral subscription updated', { id: subscription.id, detail });
        return RingCentralSubscriptionSchema.parse(data);
      }
      if (expiring) {
        const data = await client.request({ method: 'POST', path: `${path}/renew`, group: 'Light' });
        actions.push({ action: 'renewed', id: subscription.id, detail: `was expiring ${subscription.expirationTime ?? '(unknown)'}` });
        return RingCentralSubscriptionSchema.parse(data);
      }
    } catch (error) {
      // Gone meanwhile (deleted elsewhere, or expired): make a new one.
      if (error instanceof RingCentralApiError && error.status === 404) return create(eventFilters, `${subscription.id} had disappeared`);
      throw error;
    }
    actions.push({ action: 'reused', id: subscription.id });
    return subscription;
  };

  // 1. Ours are those delivering to our address; blacklisted ones are deleted (they never recover).
  const all = await listRingCentralSubscriptions(client);
  const stored = (await documents.getDocument<RingCentralSubscriptionsDocument>(RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT))?.value;
  for (const [id, hash] of Object.entries(stored?.verificationTokenHashes ?? {})) tokenHashes.set(id, hash);
  ids = await resolveFilterIds(client, stored, logger);
  const live: RingCentralSubscription[] = [];
  for (const subscription of all.filter((s) => isBridgeSubscription(s, notificationUrl))) {
    if (isBlacklisted(subscription)) {
      const reason = subscription.blacklistedData?.reason ?? 'no reason given';
      await remove(subscription.id, `blacklisted (${reason}); re-created`);
    } else {
      live.push(subscription);
    }
  }
  const foreign = all.filter((s) => !isBridgeSubscription(s, notificationUrl)).length;

  // 2. Scope: account-wide unless refused recently (auto) or configured otherwise.
  let refusal = stored?.accountScopeRefusal;
  let refusedAt = stored?.accountScopeRefusedAt;
  const retryAfterMs = options.retryAccountScopeAfterMs ?? 24 * 3600 * 1000;
  const recentlyRefused = refusedAt !== undefined && now() - Date.parse(refusedAt) < retryAfterMs;
  let scope: 'account' | 'extension' =
    requestedScope === 'extension' || (requestedScope === 'auto' && recentlyRefused) ? 'extension' : 'account';

  let kept: RingCentralSubscription[] = [];
  if (scope === 'account') {
    try {
      kept = [await ensureAccountScope()];
      refusal = undefined;
      refusedAt = undefined;
    } catch (error) {
      if (requestedScope !== 'auto' || !isRingCentralFilterRefusal(error)) throw error;
      refusal = error instanceof Error ? error.message : String(error);
      refusedAt = new Date(now()).toISOString();
      logger.warn('RingCentral account-wide presence filter refused; using per-extension filters', { reason: refusal });
      scope = 'extension';
    }
  }
  if (scope === 'extension') kept = await ensureExtensionScope(live.filter((s) => !kept.includes(s)));

  // 3. Whatever of ours is not kept is surplus (e.g. per-extension ones after the account filter succeeded).
  const keptIds = new Set(kept.map((s) => s.id));
  for (const subscription of live) {
    if (!keptIds.has(subscription.id)) await remove(subscription.id, 'no longer needed');
  }

  const document: RingCentralSubscriptionsDocument = {
    address: notificationUrl,
    scope,
    ids: kept.map((s) => s.id),
    ...(refusedAt ? { accountScopeRefusedAt: refusedAt } : {}),
    ...(refusal ? { accountScopeRefusal: refusal } : {}),
    ...(ids.accountId !== undefined ? { accountId: ids.accountId } : {}),
    ...(ids.extensionId !== undefined ? { ownerExtensionId: ids.extensionId } : {}),
    verificationTokenHashes: Object.fromEntries(kept.flatMap((s) => (tokenHashes.has(s.id) ? [[s.id, tokenHashes.get(s.id)!]] : []))),
    updatedAt: new Date(now()).toISOString(),
  };
  await overwriteDocument(documents, RINGCENTRAL_SUBSCRIPTIONS_DOCUMENT, document);
  return { scope, subscriptions: kept, actions, ...(refusal ? { accountScopeRefusal: refusal } : {}) };

  async function ensureAccountScope(): Promise<RingCentralSubscription> {
    const existing = live.find((s) => s.eventFilters.some((f) => isRingCentralAccountPresenceFilter(f) && !isDisabled(s, f, ids)));
    if (existing) return maintain(existing, existing.eventFilters.filter(isRingCentralAccountPresenceFilter));
    let lastError: unknown;
    for (const filter of RINGCENTRAL_ACCOUNT_PRESENCE_FILTERS) {
      let created: RingCentralSubscription;
      try {
        created = await create([filter], 'account-wide presence');
      } catch (error) {
        if (!isRingCentralFilterRefusal(error)) throw error;
        lastError = error;
        continue;
      }
      // RingCentral answers with `~` expanded: compare by meaning, or every create looks refused.
      const disabled = created.disabledFilters.find((d) => d.filter !== undefined && sameRingCentralFilter(d.filter, filter, ids));
      if (!disabled && includesRingCentralFilter(created.eventFilters, filter, ids)) return created;
      await remove(created.id, `filter ${filter} was disabled by RingCentral`);
      lastError = new FilterRefusedError(`RingCentral disabled the filter ${filter}: ${disabled?.reason ?? 'no reason given'}`);
    }
    throw lastError;
  }

  async function ensureExtensionScope(candidates: RingCentralSubscription[]): Promise<RingCentralSubscription[]> {
    const ids = options.extensionIds ?? (await directoryExtensionIds());
    if (ids.length === 0) {
      throw new Error(
        'no RingCentral extensions to subscribe to: the extension directory is empty (the app needs ReadAccounts) ' +
          'and no extension ids were given',
      );
    }
    const filters = [...new Set(ids)].sort().map(ringCentralExtensionPresenceFilter);
    const chunks: string[][] = [];
    for (let i = 0; i < filters.length; i += perSubscription) chunks.push(filters.slice(i, i + perSubscription));
    if (chunks.length + foreign > RINGCENTRAL_MAX_SUBSCRIPTIONS) {
      throw new Error(
        `${filters.length} extensions need ${chunks.length} subscriptions of ${perSubscription} filters, and ${foreign} ` +
          `other subscriptions exist; RingCentral allows ${RINGCENTRAL_MAX_SUBSCRIPTIONS} per user and app: ` +
          'raise RINGCENTRAL_FILTERS_PER_SUBSCRIPTION or grant the app ReadAccounts for the account-wide filter',
      );
    }
    const reusable = candidates
      .filter((s) => s.eventFilters.length > 0 && s.eventFilters.every(isRingCentralExtensionPresenceFilter))
      .sort((a, b) => (a.creationTime ?? '').localeCompare(b.creationTime ?? ''));
    const result: RingCentralSubscription[] = [];
    for (let i = 0; i < chunks.length; i++) {
      result.push(reusable[i] ? await maintain(reusable[i], chunks[i]) : await create(chunks[i], `per-extension presence (${chunks[i].length})`));
    }
    return result;
  }

  async function directoryExtensionIds(): Promise<string[]> {
    let directory = await readRingCentralDirectory(documents);
    if (directory.size === 0) {
      await refreshRingCentralDirectory(client, documents, { now });
      directory = await readRingCentralDirectory(documents);
    }
    return [...directory.entries()].filter(([, entry]) => isRingCentralUserExtension(entry)).map(([id]) => id);
  }
}
