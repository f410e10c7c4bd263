/**
 * One budgeted, retried HTTP exchange with Genesys Cloud (API or login host). Every attempt, the token
 * request included, first reserves a slot in the shared RequestBudget and waits for it, so the budget counts
 * everything Genesys counts (docs/architecture.md: the budget holds). Authentication is not done here:
 * `http.ts` adds the bearer token and re-logs in on 401; `auth.ts` sends the login through this too.
 *
 * Retry rules are the pure functions of `retry-policy.ts`. A 429 pauses every caller of the budget
 * (`holdUntil`), because Genesys limits per token and all callers share the token
 * (docs/vendors.md#genesys-rate-limits); a Retry-After too long to sleep on parks the work instead.
 *
 * With a `deadline` (the worker Lambda's invocation end), no wait outlasts it: a Retry-After or budget
 * slot beyond it parks the work (GenesysParkedError), a backoff beyond it gives up with the retryable
 * error, and an attempt's timeout is cut to the time left. Otherwise Lambda would kill the invocation
 * mid-sleep and the whole batch, finished keys included, would come back after the visibility timeout
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { silentLogger, type Logger } from '../logger';
import { noopMetrics, type Metrics } from '../metrics/metrics';
import { GenesysApiError, GenesysParkedError } from './errors';
import type { RequestBudget } from './request-budget';
import {
  backoffMs,
  classifyRetryAfter,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_AFTER_MS,
  PARK_THRESHOLD_MS,
  parseRetryAfter,
  shouldRetry,
  type BackoffOptions,
  type HttpMethod,
} from './retry-policy';

export interface TransportRequest {
  readonly method: HttpMethod;
  /** Absolute URL, query included. */
  readonly url: string;
  /** Path for errors and logs (no host, no query). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly data?: unknown;
  /** Overrides the method's idempotency for retries (see retry-policy.ts). */
  readonly idempotent?: boolean;
  /** Permission the endpoint needs; named in a 403's message. */
  readonly permission?: string;
}

export interface TransportResponse<T> {
  readonly status: number;
  readonly data: T;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** `inin-correlation-id` of the answer. */
  readonly requestId?: string;
}

export interface RetrySettings {
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  /** Retry-After above this parks (GenesysParkedError) instead of waiting; default 180 s. */
  readonly parkAfterMs?: number;
}

export interface TransportOptions {
  readonly budget: RequestBudget;
  readonly logger?: Logger;
  /** Must be the same clock as the budget's. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly retry?: RetrySettings;
  /** Per-attempt timeout; default 30 s. */
  readonly timeoutMs?: number;
  /** Epoch ms by which the current caller must be done (undefined: no limit); read at every wait. */
  readonly deadline?: () => number | undefined;
  /** Counts 429s and 403s (README "What to watch"); nothing when absent. */
  readonly metrics?: Metrics;
}

