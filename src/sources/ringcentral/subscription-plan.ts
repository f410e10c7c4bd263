/**
 * Which RingCentral subscription calls to make: the pure half of `ensureRingCentralSubscription`
 * (subscriptions.ts performs the actions). Every rule about keeping the bridge's WebHook subscriptions
 * lives here; docs/ringcentral.md explains them for operators.
 *
 * - Ours are the subscriptions delivering by WebHook to our address; others are never touched.
 * - A Blacklisted one never recovers: it is deleted and re-created
 *   (https://developers.ringcentral.com/guide/notifications/webhooks/troubleshooting).
 * - Scope `auto` asks for the account-wide filter (detailed first, then plain); a filter RingCentral refuses
 *   (an error, or the filter coming back in `disabledFilters`) makes it fall back to per-extension filters,
 *   packed `filtersPerSubscription` to a subscription, at most 30 subscriptions per user and app. A refusal
 *   is remembered for `retryAccountScopeAfterMs`.
 * - One existing subscription is kept right: a PUT when its filters differ by meaning (event-filters.ts,
 *   `~` expanded) or its verification token is not the one last sent (RingCentral never shows it back),
 *   a renew when less than `renewBeforeMs` is left, otherwise nothing.
 * - What of ours is not kept is deleted after the new ones exist, so a change of scope leaves no gap; a
 *   subscription whose renew or update answered 404 is replaced by a new one and then deleted too.
 *
 * Some answers decide the rest (was the account filter refused? which extensions exist?), so a plan may end
 * with a question — a `create` with `probe`, or `load-extensions` — and the executor plans again with the
 * answer in `RingCentralRunProgress`. A plan that is complete ends with `remember` or `fail`.
 */
import {
  sameRingCentralFilter,
  sameRingCentralFilterSet,
  includesRingCentralFilter,
  isRingCentralAccountPresenceFilter,
  isRingCentralExtensionPresenceFilter,
  type RingCentralFilterIds,
} from './event-filters';
import type { RingCentralSubscriptionScope } from './ringcentral-settings';
import type { RingCentralSubscription } from './schema';

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

/** The account filter was refused by being disabled (an API refusal keeps its own error). */
export class FilterRefusedError extends Error {
  override readonly name = 'FilterRefusedError';
}

/** What the bridge wants. */
export interface RingCentralDesiredSubscriptions {
  readonly notificationUrl: string;
  /** `hashRingCentralVerificationToken` of the token to send. */
  readonly tokenHash: string;
  readonly scope: RingCentralSubscriptionScope;
  /** Extensions for per-extension filters; undefined: ask (`load-extensions`) when needed. */
  readonly extensionIds?: readonly string[];
}

/** What was learned earlier in this run (the answers to a plan's questions). */
export interface RingCentralRunProgress {
  /** Account filters tried this run: the subscription created for it, or why it was refused. */
  readonly probes: readonly { readonly filter: string; readonly subscriptionId?: string; readonly error?: unknown }[];
  /** Keeping the account-wide subscription (renew, update, or re-create when gone) was refused with this error. */
  readonly accountRefusal?: { readonly error: unknown };
  /** Subscription ids created this run (kept without another "reused"). */
  readonly created: readonly string[];
  /** The enabled User extensions of the directory, once loaded. */
  readonly extensionIds?: readonly string[];
}

/** What the store remembers (document `ringcentral-subscriptions`), plus this run's progress. */
export interface RingCentralStoredSubscriptions {
  /** Per subscription id: hash of the token it was created or last updated with. */
  readonly tokenHashes: Readonly<Record<string, string>>;
  readonly accountScopeRefusedAt?: string;
  readonly accountScopeRefusal?: string;
  /** What `~` stands for. */
  readonly filterIds: RingCentralFilterIds;
  readonly run: RingCentralRunProgress;
}

export interface RingCentralPlanSettings {
  /** Lifetime asked for, in seconds (already clamped, see `ringCentralPlanSettings`). */
  readonly expiresIn: number;
  readonly filtersPerSubscription: number;
  readonly renewBeforeMs: number;
  readonly retryAccountScopeAfterMs: number;
  readonly maxSubscriptions: number;
}

/** A create the executor makes when a subscription being renewed or updated turns out to be gone (404). */
export interface RingCentralCreateAction {
  readonly kind: 'create';
  readonly eventFilters: readonly string[];
  readonly detail: string;
  /** Set on an account-filter attempt: a refusal is recorded and the executor plans again. */
  readonly probe?: string;
}

