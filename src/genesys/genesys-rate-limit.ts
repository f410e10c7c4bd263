/**
 * Genesys Cloud's rate limits: when and how long to retry a request (pure functions, tested by a table
 * without clocks or sockets) and the Genesys policy of the outbound loop (src/http/request-loop.ts):
 * the shared request budget, Retry-After shared with every caller of the budget, and parking.
 *
 * Rules (docs/vendors.md#genesys-rate-limits, docs/vendors.md#genesys-long-retry-after):
 * - 429 carries `Retry-After` in seconds; the `inin-ratelimit-*` headers are gone
 *   (https://developer.genesys.cloud/forum/t/removal-of-inin-ratelimit-response-headers/10506).
 * - The Java SDK retries 429/502/503/504, waits 3 s when Retry-After is absent, and since SDK 212.0.0
 *   refuses to wait when Retry-After exceeds 180 000 ms, because daily quotas answer 429 with a
 *   Retry-After of hours (platform-client-sdk-java ApiClient.java, commit 00573b3f).
 */

import type { Logger } from '../logger';
import type { Metrics } from '../metrics/metrics';
import type { LoopReply, RequestPolicy, Verdict } from '../http/request-loop';
import type { BackoffOptions } from '../http/backoff';
import { parseRetryAfter } from '../http/retry-after';
import { GenesysApiError, GenesysParkedError } from './genesys-errors';
import type { RequestBudget } from './request-budget';

/** Attempts per request, counting the first one (the Java SDK's `retryMax` default is 5). */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Wait used when a 429 has no usable Retry-After (Java SDK `retryAfterDefaultMs`). */
export const DEFAULT_RETRY_AFTER_MS = 3000;
/** A Retry-After longer than this parks the work instead of sleeping on it (Java SDK cut-off). */
export const PARK_THRESHOLD_MS = 180_000;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/**
 * Methods whose repetition cannot do harm. PATCH is listed because the bridge's only PATCH sets a
 * source's presence to an absolute value; POST is not (a caller that made its POST safe, like the
 * source create whose duplicate answers 409 and is then adopted, says so with `idempotent`).
 */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']);

export interface RetryQuestion {
  /** HTTP status of the failed attempt; absent when no response arrived. */
  readonly status?: number;
  /** True when no response arrived (connection refused or reset, timeout, DNS). */
  readonly networkError?: boolean;
  /** How many attempts have been made so far, including the one that just failed (1-based). */
  readonly attempt: number;
  readonly method: string;
  /** Overrides the method's idempotency (e.g. a POST that is a read, or a create made safe by 409-adoption). */
  readonly idempotent?: boolean;
  readonly maxAttempts?: number;
}

/**
 * Whether to try again. 429 is always retryable (the request was refused, not processed);
 * 502/503/504 and 408 are retried for every method (the request did not reach the application);
 * 500 and network errors only for idempotent requests, because a POST might have been applied.
 * 401 is not handled here: the HTTP layer re-logs in once.
 */
export function shouldRetry(question: RetryQuestion): boolean {
  const maxAttempts = question.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (question.attempt >= maxAttempts) return false;
  const idempotent = question.idempotent ?? IDEMPOTENT_METHODS.has(question.method.toUpperCase());
  if (question.status === undefined) return question.networkError === true && idempotent;
  const status = question.status;
  if (status === 429 || status === 408 || status === 502 || status === 503 || status === 504) return true;
  if (status >= 500) return idempotent;
  return false;
}

/** 'wait' for an ordinary rate limit; 'park' when Genesys asks for longer than `thresholdMs` (a quota). */
export function classifyRetryAfter(ms: number, thresholdMs: number = PARK_THRESHOLD_MS): 'wait' | 'park' {
  return ms > thresholdMs ? 'park' : 'wait';
}

/** What the Genesys policy needs to know of the request (see transport.ts `TransportRequest`). */
export interface GenesysPolicyRequest {
  readonly method: HttpMethod;
  readonly path: string;
  readonly idempotent?: boolean;
  readonly permission?: string;
}

