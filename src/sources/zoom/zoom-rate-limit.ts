/**
 * Zoom's rate limits: the client-side pace and the request policy of the outbound loop
 * (src/http/request-loop.ts).
 *
 * Zoom's limits are per account and per rate-limit label (`GET /users/{userId}/presence_status` is
 * MEDIUM: 2/s Free, 20/s Pro, 60/s Business+), shared with every other app on the account
 * (https://developers.zoom.us/docs/api/rate-limits/). Requests are spaced evenly rather than sent in
 * bursts, so a per-second window is never overrun, and a 429 seen by one caller pauses all of them.
 * The names of Zoom's rate-limit headers are not documented (docs/vendors.md#zoom-open-questions-and-how-the-code-hedges),
 * so `Retry-After` is honoured when present and a doubling wait is used otherwise.
 */
import { backoffCeilingMs } from '../../http/backoff';
import type { LoopReply, RequestPolicy, Verdict } from '../../http/request-loop';
import { parseRetryAfter } from '../../http/retry-after';
import { realSleep } from '../../http/request-loop';

export interface ZoomRateLimiter {
  /** Resolves when the caller may send its request. */
  acquire(): Promise<void>;
  /** No request is let through before `epochMs` (e.g. after a 429 with Retry-After). */
  pauseUntil(epochMs: number): void;
}

export interface ZoomRateLimiterOptions {
  readonly requestsPerSecond: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Creates an even-spacing limiter: one request every 1000 / requestsPerSecond ms. */
export function createZoomRateLimiter(options: ZoomRateLimiterOptions): ZoomRateLimiter {
  const { requestsPerSecond, now = Date.now, sleep = realSleep } = options;
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
    throw new RangeError(`requestsPerSecond must be a positive number, got ${requestsPerSecond}`);
  }
  const intervalMs = 1000 / requestsPerSecond;
  let nextSlot = 0;
  let pausedUntil = 0;
  const acquire = async (): Promise<void> => {
    // Slots are reserved synchronously, so concurrent callers queue up in call order.
    const slot = Math.max(now(), nextSlot, pausedUntil);
    nextSlot = slot + intervalMs;
    const wait = slot - now();
    if (wait > 0) await sleep(wait);
    // A 429 seen while this caller waited pauses it too, instead of sending into the same limit.
    if (pausedUntil > now()) await acquire();
  };
  return {
    acquire,
    pauseUntil(epochMs) {
      pausedUntil = Math.max(pausedUntil, epochMs);
      nextSlot = Math.max(nextSlot, pausedUntil);
    },
  };
}

/**
 * Wait after a 429 without `Retry-After`: 1 s, 2 s, 4 s, … up to 30 s. Not jittered: the wait is shared
 * by every caller of the client (the limiter pauses them all), so there is nobody to spread out.
 */
export const ZOOM_RATE_LIMIT_WAIT = { baseMs: 1000, capMs: 30_000 } as const;

/** How long to wait after a 429: `Retry-After` when given, else the doubling wait of {@link ZOOM_RATE_LIMIT_WAIT}. */
export function zoomRateLimitWaitMs(attempt: number, retryAfterMs?: number): number {
  return retryAfterMs ?? backoffCeilingMs(attempt, ZOOM_RATE_LIMIT_WAIT);
}

/**
 * Zoom's daily-limit 429 ("You have reached the maximum daily rate limit …") will not clear within a
 * back-off; repeating it only spends the shared account quota. Recognised by its message
 * (https://developers.zoom.us/docs/api/rate-limits/).
 */
export function isZoomDailyLimit(message: string | undefined): boolean {
  return message !== undefined && /daily/i.test(message);
}

/** True when repeating the request can help: 429 (rate limit), 5xx, or no response at all (status 0). */
export function isRetryableZoomStatus(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

export interface ZoomPolicyOptions {
  readonly maxAttempts: number;
  /** A `Retry-After` longer than this fails the request at once instead of waiting. */
  readonly maxRetryAfterMs: number;
  readonly now: () => number;
  /** The client's limiter; absent for the token request, which is not paced. */
  readonly limiter?: ZoomRateLimiter;
  /** Zoom's `message` from an error body. */
  readonly messageOf: (reply: LoopReply) => string | undefined;
  /** Builds the ZoomApiError for a reply that is not retried. */
  readonly error: (reply: LoopReply, retryAfterMs: number | undefined) => Error;
  /** True for API reads (a 401 renews the token); false for the token request itself. */
  readonly authenticated: boolean;
}

/** The Zoom policy of the outbound loop. */
export function createZoomRequestPolicy(options: ZoomPolicyOptions): RequestPolicy {
  const retryAfterOf = (reply: LoopReply): number | undefined =>
    reply.status === 429 ? parseRetryAfter(reply.headers['retry-after'], options.now()) : undefined;
  const limiter = options.limiter;
  return {
    maxAttempts: options.maxAttempts,
    parkAfterMs: options.maxRetryAfterMs,
    classify(reply, attempt): Verdict {
      if (reply.status >= 200 && reply.status < 300) return { kind: 'done' };
      // A token revoked or expired early (code 124).
      if (reply.status === 401 && options.authenticated) return { kind: 'unauthorized' };
      if (reply.status === 429) {
        if (isZoomDailyLimit(options.messageOf(reply))) return { kind: 'fail' };
        return { kind: 'rate-limited', waitMs: zoomRateLimitWaitMs(attempt, retryAfterOf(reply)) };
      }
      return isRetryableZoomStatus(reply.status) ? { kind: 'retry' } : { kind: 'fail' };
    },
    acquire: limiter
      ? async () => {
          await limiter.acquire();
        }
      : undefined,
    share: limiter
      ? (epochMs, retrying) => {
          if (retrying) limiter.pauseUntil(epochMs);
        }
      : undefined,
    park: (reply) => options.error(reply, retryAfterOf(reply)),
    fail: (reply) => options.error(reply, retryAfterOf(reply)),
  };
}
