/**
 * The RingCentral REST client: JWT-flow login, token cache, per-group pacing, 429 penalties, retries and
 * typed errors. Everything RingCentral-bound (subscriptions, directory, backfill) goes through `request`.
 *
 * JWT flow (https://developers.ringcentral.com/guide/authentication/jwt-flow):
 * `POST {server}/restapi/oauth/token`, `Authorization: Basic base64(clientId:clientSecret)`, form body
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`. Rate groups and penalties:
 * https://developers.ringcentral.com/guide/basics/rate-limits (see rate-gate.ts).
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { missingVariables, type RingCentralConfig } from '../../config';
import { ConfigError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import type { DocumentStore } from '../../store/state-store';
import { readRingCentralErrorBody, RingCentralApiError } from './errors';
import {
  createRingCentralRateGate,
  parseRetryAfterMs,
  realSleep,
  RINGCENTRAL_DEFAULT_PENALTY_MS,
  RINGCENTRAL_RATE_WINDOW_MS,
  type RingCentralRateGate,
  type RingCentralRateGroup,
} from './rate-gate';
import { RingCentralErrorBodySchema, RingCentralTokenResponseSchema } from './schema';
import { createRingCentralTokenProvider, type RingCentralTokenProvider } from './token-cache';

export const RINGCENTRAL_TOKEN_PATH = '/restapi/oauth/token';
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export type RingCentralMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RingCentralRequest {
  readonly method: RingCentralMethod;
  /** Path from the server root, e.g. `/restapi/v1.0/subscription`. */
  readonly path: string;
  /** The endpoint's rate-limit group, as the API reference lists it. */
  readonly group: RingCentralRateGroup;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
}

export interface RingCentralClient {
  readonly serverUrl: string;
  /** Sends one API call (paced, retried, authenticated) and returns the parsed JSON body (undefined for 204). */
  request<T = unknown>(request: RingCentralRequest): Promise<T>;
  /**
   * The token owner's extension id (`owner_id` of the token response), when this client has logged in
   * itself; undefined while it uses a token another process stored.
   */
  ownerId?(): string | undefined;
}

export interface RingCentralClientOptions {
  /** e.g. `https://platform.ringcentral.com` (RINGCENTRAL_SERVER_URL). */
  readonly serverUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly jwt: string;
  /** Requests per minute per group (defaults: Light 50, Medium 40, Heavy 10, Auth 5). */
  readonly rateLimits?: Partial<Record<RingCentralRateGroup, number>>;
  /** Where to share the access token between processes (Lambdas). */
  readonly documents?: DocumentStore;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts per call, counting the first (default 4). */
  readonly maxAttempts?: number;
  /** Per-request timeout (default 20 s). */
  readonly timeoutMs?: number;
  /** Pause after a 429 without Retry-After (default 60 s, see rate-gate.ts). */
  readonly defaultPenaltyMs?: number;
  /** Shared gate, when several clients must share one budget (default: one per client). */
  readonly gate?: RingCentralRateGate;
}

/** Back-off for 5xx and network errors: 1 s, 2 s, 4 s, … capped at 30 s. */
export function ringCentralBackoffMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** A call can be repeated after a 5xx or lost response without doing its work twice. */
function isIdempotent(request: Pick<RingCentralRequest, 'method' | 'path'>): boolean {
  return request.method !== 'POST' || /\/renew$/.test(request.path) || request.path === RINGCENTRAL_TOKEN_PATH;
}

function header(response: AxiosResponse, name: string): string | undefined {
  const value = response.headers[name];
  return value === undefined || value === null ? undefined : String(value);
}

function buildError(
  method: string,
  path: string,
  response: AxiosResponse | undefined,
  cause: unknown,
  retryAfterMs?: number,
): RingCentralApiError {
  const parsed = RingCentralErrorBodySchema.safeParse(response?.data);
  const body = readRingCentralErrorBody(parsed.success ? parsed.data : undefined);
  const vendorMessage = body.vendorMessage ?? (response ? undefined : (cause as Error | undefined)?.message);
  return new RingCentralApiError(
    { status: response?.status ?? 0, method, path, ...body, vendorMessage, retryAfterMs },
    cause === undefined ? undefined : { cause },
  );
}

