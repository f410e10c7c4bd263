/**
 * How each system's events reach the bridge, and whether that looks healthy, from what the store
 * remembers (no vendor call): Teams subscriptions per service account or polling, RingCentral's
 * subscriptions from the last ensure run, Zoom's webhook. The same readers back the `teams
 * subscriptions` CLI (src/sources/teams/subscription-status.ts).
 */
import type { BridgeConfig } from '../config';
import { readRingCentralSubscriptionStatus, type RingCentralSubscriptionStatus } from '../sources/ringcentral/subscription-status';
import { readTeamsSubscriptionStatus, type SubscriptionStatus } from '../sources/teams/subscription-status';
import type { DocumentStore } from '../store/state-store';
import type { SystemName } from '../systems';

/** ok: events can flow; warning: something needs the operator; off: not configured; unknown: nothing to tell yet. */
export type FeedState = 'ok' | 'warning' | 'off' | 'unknown';

export interface FeedHealth {
  readonly kind: 'webhook' | 'subscription' | 'polling';
  readonly state: FeedState;
  /** One line an operator reads, saying what to do when it is not ok. */
  readonly summary: string;
  /** Teams subscription mode: one entry per service account. */
  readonly teamsAccounts?: readonly SubscriptionStatus[];
  readonly ringcentral?: RingCentralSubscriptionStatus;
}

/** What the feed health needs to know of the configuration (no secrets: only whether they are set). */
export interface FeedSettings {
  readonly teams: { readonly configured: boolean; readonly mode: 'subscription' | 'polling'; readonly pollIntervalSeconds: number };
  readonly zoom: { readonly configured: boolean };
  readonly ringcentral: { readonly configured: boolean; readonly apiConfigured: boolean };
}

export function feedSettingsFrom(config: BridgeConfig): FeedSettings {
  return {
    teams: {
      configured: config.teams.clientStates.length > 0 || config.teams.hasApiCredentials,
      mode: config.teams.settings.mode,
      pollIntervalSeconds: config.teams.settings.pollIntervalSeconds,
    },
    zoom: { configured: config.zoom.webhookSecretTokens.length > 0 },
    ringcentral: { configured: config.ringcentral.verificationTokens.length > 0, apiConfigured: config.ringcentral.hasApiCredentials },
  };
}

async function teamsHealth(store: DocumentStore, settings: FeedSettings['teams'], now: number): Promise<FeedHealth> {
  if (settings.mode === 'polling') {
    return {
      kind: 'polling',
      state: settings.configured ? 'ok' : 'off',
      summary: settings.configured
        ? `polling every ${settings.pollIntervalSeconds} s (TEAMS_MODE=polling or no BRIDGE_PUBLIC_URL)`
        : 'not configured (set TEAMS_TENANT_ID, TEAMS_CLIENT_ID and TEAMS_CLIENT_SECRET)',
    };
  }
  const accounts = await readTeamsSubscriptionStatus(store);
  if (accounts.length === 0) {
    return {
      kind: 'subscription',
      state: settings.configured ? 'warning' : 'off',
      summary: settings.configured
        ? 'no service account signed in: run presence-bridge teams login --account <name>'
        : 'not configured (set TEAMS_CLIENT_STATE and the Entra app variables)',
      teamsAccounts: [],
    };
  }
  const problems: string[] = [];
  for (const account of accounts) {
    if (!account.username) problems.push(`${account.account}: not signed in (presence-bridge teams login --account ${account.account})`);
    else if (account.lastError) problems.push(`${account.account}: ${account.lastError}`);
    else if (!account.subscriptionId) problems.push(`${account.account}: no subscription yet (created at the next maintenance run)`);
    else if (account.expiresAt && Date.parse(account.expiresAt) <= now) problems.push(`${account.account}: subscription expired ${account.expiresAt}`);
  }
  const users = accounts.reduce((sum, account) => sum + account.users, 0);
  return {
    kind: 'subscription',
    state: problems.length > 0 ? 'warning' : 'ok',
    summary: problems.length > 0 ? problems.join('; ') : `${accounts.length} service account(s), ${users} users subscribed`,
    teamsAccounts: accounts,
  };
}

async function ringCentralHealth(store: DocumentStore, settings: FeedSettings['ringcentral']): Promise<FeedHealth> {
  const status = await readRingCentralSubscriptionStatus(store);
  if (!status) {
    if (!settings.configured) {
      return { kind: 'subscription', state: 'off', summary: 'not configured (set RINGCENTRAL_VERIFICATION_TOKEN and the JWT-flow app variables)' };
    }
    return {
      kind: 'subscription',
      state: 'unknown',
      summary: settings.apiConfigured
        ? 'no subscription ensured yet: the maintainer creates it (needs BRIDGE_PUBLIC_URL), or run presence-bridge ringcentral subscriptions --ensure'
        : 'webhook only: subscriptions are not managed without RINGCENTRAL_CLIENT_ID, RINGCENTRAL_CLIENT_SECRET and RINGCENTRAL_JWT',
    };
  }
  const count = status.subscriptionIds.length;
  const refused = status.accountScopeRefusal ? `; account-wide filter refused: ${status.accountScopeRefusal}` : '';
  return {
    kind: 'subscription',
    state: count > 0 ? 'ok' : 'warning',
    summary:
      count > 0
        ? `${count} subscription(s), ${status.scope} scope, checked ${status.checkedAt}${refused}`
        : `no live subscription after the check of ${status.checkedAt}: see the maintainer's log${refused}`,
    ringcentral: status,
  };
}

/** Feed health of every system. */
export async function readFeedHealth(store: DocumentStore, settings: FeedSettings, now: number): Promise<Record<SystemName, FeedHealth>> {
  return {
    teams: await teamsHealth(store, settings.teams, now),
    zoom: {
      kind: 'webhook',
      state: settings.zoom.configured ? 'ok' : 'off',
      summary: settings.zoom.configured
        ? "webhook (the Zoom app's event subscription, managed in the Zoom App Marketplace)"
        : 'not configured (set ZOOM_WEBHOOK_SECRET_TOKEN)',
    },
    ringcentral: await ringCentralHealth(store, settings.ringcentral),
  };
}