export type RingCentralPlanAction =
  | RingCentralCreateAction
  | {
      readonly kind: 'delete';
      readonly id: string;
      readonly detail: string;
      readonly refusal?: { readonly filter: string; readonly error: Error };
      /** Only when a renew or update of this id found it gone and a new one was created (the 404 may be transient). */
      readonly ifReplaced?: true;
    }
  /**
   * `refusable`: the account-wide subscription; a filter refusal (`isRingCentralFilterRefusal`) is recorded as
   * `accountRefusal` and the executor plans again, which falls back like a refused create.
   */
  | {
      readonly kind: 'update';
      readonly id: string;
      readonly eventFilters: readonly string[];
      readonly detail: string;
      readonly ifGone: RingCentralCreateAction;
      readonly refusable?: true;
    }
  | { readonly kind: 'renew'; readonly id: string; readonly detail: string; readonly ifGone: RingCentralCreateAction; readonly refusable?: true }
  | { readonly kind: 'keep'; readonly id: string; readonly silent: boolean }
  | { readonly kind: 'load-extensions' }
  /** A log line for operators (the executor writes each distinct one once per run). */
  | { readonly kind: 'report'; readonly message: string; readonly context: Readonly<Record<string, unknown>> }
  | { readonly kind: 'remember'; readonly scope: 'account' | 'extension'; readonly refusal?: string; readonly refusedAt?: string }
  | { readonly kind: 'fail'; readonly error: unknown };

const DAY_MS = 24 * 3600 * 1000;

/** The most a subscription is renewed ahead of its expiry (less when half its lifetime is shorter). */
const MAX_RENEW_BEFORE_MS = 7 * DAY_MS;

/**
 * Settings from the options: lifetime clamped to RingCentral's maximum, renew margin min(7 days, half the
 * lifetime), the account-wide filter tried again a day after it was refused.
 */
export function ringCentralPlanSettings(options: { expiresIn?: number; filtersPerSubscription?: number }, maxExpiresIn: number): RingCentralPlanSettings {
  const expiresIn = Math.min(options.expiresIn ?? maxExpiresIn, maxExpiresIn);
  return {
    expiresIn,
    filtersPerSubscription: options.filtersPerSubscription ?? 1000,
    renewBeforeMs: Math.min(MAX_RENEW_BEFORE_MS, (expiresIn * 1000) / 2),
    retryAccountScopeAfterMs: DAY_MS,
    maxSubscriptions: RINGCENTRAL_MAX_SUBSCRIPTIONS,
  };
}

function sameAddress(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim().replace(/\/+$/, '') === b.trim().replace(/\/+$/, '');
}

/** True when the subscription delivers to `notificationUrl` by WebHook: one of the bridge's own. */
export function isBridgeSubscription(subscription: RingCentralSubscription, notificationUrl: string): boolean {
  return subscription.deliveryMode?.transportType?.toLowerCase() === 'webhook' && sameAddress(subscription.deliveryMode.address, notificationUrl);
}

function isBlacklisted(subscription: RingCentralSubscription): boolean {
  return subscription.status?.toLowerCase() === 'blacklisted';
}

function isDisabled(subscription: RingCentralSubscription, filter: string, ids: RingCentralFilterIds): boolean {
  return subscription.disabledFilters.some((disabled) => disabled.filter !== undefined && sameRingCentralFilter(disabled.filter, filter, ids));
}

/** One planning pass: inputs plus what it decided so far. */
interface Pass {
  readonly desired: RingCentralDesiredSubscriptions;
  readonly stored: RingCentralStoredSubscriptions;
  readonly now: number;
  readonly settings: RingCentralPlanSettings;
  readonly actions: RingCentralPlanAction[];
  /** Ids kept (maintained) by this plan. */
  readonly kept: Set<string>;
  /** Ids renewed or updated by this plan: replaced when found gone. */
  readonly changed: Set<string>;
}

