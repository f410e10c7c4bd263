/**
 * When and how long to wait before repeating a Zoom REST request. Pure functions, so every case is tested
 * by a table without clocks or sockets.
 *
 * Zoom answers 429 when a per-second or daily limit is exceeded; limits are per account and shared by
 * every app installed on it (https://developers.zoom.us/docs/api/rate-limits/). The names of its
 * rate-limit headers are not documented (docs/vendors.md#zoom-open-questions-and-how-the-code-hedges), so
 * `Retry-After` is honoured when present and an exponential back-off is used otherwise.
 */
import { parseRetryAfter } from '../../retry-after';

/** Back-off without `Retry-After`: 1 s, 2 s, 4 s, … capped here. */
export const ZOOM_MAX_BACKOFF_MS = 30_000;

/** `Retry-After` in ms from `nowMs` (seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  return parseRetryAfter(value, nowMs);
}

/**
 * True when repeating the request can help: 429 (rate limit), 5xx, or no response at all (status 0).
 * `attempt` is 1-based: the number of attempts already made.
 */
export function shouldRetryZoomRequest(status: number, attempt: number, maxAttempts: number): boolean {
  if (attempt >= maxAttempts) return false;
  return status === 0 || status === 429 || status >= 500;
}

/** Delay before attempt `attempt + 1`: `Retry-After` when given, else 1 s · 2^(attempt-1), capped. */
export function zoomBackoffMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  return Math.min(ZOOM_MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Zoom's daily-limit 429 ("You have reached the maximum daily rate limit …") will not clear within a
 * back-off; repeating it only spends the shared account quota. Recognised by its message.
 */
export function isZoomDailyLimit(message: string | undefined): boolean {
  return message !== undefined && /daily/i.test(message);
}
