/**
 * RingCentral's rate limits: client-side pacing per rate-limit group, the penalty after a 429, and the
 * request policy of the outbound loop (src/http/request-loop.ts).
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
import { silentLogger, type Logger } from '../../logger';
import { realSleep, type LoopReply, type RequestPolicy, type Verdict } from '../../http/request-loop';
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
}

export interface RingCentralRateGateOptions {
  readonly limits?: Partial<Record<RingCentralRateGroup, number>>;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

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
  };
}

export interface RingCentralPolicyOptions {
  readonly group: RingCentralRateGroup;
  readonly gate: RingCentralRateGate;
  /** True when repeating the call after a 5xx or a lost answer cannot do its work twice. */
  readonly idempotent: boolean;
  readonly maxAttempts: number;
  readonly now: () => number;
  readonly logger?: Logger;
  readonly path: string;
  /** Builds the RingCentralApiError for a reply that is not retried (any more). */
  readonly error: (reply: LoopReply, retryAfterMs: number | undefined) => Error;
}

/**
 * The RingCentral policy of the outbound loop. A 429 waits `Retry-After`, else a whole penalty, and pauses
 * the whole group, on the last attempt too (a request sent during the penalty restarts it for everyone).
 * `X-Rate-Limit-Remaining: 0` pauses the group for `X-Rate-Limit-Window` before RingCentral has to say 429.
 * No wait is parked: RingCentral's penalty lasts a minute (https://developers.ringcentral.com/guide/basics/rate-limits).
 */
export function createRingCentralRequestPolicy(options: RingCentralPolicyOptions): RequestPolicy {
  const { group, gate, now } = options;
  const logger = options.logger ?? silentLogger;
  return {
    maxAttempts: options.maxAttempts,
    observe(reply) {
      // Stop before RingCentral has to say 429: a spent window would cost a 60 s penalty.
      if (reply.headers['x-rate-limit-remaining'] !== '0') return;
      const windowSeconds = Number(reply.headers['x-rate-limit-window'] ?? 60);
      const windowMs = Number.isFinite(windowSeconds) && windowSeconds > 0 ? windowSeconds * 1000 : RINGCENTRAL_RATE_WINDOW_MS;
      gate.pauseUntil(group, now() + windowMs);
    },
    classify(reply): Verdict {
      if (reply.status !== 0 && reply.status < 400) return { kind: 'done' };
      if (reply.status === 429) {
        return { kind: 'rate-limited', waitMs: parseRetryAfter(reply.headers['retry-after'], now()) ?? RINGCENTRAL_DEFAULT_PENALTY_MS };
      }
      if (reply.status === 401) return { kind: 'unauthorized' };
      if ((reply.status === 0 || reply.status >= 500) && options.idempotent) return { kind: 'retry' };
      return { kind: 'fail' };
    },
    acquire: () => gate.acquire(group),
    share(epochMs) {
      // The whole group waits: a request sent during the penalty would restart it for everyone.
      gate.pauseUntil(group, epochMs);
      logger.warn('RingCentral rate limit hit; pausing the group', { group, path: options.path, retryAfterMs: epochMs - now() });
    },
    park: (reply, waitMs) => options.error(reply, waitMs),
    fail: (reply, context) => options.error(reply, context.retryAfterMs),
  };
}