/** Keeps one existing subscription right: token and filters as desired, renewed when near expiry. */
function maintain(pass: Pass, subscription: RingCentralSubscription, eventFilters: readonly string[], refusable = false): void {
  const { id } = subscription;
  pass.kept.add(id);
  const sentHash = pass.stored.tokenHashes[id];
  const tokenDiffers = sentHash !== pass.desired.tokenHash;
  const filtersDiffer = !sameRingCentralFilterSet(subscription.eventFilters, eventFilters, pass.stored.filterIds);
  const expiresAt = subscription.expirationTime ? Date.parse(subscription.expirationTime) : NaN;
  const expiring = !Number.isFinite(expiresAt) || expiresAt - pass.now < pass.settings.renewBeforeMs;
  const ifGone: RingCentralCreateAction = { kind: 'create', eventFilters, detail: `${id} had disappeared` };
  if (tokenDiffers || filtersDiffer || expiring) pass.changed.add(id);
  if (tokenDiffers || filtersDiffer) {
    const tokenDetail = sentHash === undefined ? 'verification token not remembered, sent again' : 'verification token rotated';
    const detail = [tokenDiffers && tokenDetail, filtersDiffer && 'event filters changed'].filter(Boolean).join(', ');
    pass.actions.push({ kind: 'update', id, eventFilters, detail, ifGone, ...(refusable ? { refusable } : {}) });
  } else if (expiring) {
    pass.actions.push({ kind: 'renew', id, detail: `was expiring ${subscription.expirationTime ?? '(unknown)'}`, ifGone, ...(refusable ? { refusable } : {}) });
  } else {
    pass.actions.push({ kind: 'keep', id, silent: pass.stored.run.created.includes(id) });
  }
}

type AccountOutcome = { readonly kind: 'kept' } | { readonly kind: 'asked' } | { readonly kind: 'refused'; readonly error: unknown };

/**
 * The account-wide subscription: an existing one whose account filter is not disabled, or the next untried
 * account filter (a question). Subscriptions created for a filter that came back disabled are deleted.
 */
function planAccountScope(pass: Pass, live: RingCentralSubscription[], dropped: Set<string>): AccountOutcome {
  const ids = pass.stored.filterIds;
  const { accountRefusal } = pass.stored.run;
  if (accountRefusal) return { kind: 'refused', error: accountRefusal.error };
  let lastError: unknown;
  for (const probe of pass.stored.run.probes) {
    lastError = probe.error ?? lastError;
    const created = live.find((s) => s.id === probe.subscriptionId);
    if (!created) continue;
    // RingCentral answers with `~` expanded: compare by meaning, or every create looks refused.
    const disabled = created.disabledFilters.find((d) => d.filter !== undefined && sameRingCentralFilter(d.filter, probe.filter, ids));
    if (!disabled && includesRingCentralFilter(created.eventFilters, probe.filter, ids)) continue;
    const error = new FilterRefusedError(`RingCentral disabled the filter ${probe.filter}: ${disabled?.reason ?? 'no reason given'}`);
    pass.actions.push({
      kind: 'delete',
      id: created.id,
      detail: `filter ${probe.filter} was disabled by RingCentral`,
      refusal: { filter: probe.filter, error },
    });
    dropped.add(created.id);
    lastError = error;
  }
  const usable = live.find((s) => !dropped.has(s.id) && s.eventFilters.some((f) => isRingCentralAccountPresenceFilter(f) && !isDisabled(s, f, ids)));
  if (usable) {
    maintain(pass, usable, usable.eventFilters.filter(isRingCentralAccountPresenceFilter), true);
    return { kind: 'kept' };
  }
  const tried = new Set(pass.stored.run.probes.map((p) => p.filter));
  const next = RINGCENTRAL_ACCOUNT_PRESENCE_FILTERS.find((filter) => !tried.has(filter));
  if (next === undefined) return { kind: 'refused', error: lastError };
  pass.actions.push({ kind: 'create', eventFilters: [next], detail: 'account-wide presence', probe: next });
  return { kind: 'asked' };
}