/** Sends requests to Genesys within the budget, with retries. */
export interface GenesysTransport {
  send<T>(request: TransportRequest): Promise<TransportResponse<T>>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

/** A sleep that really waits. */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Creates the transport, with keep-alive agents so a burst of writes reuses connections. */
export function createTransport(options: TransportOptions): GenesysTransport {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const maxAttempts = options.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const parkAfterMs = options.retry?.parkAfterMs ?? PARK_THRESHOLD_MS;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = (): number | undefined => options.deadline?.();
  const metrics = options.metrics ?? noopMetrics;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 50 });
  const client: AxiosInstance = axios.create({
    httpAgent,
    httpsAgent,
    timeout: timeoutMs,
    maxRedirects: 0,
    // Every status is an answer to inspect here, not an exception.
    validateStatus: () => true,
  });

  /**
   * Waits for a budget slot, and at least until `notBefore` (a Retry-After this caller saw). Parks
   * instead when that would outlast the deadline.
   */
  async function waitForSlot(request: TransportRequest, notBefore: number, status: number | undefined): Promise<void> {
    const slot = await options.budget.reserve();
    const sendAt = Math.max(slot, notBefore);
    const end = deadline();
    if (end !== undefined && sendAt > end) {
      const why = notBefore >= slot ? 'Genesys asked to retry after a rate limit' : 'the shared request budget GENESYS_REQUESTS_PER_MINUTE is used up until then';
      logger.warn('Genesys wait would outlast the invocation; parking', { method: request.method, path: request.path, waitMs: sendAt - now() });
      throw new GenesysParkedError({ retryAt: new Date(sendAt), method: request.method, path: request.path, status, deadlineWait: why });
    }
    const wait = sendAt - now();
    if (wait > 0) await sleep(wait);
  }

  /** True when sleeping `delayMs` would end past the deadline (the caller then gives up with its error). */
  function outlastsDeadline(delayMs: number): boolean {
    const end = deadline();
    return end !== undefined && now() + delayMs > end;
  }

  /** The attempt's timeout: the configured one, cut to the time left before the deadline (at least 1 s). */
  function attemptTimeout(): number {
    const end = deadline();
    return end === undefined ? timeoutMs : Math.max(1000, Math.min(timeoutMs, end - now()));
  }

  async function send<T>(request: TransportRequest): Promise<TransportResponse<T>> {
    const { method, path } = request;
    let notBefore = 0;
    let lastStatus: number | undefined;
    for (let attempt = 1; ; attempt += 1) {
      await waitForSlot(request, notBefore, lastStatus);
      let response: AxiosResponse;
      try {
        response = await client.request({ method, url: request.url, headers: request.headers, data: request.data, timeout: attemptTimeout() });
      } catch (error) {
        // No response at all: refused, reset, timed out, DNS.
        if (shouldRetry({ networkError: true, attempt, method, idempotent: request.idempotent, maxAttempts })) {
          const delay = backoffMs(attempt, random, options.retry?.backoff);
          if (!outlastsDeadline(delay)) {
            logger.warn('Genesys request failed without a response; retrying', { method, path, attempt, delayMs: delay, error: String(error) });
            await sleep(delay);
            continue;
          }
        }
        throw new GenesysApiError({ method, path, retryable: true, attempts: attempt, permission: request.permission, cause: error });
      }

      const headers = flattenHeaders(response.headers);
      const body = readErrorBody(response.data);
      const requestId = headers['inin-correlation-id'] ?? body.contextId;
      const status = response.status;
      lastStatus = status;
      if (status === 429) metrics.count('GenesysRateLimited');
      if (status === 403) metrics.count('GenesysForbidden');
      if (status >= 200 && status < 300) {
        return { status, data: response.data as T, headers, requestId };
      }

      const retryAfterMs = parseRetryAfter(headers['retry-after'], now());
      if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
        const waitMs = retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
        if (classifyRetryAfter(waitMs, parkAfterMs) === 'park') {
          // A daily quota: sleeping for hours would hold a worker (and a Lambda) hostage. The budget is
          // not held either: the quota may be per endpoint, and other requests learn of it in one try.
          logger.warn('Genesys asked to wait too long; parking', { method, path, retryAfterMs: waitMs, requestId });
          throw new GenesysParkedError({ retryAt: new Date(now() + waitMs), method, path, status, requestId });
        }
        if (shouldRetry({ status, attempt, method, idempotent: request.idempotent, maxAttempts })) {
          notBefore = now() + waitMs;
          // Everyone shares the token's limit, so everyone pauses.
          await options.budget.holdUntil(notBefore);
          logger.warn('Genesys rate limit; waiting Retry-After', { method, path, attempt, retryAfterMs: waitMs, requestId });
          continue;
        }
        throw errorFrom(request, status, body, requestId, attempt, response, waitMs);
      }

      if (shouldRetry({ status, attempt, method, idempotent: request.idempotent, maxAttempts })) {
        const delay = Math.max(backoffMs(attempt, random, options.retry?.backoff), retryAfterMs ?? 0);
        if (!outlastsDeadline(delay)) {
          logger.warn('Genesys server error; retrying', { method, path, status, attempt, delayMs: delay, requestId });
          await sleep(delay);
          continue;
        }
      }
      throw errorFrom(request, status, body, requestId, attempt, response, retryAfterMs);
    }
  }

  return {
    send,
    close(): void {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function errorFrom(
  request: TransportRequest,
  status: number,
  body: ErrorBody,
  requestId: string | undefined,
  attempts: number,
  response: AxiosResponse,
  retryAfterMs: number | undefined,
): GenesysApiError {
  return new GenesysApiError({
    status,
    method: request.method,
    path: request.path,
    retryable: status === 429 || status === 408 || status >= 500,
    retryAfterMs,
    code: body.code,
    genesysMessage: body.message,
    requestId,
    permission: request.permission,
    attempts,
    cause: { status, data: response.data },
  });
}

interface ErrorBody {
  readonly message?: string;
  readonly code?: string;
  readonly contextId?: string;
}

/** Genesys error bodies are `{message, code, status, contextId}`; anything else yields nothing. */
function readErrorBody(data: unknown): ErrorBody {
  if (typeof data !== 'object' || data === null) return {};
  const record = data as Record<string, unknown>;
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  // OAuth errors use `error` / `error_description` instead (RFC 6749 §5.2).
  return {
    message: text(record.message) ?? text(record.error_description),
    code: text(record.code) ?? text(record.error),
    contextId: text(record.contextId),
  };
}

function flattenHeaders(headers: AxiosResponse['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}
