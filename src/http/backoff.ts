/**
 * The one backoff of every outbound client: capped exponential with "full jitter", a uniform draw from
 * [0, min(cap, base·2^(attempt-1))], so many clients that failed together do not retry together
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/). Used after a server error
 * or a lost answer; a rate limit waits what the vendor asked for instead (see request-loop.ts).
 */

export interface BackoffOptions {
  readonly baseMs?: number;
  readonly capMs?: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 500;
export const DEFAULT_BACKOFF_CAP_MS = 30_000;

/** The upper end of the draw for retry number `attempt` (1 = first retry): min(cap, base·2^(attempt-1)). */
export function backoffCeilingMs(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  return Math.min(cap, base * 2 ** exponent);
}

/**
 * Delay before retry number `attempt` (1 = first retry). `random` returns [0, 1) like Math.random;
 * injected so tests are exact.
 */
export function backoffMs(attempt: number, random: () => number = Math.random, options: BackoffOptions = {}): number {
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(draw * backoffCeilingMs(attempt, options));
}
