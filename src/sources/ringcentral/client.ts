/**
 * The RingCentral REST client: JWT-flow login, token cache, per-group pacing, 429 penalties, retries and
 * typed errors. Everything RingCentral-bound (subscriptions, directory, backfill) goes through `request`.
 *
 * JWT flow (https://developers.ringcentral.com/guide/authentication/jwt-flow):
 * `POST {server}/restapi/oauth/token`, `Authorization: Basic base64(clientId:clientSecret)`, form body
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`. Rate groups and penalties:
 * https://developers.ringcentral.com/guide/basics/rate-limits (see ringcentral-rate-limit.ts). Pacing,
 * retries and the one re-login on 401 are the outbound loop's (src/http/request-loop.ts).
 */
import axios, { type AxiosInstance } from 'axios';
import { missingVariables, type RingCentralConfig } from '../../config';
import { ConfigError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import type { DocumentStore } from '../../store/state-store';
import { flattenHeaders, realSleep, runRequestLoop, type LoopCredentials, type LoopReply } from '../../http/request-loop';
import { readRingCentralErrorBody, RingCentralApiError } from './ringcentral-errors';
import { createRingCentralRateGate, createRingCentralRequestPolicy, type RingCentralRateGroup } from './ringcentral-rate-limit';
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
}

/** Per-attempt timeout. */
const RINGCENTRAL_ATTEMPT_TIMEOUT_MS = 20_000;

/** A call can be repeated after a 5xx or lost response without doing its work twice. */
function isIdempotent(request: Pick<RingCentralRequest, 'method' | 'path'>): boolean {
  return request.method !== 'POST' || /\/renew$/.test(request.path) || request.path === RINGCENTRAL_TOKEN_PATH;
}

function buildError(method: string, path: string, reply: LoopReply, retryAfterMs?: number): RingCentralApiError {
  const answered = reply.status !== 0;
  const parsed = RingCentralErrorBodySchema.safeParse(answered ? reply.data : undefined);
  const body = readRingCentralErrorBody(parsed.success ? parsed.data : undefined);
  const vendorMessage = body.vendorMessage ?? (answered ? undefined : (reply.error as Error | undefined)?.message);
  return new RingCentralApiError(
    { status: reply.status, method, path, ...body, vendorMessage, retryAfterMs },
    reply.error === undefined ? undefined : { cause: reply.error },
  );
}

/** Creates a client. Nothing is sent until the first request. */
export function createRingCentralClient(options: RingCentralClientOptions): RingCentralClient {
  const serverUrl = options.serverUrl.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const logger = options.logger ?? silentLogger;
  const maxAttempts = options.maxAttempts ?? 4;
  const gate = createRingCentralRateGate({ limits: options.rateLimits, now, sleep });
  const http: AxiosInstance = axios.create({
    baseURL: serverUrl,
    validateStatus: () => true,
    maxRedirects: 0,
  });

  /** One call through the outbound loop; `credentials` is absent for the login itself. */
  const send = async (request: RingCentralRequest, authorization: string | LoopCredentials): Promise<unknown> => {
    const { method, path, group } = request;
    const isForm = typeof request.body === 'string';
    const credentials = typeof authorization === 'string' ? undefined : authorization;
    const reply = await runRequestLoop(
      async (attempt) => {
        try {
          const response = await http.request({
            method,
            url: path,
            params: request.query,
            data: request.body,
            timeout: attempt.timeoutMs,
            headers: {
              authorization: typeof authorization === 'string' ? authorization : attempt.authorization,
              accept: 'application/json',
              ...(request.body === undefined ? {} : { 'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json' }),
            },
          });
          return { status: response.status, headers: flattenHeaders(response.headers), data: response.data };
        } catch (error) {
          return { status: 0, headers: {}, data: undefined, error };
        }
      },
      createRingCentralRequestPolicy({
        group,
        gate,
        idempotent: isIdempotent(request),
        maxAttempts,
        now,
        logger,
        path,
        error: (reply, retryAfterMs) => buildError(method, path, reply, retryAfterMs),
      }),
      { now, sleep, timeoutMs: RINGCENTRAL_ATTEMPT_TIMEOUT_MS },
      credentials,
    );
    return reply.status === 204 ? undefined : reply.data;
  };

  let ownerId: string | undefined;
  const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64')}`;
  const login = async () => {
    const body = new URLSearchParams({ grant_type: JWT_GRANT, assertion: options.jwt }).toString();
    const data = await send({ method: 'POST', path: RINGCENTRAL_TOKEN_PATH, group: 'Auth', body }, basic);
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
      const data = await send(request, {
        authorize: async () => `Bearer ${await tokens.get()}`,
        renew: (authorization) => tokens.invalidate(authorization.slice('Bearer '.length)),
      });
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
    throw new ConfigError(`${missing.join(', ')} must be set to call the RingCentral API (a JWT-flow app; see docs/ringcentral.md)`);
  }
  return createRingCentralClient({
    ...options,
    serverUrl: config.serverUrl,
    clientId: config.clientId!,
    clientSecret: config.clientSecret!,
    jwt: config.jwt!,
  });
}
