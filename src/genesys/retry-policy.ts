/**
 * When and how long to retry a Genesys Cloud request. Pure functions, so every case is tested by a
 * table without clocks or sockets.
 *
 * Rules (docs/vendors.md#genesys-rate-limits, docs/vendors.md#genesys-long-retry-after):
 * - 429 carries `Retry-After` in seconds; the `inin-ratelimit-*` headers are gone
 *   (https://developer.genesys.cloud/forum/t/removal-of-inin-ratelimit-response-headers/10506).
 * - The Java SDK retries 429/502/503/504, waits 3 s when Retry-After is absent, and since SDK 212.0.0
 *   refuses to wait when Retry-After exceeds 180 000 ms, because daily quotas answer 429 with a
 *   Retry-After of hours (platform-client-sdk-java ApiClient.java, commit 00573b3f).
 */

/** Attempts per request, counting the first one (the Java SDK's `retryMax` default is 5). */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** Wait used when a 429 has no usable Retry-After (Java SDK `retryAfterDefaultMs`). */
export const DEFAULT_RETRY_AFTER_MS = 3000;
/** A Retry-After longer than this parks the work instead of sleeping on it (Java SDK cut-off). */
export const PARK_THRESHOLD_MS = 180_000;
export const DEFAULT_BACKOFF_BASE_MS = 500;
export const DEFAULT_BACKOFF_CAP_MS = 30_000;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/**
 * Methods whose repetition cannot do harm. PATCH is listed because the bridge's only PATCH sets a
 * source's presence to an absolute value; POST is not (a caller that made its POST safe, like the
 * source create whose duplicate answers 409 and is then adopted, says so with `idempotent`).
 */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']);

export { parseRetryAfter } from '../http/retry-after';

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

export interface BackoffOptions {
  readonly baseMs?: number;
  readonly capMs?: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): "full jitter", a uniform draw from
 * [0, min(cap, base·2^(attempt-1))], so many clients that failed together do not retry together
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 * `random` returns [0, 1) like Math.random; injected so tests are exact.
 */
export function backoffMs(attempt: number, random: () => number = Math.random, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(cap, base * 2 ** exponent);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(draw * ceiling);
}

/** 'wait' for an ordinary rate limit; 'park' when Genesys asks for longer than `thresholdMs` (a quota). */
export function classifyRetryAfter(ms: number, thresholdMs: number = PARK_THRESHOLD_MS): 'wait' | 'park' {
  return ms > thresholdMs ? 'park' : 'wait';
}
