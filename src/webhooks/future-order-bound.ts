/**
 * Keeps a future-dated event from pinning a user. "Latest state wins" trusts each source's own clock
 * (Zoom `date_time`/`event_ts`, RingCentral `timestamp`), so one event stamped `9999-12-31` would make
 * every later, real event look stale for that user forever. Every ordering value is therefore bounded by
 * the bridge's clock plus a small allowance for clock skew between the vendor and us.
 *
 * An event beyond the bound is not dropped (it was verified; its state may well be the user's real,
 * current state, only mis-dated): it is re-dated to the start of the current second with no tie-break.
 * It then still beats any older state, and any real event that follows, even within the same second
 * (Zoom orders by whole seconds with `event_ts` as tie-break), wins over it.
 */
import type { PresenceEvent } from '../presence';

/**
 * How far ahead of the bridge's clock a source's timestamp may be. Vendors' clocks are NTP-synchronised;
 * a minute covers skew and transit with a wide margin while keeping a mis-dated event's reach short.
 */
export const MAX_FUTURE_SKEW_MS = 60_000;

export interface BoundedEvent {
  readonly event: PresenceEvent;
  /** The original ordering values when the event was re-dated; absent when it was within the bound. */
  readonly redatedFrom?: { readonly order: number; readonly tiebreak?: number };
}

/**
 * Bounds `order` and `tiebreak` (both epoch ms where they are times; a RingCentral `sequence` tie-break is
 * far below any epoch-ms bound and is never touched) to `now + maxSkewMs`.
 */
export function boundEventOrder(event: PresenceEvent, now: number, maxSkewMs: number = MAX_FUTURE_SKEW_MS): BoundedEvent {
  const limit = now + maxSkewMs;
  const orderBeyond = !(event.order <= limit);
  const tiebreakBeyond = event.tiebreak !== undefined && !(event.tiebreak <= limit);
  if (!orderBeyond && !tiebreakBeyond) return { event };
  const redatedFrom = { order: event.order, ...(event.tiebreak !== undefined ? { tiebreak: event.tiebreak } : {}) };
  // Only the tie-break in the future (e.g. Zoom `event_ts`) would still win every same-second tie: drop it.
  const order = orderBeyond ? Math.floor(now / 1000) * 1000 : event.order;
  return { event: { ...event, order, tiebreak: 0 }, redatedFrom };
}
