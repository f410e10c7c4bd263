/**
 * The in-process request budget (one process, `npm start`): hands out send times so that no window of
 * `windowMs` (60 s) ever holds more than `requestsPerMinute` of them (docs/architecture.md: the budget holds).
 *
 * Smooth pacing: consecutive slots are at least s = (window + margin) / N apart. Slots never
 * move backwards, so slot k ≥ slot k−N + N·s ≥ slot k−N + window + margin: any window holds at most
 * N slots, also after `holdUntil` (which only delays slots). Pacing rather than bursting also means
 * network jitter cannot push a burst into one server-side window. The margin (0.5 % of the window by
 * default) absorbs the difference between when a slot starts here and when Genesys counts the request.
 *
 * Burst mode (a short-lived CLI command that makes a handful of requests): up to N slots at once, then each
 * slot k ≥ slot k−N + window + margin — the same bound on every window, without making a person wait a
 * spacing between the few reads of one command.
 */
import type { RequestBudget } from './request-budget';

export interface LocalBudgetOptions {
  /** Length of the window the limit applies to; 60 000 ms in production, shorter in tests. */
  readonly windowMs?: number;
  /** Extra spacing per window, absorbing network jitter. Default: windowMs / 200. */
  readonly marginMs?: number;
  /** Hand out up to N slots at once instead of pacing them (see above); default false. */
  readonly burst?: boolean;
}

/** A RequestBudget with its reservation state in memory. */
export interface LocalBudget extends RequestBudget {
  readonly requestsPerMinute: number;
  /** Minimum spacing between two slots, in ms. */
  readonly spacingMs: number;
}

/** Creates a budget of `requestsPerMinute` requests per window for one process. */
export function createLocalBudget(requestsPerMinute: number, now: () => number = Date.now, options: LocalBudgetOptions = {}): LocalBudget {
  if (!Number.isInteger(requestsPerMinute) || requestsPerMinute < 1) {
    throw new RangeError(`requestsPerMinute must be a positive whole number, got ${requestsPerMinute}`);
  }
  const windowMs = options.windowMs ?? 60_000;
  const marginMs = options.marginMs ?? windowMs / 200;
  // Not rounded up to whole ms: at 6,000/min ceil(10.05) = 11 ms would waste 9% of the budget. Slots are
  // fractional ms; a timer firing within the same ms is absorbed by the margin.
  const spacingMs = (windowMs + marginMs) / requestsPerMinute;
  let last = Number.NEGATIVE_INFINITY;
  let heldUntil = Number.NEGATIVE_INFINITY;
  /** Burst mode: the last N slots, oldest first. */
  const recent: number[] = [];
  const earliestNext = (): number => {
    if (!options.burst) return last + spacingMs;
    return recent.length < requestsPerMinute ? last : recent[0] + windowMs + marginMs;
  };

  return {
    requestsPerMinute,
    spacingMs,
    async reserve(): Promise<number> {
      const slot = Math.max(now(), heldUntil, earliestNext());
      last = slot;
      if (options.burst) {
        recent.push(slot);
        if (recent.length > requestsPerMinute) recent.shift();
      }
      return slot;
    },
    async holdUntil(epochMs: number): Promise<void> {
      if (epochMs > heldUntil) heldUntil = epochMs;
    },
  };
}
