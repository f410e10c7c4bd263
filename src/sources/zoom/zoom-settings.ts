/**
 * Zoom's variables (README.md#configuration): the webhook secret tokens and their clock tolerance, the
 * accounts allowed to send events, and the Server-to-Server OAuth app the backfill reads with. A pure
 * function of the environment, called by src/config.ts, so a bad value fails at startup naming the variable.
 */
import { readInteger, readList, readText, readUrl, type Env } from '../../env-values';

export interface ZoomSettings {
  readonly webhookSecretTokens: readonly string[];
  readonly signatureToleranceSeconds: number;
  /** The Server-to-Server OAuth account: the first ZOOM_ACCOUNT_ID value. */
  readonly accountId?: string;
  /** Every ZOOM_ACCOUNT_ID value: events from other accounts are refused (403). Empty: no check. */
  readonly allowedAccountIds: readonly string[];
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly apiBaseUrl: string;
  readonly oauthBaseUrl: string;
}

/**
 * Default accepted age of a Zoom request's `x-zm-request-timestamp`. Zoom retries a failed delivery (5xx or
 * timeout) 5, then 20, then 60 minutes later, the last about 85 minutes after the first attempt
 * (https://developers.zoom.us/docs/api/webhooks/#notification-delivery), and does not document whether a retry
 * carries a fresh timestamp; 7200 s covers that schedule with slack. A replay inside that window is harmless: a stale or duplicate event writes nothing (docs/zoom.md).
 */
export const ZOOM_DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 7200;

export function readZoomSettings(env: Env): ZoomSettings {
  return {
    webhookSecretTokens: readList(env, 'ZOOM_WEBHOOK_SECRET_TOKEN'),
    signatureToleranceSeconds: readInteger(env, 'ZOOM_SIGNATURE_TOLERANCE_SECONDS', ZOOM_DEFAULT_SIGNATURE_TOLERANCE_SECONDS, 1, 86400),
    // Comma-separated: the first is the OAuth account, all of them are allowed to send events. Compared
    // exactly, like Zoom user ids (docs/zoom.md).
    accountId: readList(env, 'ZOOM_ACCOUNT_ID')[0],
    allowedAccountIds: readList(env, 'ZOOM_ACCOUNT_ID'),
    clientId: readText(env, 'ZOOM_CLIENT_ID'),
    clientSecret: readText(env, 'ZOOM_CLIENT_SECRET'),
    apiBaseUrl: readUrl(env, 'ZOOM_API_BASE_URL') ?? 'https://api.zoom.us/v2',
    oauthBaseUrl: readUrl(env, 'ZOOM_OAUTH_BASE_URL') ?? 'https://zoom.us',
  };
}
