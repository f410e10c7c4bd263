/**
 * Zoom REST client for backfill reads: Server-to-Server OAuth, `GET /users/{userId}/presence_status`
 * and `GET /users/{userId}`, paced to a requests-per-second budget, with 429/5xx retries and typed errors.
 */
import axios, { type AxiosRequestConfig } from 'axios';
import type { ZodError } from 'zod';
import { missingVariables, type ZoomConfig } from '../../config';
import { ConfigError, InvalidInputError } from '../../errors';
import { createRateLimiter, realSleep } from './rate-limiter';
import { isZoomDailyLimit, parseRetryAfterMs, shouldRetryZoomRequest, zoomBackoffMs } from './retry-policy';
import {
  describeZodError,
  ZoomErrorBodySchema,
  ZoomRestPresenceSchema,
  ZoomTokenResponseSchema,
  ZoomUserSchema,
  type ZoomErrorBody,
  type ZoomRestPresence,
  type ZoomUser,
} from './schema';
import { describeZoomApiFailure, ZOOM_ERROR_CODES, ZoomApiError, type ZoomOperation } from './zoom-api-error';

/**
 * Default pace for MEDIUM-label calls. Zoom allows 20/s on Pro and 60/s on Business+, per account and
 * shared with every other app (https://developers.zoom.us/docs/api/rate-limits/); half of Pro leaves
 * room for the others. Free accounts (2/s) should configure 2.
 */
export const ZOOM_DEFAULT_REQUESTS_PER_SECOND = 10;

/**
 * Tokens are treated as expired 60 s early, as Zoom's own SDK does (`EXPIRATION_DELTA_SECONDS = 60` in
 * @zoom/rivet), so a request never leaves with a token that expires in flight.
 */
export const ZOOM_TOKEN_EXPIRY_MARGIN_MS = 60_000;