/** Creates a client. Nothing is sent until the first request. */
export function createRingCentralClient(options: RingCentralClientOptions): RingCentralClient {
  const serverUrl = options.serverUrl.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const logger = options.logger ?? silentLogger;
  const maxAttempts = options.maxAttempts ?? 4;
  const penaltyMs = options.defaultPenaltyMs ?? RINGCENTRAL_DEFAULT_PENALTY_MS;
  const gate = options.gate ?? createRingCentralRateGate({ limits: options.rateLimits, now, sleep });
  const http: AxiosInstance = axios.create({
    baseURL: serverUrl,
    timeout: options.timeoutMs ?? 20_000,
    validateStatus: () => true,
    maxRedirects: 0,
  });

  /**
   * One call with pacing and retries. `authorize` supplies the Authorization header; `onUnauthorized`
   * lets an API call drop a refused token once and try again with a new one.
   */
  const send = async (
    request: RingCentralRequest,
    authorize: () => Promise<string>,
    onUnauthorized?: (authorization: string) => Promise<void>,
  ): Promise<unknown> => {
    const { method, path, group } = request;
    let reauthorized = false;
    for (let attempt = 1; ; attempt++) {
      const authorization = await authorize();
      await gate.acquire(group);
      let response: AxiosResponse | undefined;
      let failure: unknown;
      try {
        const isForm = typeof request.body === 'string';
        response = await http.request({
          method,
          url: path,
          params: request.query,
          data: request.body,
          headers: {
            authorization,
            accept: 'application/json',
            ...(request.body === undefined ? {} : { 'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json' }),
          },
        });
      } catch (error) {
        failure = error;
      }

      if (response) {
        // Stop before RingCentral has to say 429: a spent window would cost a 60 s penalty.
        if (header(response, 'x-rate-limit-remaining') === '0') {
          const windowSeconds = Number(header(response, 'x-rate-limit-window') ?? 60);
          const windowMs = Number.isFinite(windowSeconds) && windowSeconds > 0 ? windowSeconds * 1000 : RINGCENTRAL_RATE_WINDOW_MS;
          gate.pauseUntil(group, now() + windowMs);
        }
        if (response.status < 400) return response.status === 204 ? undefined : response.data;
        if (response.status === 429) {
          const retryAfterMs = parseRetryAfterMs(header(response, 'retry-after'), now()) ?? penaltyMs;
          // The whole group waits: a request sent during the penalty would restart it for everyone.
          gate.pauseUntil(group, now() + retryAfterMs);
          logger.warn('RingCentral rate limit hit; pausing the group', { group, path, retryAfterMs });
          if (attempt < maxAttempts) continue;
          throw buildError(method, path, response, undefined, retryAfterMs);
        }
        if (response.status === 401 && onUnauthorized && !reauthorized) {
          reauthorized = true;
          await onUnauthorized(authorization);
          continue;
        }
        if (response.status >= 500 && isIdempotent(request) && attempt < maxAttempts) {
          await sleep(ringCentralBackoffMs(attempt));
          continue;
        }
        throw buildError(method, path, response, undefined);
      }
      if (isIdempotent(request) && attempt < maxAttempts) {
        await sleep(ringCentralBackoffMs(attempt));
        continue;
      }
      throw buildError(method, path, undefined, failure);
    }
  };

  let ownerId: string | undefined;
  const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64')}`;
  const login = async () => {
    const body = new URLSearchParams({ grant_type: JWT_GRANT, assertion: options.jwt }).toString();
    const data = await send({ method: 'POST', path: RINGCENTRAL_TOKEN_PATH, group: 'Auth', body }, async () => basic);
    const parsed = RingCentralTokenResponseSchema.safeParse(data);
    if (!parsed.success) {
      throw new RingCentralApiError({
        status: 200,
        method: 'POST',
        path: RINGCENTRAL_TOKEN_PATH,
        vendorMessage: 'the token response has no access_token',
      });
    }
    if (parsed.data.owner_id !== undefined && String(parsed.data.owner_id).trim() !== '') ownerId = String(parsed.data.owner_id).trim();
    logger.info('RingCentral login (JWT flow)', { expiresIn: parsed.data.expires_in, ownerId });
    // Without expires_in, assume the documented default lifetime of one hour.
    return { accessToken: parsed.data.access_token, expiresInSeconds: parsed.data.expires_in ?? 3600 };
  };

  const tokens: RingCentralTokenProvider = createRingCentralTokenProvider({
    login,
    documents: options.documents,
    keyMaterial: `${options.clientId}\0${options.clientSecret}\0${options.jwt}\0${serverUrl}`,
    now,
  });

  return {
    serverUrl,
    ownerId: () => ownerId,
    async request<T>(request: RingCentralRequest): Promise<T> {
      const data = await send(
        request,
        async () => `Bearer ${await tokens.get()}`,
        (authorization) => tokens.invalidate(authorization.slice('Bearer '.length)),
      );
      return data as T;
    },
  };
}

/** Builds the client from RINGCENTRAL_* configuration; throws ConfigError naming what is missing. */
export function createRingCentralClientFromConfig(
  config: RingCentralConfig,
  options: Omit<RingCentralClientOptions, 'serverUrl' | 'clientId' | 'clientSecret' | 'jwt'> = {},
): RingCentralClient {
  const missing = missingVariables({
    RINGCENTRAL_CLIENT_ID: config.clientId,
    RINGCENTRAL_CLIENT_SECRET: config.clientSecret,
    RINGCENTRAL_JWT: config.jwt,
  });
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing.join(', ')} must be set to call the RingCentral API (a JWT-flow app; see docs/ringcentral.md)`,
    );
  }
  return createRingCentralClient({
    ...options,
    serverUrl: config.serverUrl,
    clientId: config.clientId!,
    clientSecret: config.clientSecret!,
    jwt: config.jwt!,
  });
}
