/**
 * Paces Zoom REST requests to a requests-per-second rate shared by every caller of one client.
 *
 * Zoom's limits are per account and per rate-limit label (`GET /users/{userId}/presence_status` is
 * MEDIUM: 2/s Free, 20/s Pro, 60/s Business+), shared with every other app on the account
 * (https://developers.zoom.us/docs/api/rate-limits/). Requests are spaced evenly rather than sent in
 * bursts, so a per-second window is never overrun, and a 429 seen by one caller pauses all of them.
 */

export interface RateLimiter {
  /** Resolves when the caller may send its request. */
  acquire(): Promise<void>;
  /** No request is let through before `epochMs` (e.g. after a 429 with Retry-After). */
  pauseUntil(epochMs: number): void;
}

export interface RateLimiterOptions {
  readonly requestsPerSecond: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates an even-spacing limiter: one request every 1000 / requestsPerSecond ms. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
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
