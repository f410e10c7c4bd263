/**
 * Client-side pacing of RingCentral REST calls per rate-limit group, and the penalty after a 429.
 *
 * RingCentral limits requests per user and app in groups, each with a 60 s window and a 60 s penalty:
 * Light 50/min, Medium 40/min, Heavy 10/min, Auth 5/min by default, customisable per app
 * (https://developers.ringcentral.com/guide/basics/rate-limits). A throttled request gets 429 with
 * `Retry-After`; without it, wait at least 30 s. **Every request made during the penalty restarts it**, so
 * after a 429 the whole group is paused, not just the request that saw it: any request of that group sent
 * early would only prolong the penalty for all of them.
 *
 * Pacing is a sliding window: no more than `limit` requests of a group in any 60 s, which stays within the
 * limit however RingCentral aligns its windows. The window is per process; several Lambdas share one
 * RingCentral budget, which is why the penalty handling is the safety net and the limits are configurable.
 */
import { parseRetryAfter } from '../../http/retry-after';

/** RingCentral's rate-limit groups (`X-Rate-Limit-Group`). */
export const RINGCENTRAL_RATE_GROUPS = ['Light', 'Medium', 'Heavy', 'Auth'] as const;
export type RingCentralRateGroup = (typeof RINGCENTRAL_RATE_GROUPS)[number];

/** Documented defaults, requests per minute. */
export const RINGCENTRAL_DEFAULT_RATE_LIMITS: Readonly<Record<RingCentralRateGroup, number>> = {
  Light: 50,
  Medium: 40,
  Heavy: 10,
  Auth: 5,
};

/** RingCentral's window and penalty length. */
export const RINGCENTRAL_RATE_WINDOW_MS = 60_000;

/**
 * Pause after a 429 without `Retry-After`. The docs say "at least 30 s", but the penalty lasts 60 s and
 * restarts on every request made during it, so waiting 30 s would only restart it.
 */
export const RINGCENTRAL_DEFAULT_PENALTY_MS = 60_000;

export interface RingCentralRateGate {
  /** Resolves when a request of `group` may be sent, and counts it. */
  acquire(group: RingCentralRateGroup): Promise<void>;
  /** No request of `group` is let through before `epochMs`. */
  pauseUntil(group: RingCentralRateGroup, epochMs: number): void;
  /** The time until which `group` is paused (0 when it is not). */
  pausedUntil(group: RingCentralRateGroup): number;
}

export interface RingCentralRateGateOptions {
  readonly limits?: Partial<Record<RingCentralRateGroup, number>>;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates a gate with one sliding window and one pause per group. */
export function createRingCentralRateGate(options: RingCentralRateGateOptions = {}): RingCentralRateGate {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const groups = new Map<RingCentralRateGroup, { limit: number; sent: number[]; pausedUntil: number }>();
  for (const group of RINGCENTRAL_RATE_GROUPS) {
    const limit = options.limits?.[group] ?? RINGCENTRAL_DEFAULT_RATE_LIMITS[group];
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit for ${group} must be a whole number ≥ 1, got ${limit}`);
    groups.set(group, { limit, sent: [], pausedUntil: 0 });
  }
  const stateOf = (group: RingCentralRateGroup) => groups.get(group)!;

  return {
    async acquire(group) {
      const state = stateOf(group);
      for (;;) {
        const t = now();
        if (state.pausedUntil > t) {
          await sleep(state.pausedUntil - t);
          continue;
        }
        while (state.sent.length > 0 && state.sent[0] <= t - RINGCENTRAL_RATE_WINDOW_MS) state.sent.shift();
        if (state.sent.length < state.limit) {
          // Counted synchronously, so concurrent callers never overrun the window between check and send.
          state.sent.push(t);
          return;
        }
        await sleep(state.sent[0] + RINGCENTRAL_RATE_WINDOW_MS - t);
      }
    },
    pauseUntil(group, epochMs) {
      const state = stateOf(group);
      state.pausedUntil = Math.max(state.pausedUntil, epochMs);
    },
    pausedUntil(group) {
      return stateOf(group).pausedUntil;
    },
  };
}

/** `Retry-After` in ms from `nowMs` (seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  return parseRetryAfter(value, nowMs);
}
