/**
 * OAuth client-credentials login to Genesys Cloud, with a token cache.
 *
 * `POST {loginBaseUrl}/oauth/token`, `Authorization: Basic base64(id:secret)`, form body
 * `grant_type=client_credentials`; the answer has `access_token`, `token_type`, `expires_in` (s)
 * (https://developer.genesys.cloud/api/rest/authorization/use-client-credentials; JS-SDK
 * `ApiClient.js` `loginClientCredentialsGrant`). There is no refresh token for this grant, so a new
 * login replaces an expiring token. The token-creation rate limit is undocumented
 * (docs/vendors.md#genesys-open-questions-and-how-the-code-hedges), so logins are cached, shared and
 * counted in the budget.
 */
import * as z from 'zod';
import { createTokenCache } from '../http/token-cache';
import { silentLogger, type Logger } from '../logger';
import { GenesysApiError } from './genesys-errors';
import type { GenesysTransport } from './transport';

/** Gives out a bearer token and accepts "this one was refused". */
export interface TokenProvider {
  /** A valid access token, from the cache or from one shared login. */
  getToken(): Promise<string>;
  /**
   * Drops the cached token after a 401. With `token`, only if it is still the cached one, so many
   * requests refused at once cause a single re-login.
   */
  invalidate(token?: string): void;
}

export interface ClientCredentialsOptions {
  readonly loginBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Budgeted transport: the login counts against the request budget like any request. */
  readonly transport: GenesysTransport;
  readonly now?: () => number;
  readonly logger?: Logger;
}

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  // Lifetime is set per OAuth client, 300..172800 s (help.mypurecloud.com/articles/create-an-oauth-client/).
  expires_in: z.coerce.number().positive().optional(),
});

/** Used when a login answer has no `expires_in`: the shortest lifetime an OAuth client may have. */
const FALLBACK_LIFETIME_S = 300;
/** Renew this long before expiry at most (60 s), or 10 % of the lifetime for short-lived tokens. */
const MAX_EARLY_RENEWAL_MS = 60_000;

/** Creates a cached client-credentials token provider. */
export function createClientCredentialsAuth(options: ClientCredentialsOptions): TokenProvider {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const path = '/oauth/token';
  const url = `${options.loginBaseUrl.replace(/\/+$/, '')}${path}`;
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64');
  async function login(): Promise<{ value: string; refreshAt: number }> {
    const response = await options.transport.send<unknown>({
      method: 'POST',
      url,
      path,
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      data: 'grant_type=client_credentials',
      // A login has no side effect worth guarding: retry it like a read.
      idempotent: true,
    });
    const parsed = TokenResponseSchema.safeParse(response.data);
    if (!parsed.success) {
      throw new GenesysApiError({
        status: response.status,
        method: 'POST',
        path,
        retryable: false,
        genesysMessage: 'the login answer has no access_token',
        requestId: response.requestId,
        cause: parsed.error,
      });
    }
    const lifetimeMs = (parsed.data.expires_in ?? FALLBACK_LIFETIME_S) * 1000;
    const early = Math.min(MAX_EARLY_RENEWAL_MS, lifetimeMs * 0.1);
    logger.debug('Genesys login succeeded', { expiresInSeconds: lifetimeMs / 1000 });
    return { value: parsed.data.access_token, refreshAt: now() + lifetimeMs - early };
  }

  // Concurrent callers share one login.
  const cache = createTokenCache(login, now);
  return { getToken: () => cache.get(), invalidate: (token) => cache.invalidate(token) };
}