/** Zoom S2S tokens live one hour (https://developers.zoom.us/docs/internal-apps/s2s-oauth/). */
const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export interface ZoomClientOptions {
  readonly accountId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** e.g. `https://api.zoom.us/v2` (ZOOM_API_BASE_URL). */
  readonly apiBaseUrl: string;
  /** e.g. `https://zoom.us` (ZOOM_OAUTH_BASE_URL). */
  readonly oauthBaseUrl: string;
  /** Pace of API reads; default {@link ZOOM_DEFAULT_REQUESTS_PER_SECOND}. */
  readonly requestsPerSecond?: number;
  /** Attempts per request, including the first; default 4. */
  readonly maxAttempts?: number;
  /** A `Retry-After` longer than this fails the request at once instead of waiting; default 60 s. */
  readonly maxRetryAfterMs?: number;
  /** Per-request timeout; default 10 s. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The reads the bridge makes from Zoom. */
export interface ZoomClient {
  /** `GET /users/{userId}/presence_status`; `status` is in the REST vocabulary (see rest-presence.ts). */
  getPresenceStatus(userIdOrEmail: string): Promise<ZoomRestPresence>;
  /** `GET /users/{userId}`: resolves an email to the Zoom user id. */
  getUser(userIdOrEmail: string): Promise<ZoomUser>;
}

interface Reply {
  readonly status: number;
  readonly text: string;
  readonly retryAfter?: string;
  readonly error?: unknown;
}

function parseErrorBody(text: string): ZoomErrorBody {
  try {
    const parsed = ZoomErrorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Path segment for a user id or email; `@` is legal in a path segment and kept readable. */
function userSegment(userIdOrEmail: string): string {
  const value = userIdOrEmail.trim();
  if (!value) throw new InvalidInputError('a Zoom user id or email is required');
  return encodeURIComponent(value).replace(/%40/g, '@');
}

/** Creates a Zoom REST client. Nothing is sent until the first read. */
export function createZoomClient(options: ZoomClientOptions): ZoomClient {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const maxAttempts = options.maxAttempts ?? 4;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const apiBaseUrl = options.apiBaseUrl.replace(/\/+$/, '');
  const oauthBaseUrl = options.oauthBaseUrl.replace(/\/+$/, '');
  const limiter = createRateLimiter({
    requestsPerSecond: options.requestsPerSecond ?? ZOOM_DEFAULT_REQUESTS_PER_SECOND,
    now,
    sleep,
  });
  // Statuses are handled here, not by axios; bodies are read as text and parsed by our schemas.
  const http = axios.create({
    timeout: options.timeoutMs ?? 10_000,
    validateStatus: () => true,
    maxRedirects: 0,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
  });

  async function send(config: AxiosRequestConfig): Promise<Reply> {
    try {
      const response = await http.request(config);
      const retryAfter = response.headers['retry-after'];
      return {
        status: response.status,
        text: typeof response.data === 'string' ? response.data : '',
        retryAfter: retryAfter === undefined || retryAfter === null ? undefined : String(retryAfter),
      };
    } catch (error) {
      return { status: 0, text: '', error };
    }
  }

  /** Decides whether to try again; waits if so. 429 pauses every caller of this client, not just this one. */
  async function backOff(operation: ZoomOperation, reply: Reply, body: ZoomErrorBody, attempt: number): Promise<boolean> {
    const retryAfterMs = reply.status === 429 ? parseRetryAfterMs(reply.retryAfter, now()) : undefined;
    if (reply.status === 429 && isZoomDailyLimit(body.message)) return false;
    if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) return false;
    if (!shouldRetryZoomRequest(reply.status, attempt, maxAttempts)) return false;
    const waitMs = zoomBackoffMs(attempt, retryAfterMs);
    if (reply.status === 429 && operation !== 'token') limiter.pauseUntil(now() + waitMs);
    else await sleep(waitMs);
    return true;
  }

  let cachedToken: { readonly value: string; readonly expiresAt: number } | undefined;
  let pendingToken: Promise<string> | undefined;

  /**
   * Server-to-Server OAuth: `POST {oauth}/oauth/token` with `grant_type=account_credentials&account_id=…`
   * as a form body (as @zoom/rivet sends it) and HTTP Basic client credentials. There is no refresh token;
   * a new token is simply requested (https://developers.zoom.us/docs/internal-apps/s2s-oauth/).
   */
  async function requestToken(): Promise<string> {
    const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64');
    const form = new URLSearchParams({ grant_type: 'account_credentials', account_id: options.accountId });
    for (let attempt = 1; ; attempt++) {
      const requestedAt = now();
      const reply = await send({
        method: 'POST',
        url: `${oauthBaseUrl}/oauth/token`,
        data: form.toString(),
        headers: {
          Authorization: `Basic ${basic}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
      });
      if (reply.status >= 200 && reply.status < 300) {
        let json: unknown;
        try {
          json = JSON.parse(reply.text);
        } catch (error) {
          throw new ZoomApiError('Zoom token response is not JSON', { operation: 'token', status: reply.status, cause: error });
        }
        const parsed = ZoomTokenResponseSchema.safeParse(json);
        if (!parsed.success) {
          throw new ZoomApiError(`Zoom token response is not usable: ${describeZodError(parsed.error)}`, {
            operation: 'token',
            status: reply.status,
          });
        }
        const ttlSeconds = parsed.data.expires_in ?? DEFAULT_TOKEN_TTL_SECONDS;
        // Measured from when the request left: the token cannot be younger than that.
        cachedToken = { value: parsed.data.access_token, expiresAt: requestedAt + ttlSeconds * 1000 };
        return cachedToken.value;
      }
      const body = parseErrorBody(reply.text);
      if (await backOff('token', reply, body, attempt)) continue;
      const said = [body.error, body.reason ?? body.message].filter(Boolean).join(': ');
      const what = reply.status === 0 ? 'got no response' : `failed with HTTP ${reply.status}${said ? ` (${said})` : ''}`;
      throw new ZoomApiError(
        `Zoom Server-to-Server OAuth token request to ${oauthBaseUrl}/oauth/token ${what}: check ZOOM_ACCOUNT_ID, ` +
          'ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET, and that the app is an activated Server-to-Server OAuth app',
        { operation: 'token', status: reply.status, code: body.code, zoomMessage: body.reason ?? body.message, cause: reply.error },
      );
    }
  }

  /** A valid token: the cached one, or one shared request for a new one however many callers wait. */
  function accessToken(): Promise<string> {
    if (cachedToken && now() < cachedToken.expiresAt - ZOOM_TOKEN_EXPIRY_MARGIN_MS) {
      return Promise.resolve(cachedToken.value);
    }
    pendingToken ??= requestToken().finally(() => {
      pendingToken = undefined;
    });
    return pendingToken;
  }

  async function apiGet<T>(
    operation: Exclude<ZoomOperation, 'token'>,
    target: string,
    path: string,
    parse: (json: unknown) => { success: true; data: T } | { success: false; error: ZodError },
  ): Promise<T> {
    let renewedToken = false;
    for (let attempt = 1; ; attempt++) {
      await limiter.acquire();
      const token = await accessToken();
      const reply = await send({
        method: 'GET',
        url: `${apiBaseUrl}${path}`,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      });
      if (reply.status >= 200 && reply.status < 300) {
        let json: unknown;
        try {
          json = JSON.parse(reply.text);
        } catch (error) {
          throw new ZoomApiError(`Zoom ${operation}(${target}) returned a body that is not JSON`, {
            operation,
            status: reply.status,
            cause: error,
          });
        }
        const parsed = parse(json);
        if (!parsed.success) {
          throw new ZoomApiError(`Zoom ${operation}(${target}) returned an unexpected body: ${describeZodError(parsed.error)}`, {
            operation,
            status: reply.status,
          });
        }
        return parsed.data;
      }
      const body = parseErrorBody(reply.text);
      // A token revoked or expired early (code 124): get a new one once, without spending an attempt.
      if (reply.status === 401 && !renewedToken) {
        renewedToken = true;
        if (cachedToken?.value === token) cachedToken = undefined;
        attempt -= 1;
        continue;
      }
      if (await backOff(operation, reply, body, attempt)) continue;
      throw new ZoomApiError(describeZoomApiFailure(operation, target, reply.status, body.code, body.message), {
        operation,
        status: reply.status,
        code: body.code,
        zoomMessage: body.message,
        retryAfterMs: reply.status === 429 ? parseRetryAfterMs(reply.retryAfter, now()) : undefined,
        cause: reply.error,
      });
    }
  }

  return {
    getPresenceStatus(userIdOrEmail) {
      const segment = userSegment(userIdOrEmail);
      return apiGet('getPresenceStatus', userIdOrEmail, `/users/${segment}/presence_status`, (json) =>
        ZoomRestPresenceSchema.safeParse(json),
      );
    },
    getUser(userIdOrEmail) {
      const segment = userSegment(userIdOrEmail);
      return apiGet('getUser', userIdOrEmail, `/users/${segment}`, (json) => ZoomUserSchema.safeParse(json));
    },
  };
}

/**
 * Creates the client from configuration; throws a ConfigError naming the variables that are missing.
 * `overrides` carries what configuration does not (pace, clock, sleep).
 */
export function createZoomClientFromConfig(
  config: ZoomConfig,
  overrides: Omit<Partial<ZoomClientOptions>, 'accountId' | 'clientId' | 'clientSecret' | 'apiBaseUrl' | 'oauthBaseUrl'> = {},
): ZoomClient {
  const missing = missingVariables({
    ZOOM_ACCOUNT_ID: config.accountId,
    ZOOM_CLIENT_ID: config.clientId,
    ZOOM_CLIENT_SECRET: config.clientSecret,
  });
  if (missing.length > 0) {
    throw new ConfigError(
      `Zoom REST reads need a Server-to-Server OAuth app: set ${missing.join(', ')} ` +
        '(ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET are needed together)',
    );
  }
  return createZoomClient({
    ...overrides,
    accountId: config.accountId as string,
    clientId: config.clientId as string,
    clientSecret: config.clientSecret as string,
    apiBaseUrl: config.apiBaseUrl,
    oauthBaseUrl: config.oauthBaseUrl,
  });
}

export { ZOOM_ERROR_CODES, ZoomApiError };