export interface GenesysPolicyOptions {
  readonly request: GenesysPolicyRequest;
  readonly budget: RequestBudget;
  readonly maxAttempts: number;
  readonly backoff?: BackoffOptions;
  readonly parkAfterMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly deadline: () => number | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * The Genesys policy of the outbound loop. Every attempt, the token request included, first reserves a
 * slot in the shared RequestBudget, so the budget counts everything Genesys counts (docs/architecture.md:
 * the budget holds). A 429 (or a 503 with Retry-After) pauses every caller of the budget (`holdUntil`),
 * because Genesys limits per token and all callers share the token (docs/vendors.md#genesys-rate-limits);
 * a Retry-After longer than `parkAfterMs` parks the work (GenesysParkedError). With a `deadline`, a
 * Retry-After or budget slot beyond it parks too.
 */
export function createGenesysRequestPolicy(options: GenesysPolicyOptions): RequestPolicy {
  const { request, now, logger } = options;
  const { method, path } = request;
  const retryAfterOf = (reply: LoopReply): number | undefined => parseRetryAfter(reply.headers['retry-after'], now());
  const retryable = (reply: LoopReply, attempt: number): boolean =>
    shouldRetry({
      status: reply.status === 0 ? undefined : reply.status,
      networkError: reply.status === 0,
      attempt,
      method,
      idempotent: request.idempotent,
      maxAttempts: options.maxAttempts,
    });
  return {
    maxAttempts: options.maxAttempts,
    backoff: options.backoff,
    parkAfterMs: options.parkAfterMs,
    observe(reply) {
      if (reply.status === 429) options.metrics.count('GenesysRateLimited');
      if (reply.status === 403) options.metrics.count('GenesysForbidden');
    },
    classify(reply, attempt): Verdict {
      const status = reply.status;
      if (status >= 200 && status < 300) return { kind: 'done' };
      // A token can be revoked or expire early: log in again once.
      if (status === 401) return { kind: 'unauthorized' };
      const retryAfterMs = status === 0 ? undefined : retryAfterOf(reply);
      if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
        return { kind: 'rate-limited', waitMs: retryAfterMs ?? DEFAULT_RETRY_AFTER_MS };
      }
      return retryable(reply, attempt) ? { kind: 'retry', minWaitMs: retryAfterMs } : { kind: 'fail' };
    },
    /**
     * Waits for a budget slot, and at least until `notBefore` (a Retry-After this caller saw). Parks
     * instead when that would outlast the deadline.
     */
    async acquire(notBefore, lastStatus) {
      const slot = await options.budget.reserve();
      const sendAt = Math.max(slot, notBefore);
      const end = options.deadline();
      if (end !== undefined && sendAt > end) {
        const why =
          notBefore >= slot ? 'Genesys asked to retry after a rate limit' : 'the shared request budget GENESYS_REQUESTS_PER_MINUTE is used up until then';
        logger.warn('Genesys wait would outlast the invocation; parking', { method, path, waitMs: sendAt - now() });
        throw new GenesysParkedError({ retryAt: new Date(sendAt), method, path, status: lastStatus, deadlineWait: why });
      }
      const wait = sendAt - now();
      if (wait > 0) await options.sleep(wait);
    },
    async share(epochMs, retrying) {
      // Everyone shares the token's limit, so everyone pauses.
      if (retrying) await options.budget.holdUntil(epochMs);
    },
    onRetry(reply, attempt, waitMs, verdict) {
      const requestId = requestIdOf(reply);
      if (verdict.kind === 'rate-limited') logger.warn('Genesys rate limit; waiting Retry-After', { method, path, attempt, retryAfterMs: waitMs, requestId });
      else if (reply.status === 0)
        logger.warn('Genesys request failed without a response; retrying', { method, path, attempt, delayMs: waitMs, error: String(reply.error) });
      else logger.warn('Genesys server error; retrying', { method, path, status: reply.status, attempt, delayMs: waitMs, requestId });
    },
    park(reply, waitMs) {
      // A daily quota: sleeping for hours would hold a worker (and a Lambda) hostage. The budget is
      // not held either: the quota may be per endpoint, and other requests learn of it in one try.
      const requestId = requestIdOf(reply);
      logger.warn('Genesys asked to wait too long; parking', { method, path, retryAfterMs: waitMs, requestId });
      return new GenesysParkedError({ retryAt: new Date(now() + waitMs), method, path, status: reply.status, requestId });
    },
    fail(reply, context) {
      if (reply.status === 0) {
        return new GenesysApiError({ method, path, retryable: true, attempts: context.attempts, permission: request.permission, cause: reply.error });
      }
      const error = errorFrom(request, reply, context.attempts, context.retryAfterMs ?? retryAfterOf(reply));
      return reply.status === 401 && context.reloggedIn ? error.withDetails({ afterRelogin: true }) : error;
    },
  };
}

/** `inin-correlation-id` of the answer, or the body's `contextId`. */
export function requestIdOf(reply: LoopReply): string | undefined {
  return reply.headers['inin-correlation-id'] ?? readErrorBody(reply.data).contextId;
}

function errorFrom(request: GenesysPolicyRequest, reply: LoopReply, attempts: number, retryAfterMs: number | undefined): GenesysApiError {
  const status = reply.status;
  const body = readErrorBody(reply.data);
  return new GenesysApiError({
    status,
    method: request.method,
    path: request.path,
    retryable: status === 429 || status === 408 || status >= 500,
    retryAfterMs,
    code: body.code,
    genesysMessage: body.message,
    requestId: requestIdOf(reply),
    permission: request.permission,
    attempts,
    cause: { status, data: reply.data },
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
