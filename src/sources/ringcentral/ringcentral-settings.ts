/**
 * Optional RingCentral tuning beyond the variables of README.md#configuration. Pure: the composition root
 * passes its environment (config.ts stays the only reader of `process.env`). Every variable has a default, so
 * none has to be set; a malformed one fails with a message naming it.
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `RINGCENTRAL_RATE_LIMIT_LIGHT` / `_MEDIUM` / `_HEAVY` / `_AUTH` | requests per minute the bridge allows itself per rate group | 50 / 40 / 10 / 5 |
 * | `RINGCENTRAL_SUBSCRIPTION_SCOPE` | `auto` (account-wide filter, per-extension filters if refused), `account`, or `extension` | `auto` |
 * | `RINGCENTRAL_SUBSCRIPTION_EXPIRES_IN` | requested WebHook subscription lifetime, seconds (max 315360000) | `315360000` |
 * | `RINGCENTRAL_FILTERS_PER_SUBSCRIPTION` | per-extension filters packed into one subscription | `1000` |
 * | `RINGCENTRAL_BACKFILL_PAGE_SIZE` | `perPage` of account presence reads | `1000` |
 *
 * Rate groups and defaults: https://developers.ringcentral.com/guide/basics/rate-limits. WebHook
 * `expiresIn` maximum:
 * https://github.com/ringcentral/ringcentral-extensible/blob/master/packages/core/src/definitions/CreateWebhookSubscriptionRequest.ts.
 */
import { readInteger, type Env } from '../../env-values';
import { ConfigError } from '../../errors';
import { RINGCENTRAL_DEFAULT_RATE_LIMITS, type RingCentralRateGroup } from './ringcentral-rate-limit';

export const RINGCENTRAL_SUBSCRIPTION_SCOPES = ['auto', 'account', 'extension'] as const;
export type RingCentralSubscriptionScope = (typeof RINGCENTRAL_SUBSCRIPTION_SCOPES)[number];

/** WebHook subscriptions may live up to 10 years. */
export const RINGCENTRAL_MAX_WEBHOOK_EXPIRES_IN = 315_360_000;

export interface RingCentralSettings {
  readonly rateLimits: Readonly<Record<RingCentralRateGroup, number>>;
  readonly subscriptionScope: RingCentralSubscriptionScope;
  readonly subscriptionExpiresIn: number;
  readonly filtersPerSubscription: number;
  readonly backfillPageSize: number;
}

export const DEFAULT_RINGCENTRAL_SETTINGS: RingCentralSettings = {
  rateLimits: RINGCENTRAL_DEFAULT_RATE_LIMITS,
  subscriptionScope: 'auto',
  subscriptionExpiresIn: RINGCENTRAL_MAX_WEBHOOK_EXPIRES_IN,
  filtersPerSubscription: 1000,
  backfillPageSize: 1000,
};

const integer = readInteger;

/** Reads the optional RingCentral settings from `env`. */
export function readRingCentralSettings(env: Env): RingCentralSettings {
  const scopeRaw = env.RINGCENTRAL_SUBSCRIPTION_SCOPE?.trim().toLowerCase() || DEFAULT_RINGCENTRAL_SETTINGS.subscriptionScope;
  if (!(RINGCENTRAL_SUBSCRIPTION_SCOPES as readonly string[]).includes(scopeRaw)) {
    throw new ConfigError(`RINGCENTRAL_SUBSCRIPTION_SCOPE must be one of ${RINGCENTRAL_SUBSCRIPTION_SCOPES.join(', ')}, got "${scopeRaw}"`);
  }
  const limit = (group: RingCentralRateGroup) =>
    integer(env, `RINGCENTRAL_RATE_LIMIT_${group.toUpperCase()}`, RINGCENTRAL_DEFAULT_RATE_LIMITS[group], 1, 100_000);
  return Object.freeze({
    rateLimits: Object.freeze({ Light: limit('Light'), Medium: limit('Medium'), Heavy: limit('Heavy'), Auth: limit('Auth') }),
    subscriptionScope: scopeRaw as RingCentralSubscriptionScope,
    subscriptionExpiresIn: integer(
      env,
      'RINGCENTRAL_SUBSCRIPTION_EXPIRES_IN',
      DEFAULT_RINGCENTRAL_SETTINGS.subscriptionExpiresIn,
      1,
      RINGCENTRAL_MAX_WEBHOOK_EXPIRES_IN,
    ),
    filtersPerSubscription: integer(env, 'RINGCENTRAL_FILTERS_PER_SUBSCRIPTION', DEFAULT_RINGCENTRAL_SETTINGS.filtersPerSubscription, 1, 10_000),
    backfillPageSize: integer(env, 'RINGCENTRAL_BACKFILL_PAGE_SIZE', DEFAULT_RINGCENTRAL_SETTINGS.backfillPageSize, 1, 1000),
  });
}
