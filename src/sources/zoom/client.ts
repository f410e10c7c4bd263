/**
 * Zoom REST client for backfill reads: Server-to-Server OAuth, `GET /users/{userId}/presence_status`
 * and `GET /users/{userId}`, paced to a requests-per-second budget, with 429/5xx retries and typed errors.
 */
import axios from 'axios';
import type { ZodError } from 'zod';
import { missingVariables, type ZoomConfig } from '../../config';
import { ConfigError, InvalidInputError } from '../../errors';
import { flattenHeaders, realSleep, runRequestLoop, type LoopReply, type SendOnce } from '../../http/request-loop';
import { createTokenCache } from '../../http/token-cache';
import { createZoomRateLimiter, createZoomRequestPolicy } from './zoom-rate-limit';
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
import { describeZoomApiFailure, ZOOM_ERROR_CODES, ZoomApiError, type ZoomOperation } from './zoom-errors';

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

/** Per-attempt timeout: a backfill read that hangs longer is retried. */
const ZOOM_ATTEMPT_TIMEOUT_MS = 10_000;

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

/** The reply's body as text (bodies are read as text and parsed by our schemas). */
function textOf(reply: LoopReply): string {
  return typeof reply.data === 'string' ? reply.data : '';
}

function parseErrorBody(reply: LoopReply): ZoomErrorBody {
  try {
    const parsed = ZoomErrorBodySchema.safeParse(JSON.parse(textOf(reply)));
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
  const loopOptions = { now, sleep, timeoutMs: ZOOM_ATTEMPT_TIMEOUT_MS };
  const limiter = createZoomRateLimiter({
    requestsPerSecond: options.requestsPerSecond ?? ZOOM_DEFAULT_REQUESTS_PER_SECOND,
    now,
    sleep,
  });
  // Statuses are handled by the loop, not by axios; bodies are read as text and parsed by our schemas.
  const http = axios.create({
    validateStatus: () => true,
    maxRedirects: 0,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
  });

  /** One attempt; a missing answer is status 0. */
  function sender(config: { method: 'GET' | 'POST'; url: string; data?: string; headers: Record<string, string> }): SendOnce {
    return async ({ timeoutMs, authorization }) => {
      try {
        const headers = authorization === undefined ? config.headers : { ...config.headers, Authorization: authorization };
        const response = await http.request({ ...config, headers, timeout: timeoutMs });
        return { status: response.status, headers: flattenHeaders(response.headers), data: response.data };
      } catch (error) {
        return { status: 0, headers: {}, data: '', error };
      }
    };
  }

  /**
   * Server-to-Server OAuth: `POST {oauth}/oauth/token` with `grant_type=account_credentials&account_id=…`
   * as a form body (as @zoom/rivet sends it) and HTTP Basic client credentials. There is no refresh token;
   * a new token is simply requested (https://developers.zoom.us/docs/internal-apps/s2s-oauth/).
   */
  async function requestToken(): Promise<{ value: string; refreshAt: number }> {
    const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64');
    const form = new URLSearchParams({ grant_type: 'account_credentials', account_id: options.accountId });
    const requestedAt = now();
    const tokenError = (reply: LoopReply): ZoomApiError => {
      const body = parseErrorBody(reply);
      const said = [body.error, body.reason ?? body.message].filter(Boolean).join(': ');
      const what = reply.status === 0 ? 'got no response' : `failed with HTTP ${reply.status}${said ? ` (${said})` : ''}`;
      return new ZoomApiError(
        `Zoom Server-to-Server OAuth token request to ${oauthBaseUrl}/oauth/token ${what}: check ZOOM_ACCOUNT_ID, ` +
          'ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET, and that the app is an activated Server-to-Server OAuth app',
        { operation: 'token', status: reply.status, code: body.code, zoomMessage: body.reason ?? body.message, cause: reply.error },
      );
    };
    const reply = await runRequestLoop(
      sender({
        method: 'POST',
        url: `${oauthBaseUrl}/oauth/token`,
        data: form.toString(),
        headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      }),
      createZoomRequestPolicy({
        maxAttempts,
        maxRetryAfterMs,
        now,
        authenticated: false,
        messageOf: (r) => parseErrorBody(r).message,
        error: tokenError,
      }),
      loopOptions,
    );
    let json: unknown;
    try {
      json = JSON.parse(textOf(reply));
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
    return { value: parsed.data.access_token, refreshAt: requestedAt + ttlSeconds * 1000 - ZOOM_TOKEN_EXPIRY_MARGIN_MS };
  }

  /** A valid token: the cached one, or one shared request for a new one however many callers wait. */
  const tokens = createTokenCache(requestToken, now);

  async function apiGet<T>(
    operation: Exclude<ZoomOperation, 'token'>,
    target: string,
    path: string,
    parse: (json: unknown) => { success: true; data: T } | { success: false; error: ZodError },
  ): Promise<T> {
    const reply = await runRequestLoop(
      sender({ method: 'GET', url: `${apiBaseUrl}${path}`, headers: { Accept: 'application/json' } }),
      createZoomRequestPolicy({
        maxAttempts,
        maxRetryAfterMs,
        now,
        limiter,
        authenticated: true,
        messageOf: (r) => parseErrorBody(r).message,
        error: (r, retryAfterMs) => {
          const body = parseErrorBody(r);
          return new ZoomApiError(describeZoomApiFailure(operation, target, r.status, body.code, body.message), {
            operation,
            status: r.status,
            code: body.code,
            zoomMessage: body.message,
            retryAfterMs,
            cause: r.error,
          });
        },
      }),
      loopOptions,
      { authorize: async () => `Bearer ${await tokens.get()}`, renew: (rejected) => tokens.invalidate(rejected.slice('Bearer '.length)) },
    );
    let json: unknown;
    try {
      json = JSON.parse(textOf(reply));
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

  return {
    getPresenceStatus(userIdOrEmail) {
      const segment = userSegment(userIdOrEmail);
      return apiGet('getPresenceStatus', userIdOrEmail, `/users/${segment}/presence_status`, (json) => ZoomRestPresenceSchema.safeParse(json));
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
