/**
 * Teams-only settings beyond the variables of README.md#configuration. A pure function of the environment so
 * the composition root (config.ts) can call it and fail early with a message naming the variable.
 */
import { publicUrlVariable, readInteger, readList, readText, type Env } from '../../env-values';
import { ConfigError } from '../../errors';

export type { Env };

/**
 * The appId of the "Microsoft Graph Change Tracking" service principal: the caller named in the
 * `azp` (v2) / `appid` (v1) claim of every validation token Graph sends with rich notifications
 * (https://learn.microsoft.com/graph/change-notifications-with-resource-data#how-to-validate).
 */
export const GRAPH_CHANGE_TRACKING_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';

/** `subscription`: service accounts + webhooks (+ reconciliation); `polling`: getPresencesByUserId only. */
export const TEAMS_MODES = ['subscription', 'polling'] as const;
export type TeamsMode = (typeof TEAMS_MODES)[number];

export interface TeamsSettings {
  /** `auto` resolves to subscription when BRIDGE_PUBLIC_URL (or TEAMS_NOTIFICATION_URL) is set, polling otherwise. */
  readonly mode: TeamsMode;
  /** How often polling mode reads every covered user's presence. */
  readonly pollIntervalSeconds: number;
  /** Secrets the token vault derives its AES-256-GCM keys from; the first encrypts, any decrypts (rotation). */
  readonly tokenEncryptionKeys: readonly string[];
  /** Accepted `azp`/`appid` of validation tokens (Graph Change Tracking). */
  readonly changeTrackingAppIds: readonly string[];
  /** Lifetime asked for on create/renew. Presence allows at most 60 min; under 45 is raised to 45. */
  readonly subscriptionLifetimeMinutes: number;
  /** Renew when less than this is left before expiry (the maintainer must run more often than this). */
  readonly renewBeforeMinutes: number;
  /** How old the objectId → email directory may get before the maintainer lists /users again. */
  readonly directoryRefreshMinutes: number;
  /** Upper bound for a JWKS fetch on a cold cache, on the 3-second webhook path. */
  readonly jwksTimeoutMs: number;
  /**
   * getPresencesByUserId budget per 30 s, per app per tenant (plan for 1,500; see
   * docs/vendors.md#teams-getpresencesbyuserid).
   */
  readonly presenceRequestsPer30Seconds: number;
  /**
   * TEAMS_USER_GROUP_ID: when set, only transitive members of this Entra group are considered for
   * coverage (docs/teams.md "Which users are covered"); unset: the whole directory.
   */
  readonly userGroupId?: string;
}

/** Variables this file reads, for the lead to list in config docs and `--help`. */
export const TEAMS_SETTINGS_VARIABLES = [
  'TEAMS_MODE',
  'TEAMS_POLL_INTERVAL_SECONDS',
  'TEAMS_TOKEN_ENCRYPTION_KEY',
  'TEAMS_GRAPH_CHANGE_TRACKING_APP_ID',
  'TEAMS_SUBSCRIPTION_LIFETIME_MINUTES',
  'TEAMS_SUBSCRIPTION_RENEW_BEFORE_MINUTES',
  'TEAMS_DIRECTORY_REFRESH_MINUTES',
  'TEAMS_JWKS_TIMEOUT_MS',
  'TEAMS_PRESENCE_REQUESTS_PER_30S',
] as const;

const text = readText;
const list = readList;
const integer = readInteger;

/** Entra object ids are GUIDs (https://learn.microsoft.com/graph/api/resources/group, property `id`). */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function userGroupId(env: Env): string | undefined {
  const raw = text(env, 'TEAMS_USER_GROUP_ID');
  if (raw === undefined) return undefined;
  if (!GUID.test(raw)) {
    throw new ConfigError(
      `TEAMS_USER_GROUP_ID must be the Entra group's object id (a GUID such as 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0, shown as "Object ID" on the group's page), got "${raw}"`,
    );
  }
  return raw.toLowerCase();
}

/**
 * Parses the Teams-specific variables. Also checks TEAMS_CLIENT_STATE values against Graph's
 * 128-character limit (https://learn.microsoft.com/graph/api/resources/subscription), because a
 * longer value only fails later, when a subscription is created.
 */
export function readTeamsSettings(env: Env): TeamsSettings {
  const rawMode = (text(env, 'TEAMS_MODE') ?? 'auto').toLowerCase();
  let mode: TeamsMode;
  if (rawMode === 'auto') {
    mode = publicUrlVariable(env) ? 'subscription' : 'polling';
  } else if ((TEAMS_MODES as readonly string[]).includes(rawMode)) {
    mode = rawMode as TeamsMode;
  } else {
    throw new ConfigError(`TEAMS_MODE must be one of auto, ${TEAMS_MODES.join(', ')}, got "${rawMode}"`);
  }
  if (mode === 'subscription' && !publicUrlVariable(env)) {
    throw new ConfigError('BRIDGE_PUBLIC_URL must be set when TEAMS_MODE=subscription (it is where Graph delivers)');
  }

  for (const state of list(env, 'TEAMS_CLIENT_STATE')) {
    if (state.length > 128) {
      throw new ConfigError(`TEAMS_CLIENT_STATE values must be at most 128 characters (Graph's limit), one has ${state.length}`);
    }
  }

  const tokenEncryptionKeys = list(env, 'TEAMS_TOKEN_ENCRYPTION_KEY');
  for (const key of tokenEncryptionKeys) {
    if (key.length < 16) {
      throw new ConfigError('TEAMS_TOKEN_ENCRYPTION_KEY values must be at least 16 characters (use 32+ random characters)');
    }
  }

  const changeTrackingAppIds = list(env, 'TEAMS_GRAPH_CHANGE_TRACKING_APP_ID');
  const lifetime = integer(env, 'TEAMS_SUBSCRIPTION_LIFETIME_MINUTES', 58, 45, 60);
  const renewBefore = integer(env, 'TEAMS_SUBSCRIPTION_RENEW_BEFORE_MINUTES', 25, 5, 44);

  return {
    mode,
    pollIntervalSeconds: integer(env, 'TEAMS_POLL_INTERVAL_SECONDS', 60, 10, 3600),
    tokenEncryptionKeys,
    changeTrackingAppIds: changeTrackingAppIds.length > 0 ? changeTrackingAppIds : [GRAPH_CHANGE_TRACKING_APP_ID],
    subscriptionLifetimeMinutes: lifetime,
    renewBeforeMinutes: renewBefore,
    directoryRefreshMinutes: integer(env, 'TEAMS_DIRECTORY_REFRESH_MINUTES', 60, 1, 10080),
    jwksTimeoutMs: integer(env, 'TEAMS_JWKS_TIMEOUT_MS', 2000, 100, 2500),
    presenceRequestsPer30Seconds: integer(env, 'TEAMS_PRESENCE_REQUESTS_PER_30S', 1500, 1, 10000),
    userGroupId: userGroupId(env),
  };
}