/** Per-extension subscriptions: `filtersPerSubscription` filters each, reusing ours oldest first. */
function planExtensionScope(pass: Pass, candidates: RingCentralSubscription[], foreign: number): boolean {
  const extensionIds = pass.desired.extensionIds ?? pass.stored.run.extensionIds;
  if (extensionIds === undefined) {
    pass.actions.push({ kind: 'load-extensions' });
    return false;
  }
  if (extensionIds.length === 0) {
    const message = 'no RingCentral extensions to subscribe to: the extension directory is empty (the app needs ReadAccounts) and no extension ids were given';
    pass.actions.push({ kind: 'fail', error: new Error(message) });
    return false;
  }
  const { filtersPerSubscription: perSubscription, maxSubscriptions } = pass.settings;
  const filters = [...new Set(extensionIds)].sort().map(ringCentralExtensionPresenceFilter);
  const chunks: string[][] = [];
  for (let i = 0; i < filters.length; i += perSubscription) chunks.push(filters.slice(i, i + perSubscription));
  if (chunks.length + foreign > maxSubscriptions) {
    const message =
      `${filters.length} extensions need ${chunks.length} subscriptions of ${perSubscription} filters, and ${foreign} ` +
      `other subscriptions exist; RingCentral allows ${maxSubscriptions} per user and app: ` +
      'raise RINGCENTRAL_FILTERS_PER_SUBSCRIPTION or grant the app ReadAccounts for the account-wide filter';
    pass.actions.push({ kind: 'fail', error: new Error(message) });
    return false;
  }
  const reusable = candidates
    .filter((s) => s.eventFilters.length > 0 && s.eventFilters.every(isRingCentralExtensionPresenceFilter))
    .sort((a, b) => (a.creationTime ?? '').localeCompare(b.creationTime ?? ''));
  chunks.forEach((chunk, i) => {
    if (reusable[i]) maintain(pass, reusable[i], chunk);
    else pass.actions.push({ kind: 'create', eventFilters: chunk, detail: `per-extension presence (${chunk.length})` });
  });
  return true;
}

/**
 * The calls that bring `existing` (what `GET /restapi/v1.0/subscription` listed, plus what this run did) to
 * `desired`. Pure. Ends with `remember` (done), `fail`, or a question (`create` with `probe`, `load-extensions`).
 */
export function planRingCentralSubscriptions(
  existing: readonly RingCentralSubscription[],
  desired: RingCentralDesiredSubscriptions,
  stored: RingCentralStoredSubscriptions,
  now: number,
  settings: RingCentralPlanSettings,
): RingCentralPlanAction[] {
  const pass: Pass = { desired, stored, now, settings, actions: [], kept: new Set(), changed: new Set() };
  const ours = existing.filter((s) => isBridgeSubscription(s, desired.notificationUrl));
  const foreign = existing.length - ours.length;
  const live: RingCentralSubscription[] = [];
  for (const subscription of ours) {
    if (!isBlacklisted(subscription)) live.push(subscription);
    else
      pass.actions.push({
        kind: 'delete',
        id: subscription.id,
        detail: `blacklisted (${subscription.blacklistedData?.reason ?? 'no reason given'}); re-created`,
      });
  }

  // Scope: account-wide unless refused recently (auto) or configured otherwise.
  let refusal = stored.accountScopeRefusal;
  let refusedAt = stored.accountScopeRefusedAt;
  const recentlyRefused = refusedAt !== undefined && now - Date.parse(refusedAt) < settings.retryAccountScopeAfterMs;
  const requested = desired.scope;
  let scope: 'account' | 'extension' = requested === 'extension' || (requested === 'auto' && recentlyRefused) ? 'extension' : 'account';
  const dropped = new Set<string>();
  if (scope === 'account') {
    const outcome = planAccountScope(pass, live, dropped);
    if (outcome.kind === 'asked') return pass.actions;
    if (outcome.kind === 'kept') {
      refusal = undefined;
      refusedAt = undefined;
    } else if (requested !== 'auto') {
      pass.actions.push({ kind: 'fail', error: outcome.error });
      return pass.actions;
    } else {
      refusal = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      refusedAt = new Date(now).toISOString();
      scope = 'extension';
      pass.actions.push({
        kind: 'report',
        message: 'RingCentral account-wide presence filter refused; using per-extension filters',
        context: { reason: refusal },
      });
    }
  }
  if (
    scope === 'extension' &&
    !planExtensionScope(
      pass,
      live.filter((s) => !dropped.has(s.id)),
      foreign,
    )
  )
    return pass.actions;

  // Whatever of ours is not kept is surplus (e.g. per-extension ones after the account filter succeeded);
  // so is one found gone on renew or update and replaced.
  for (const { id } of live) {
    if (dropped.has(id)) continue;
    if (!pass.kept.has(id)) pass.actions.push({ kind: 'delete', id, detail: 'no longer needed' });
    else if (pass.changed.has(id)) pass.actions.push({ kind: 'delete', id, detail: 'no longer needed', ifReplaced: true });
  }
  pass.actions.push({ kind: 'remember', scope, ...(refusal ? { refusal } : {}), ...(refusedAt ? { refusedAt } : {}) });
  return pass.actions;
}
