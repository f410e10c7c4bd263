/**
 * The class of a refused webhook request, for the `EventsRejected` metric and its alarm (README "What to
 * watch"): a handful of fixed values, so CloudWatch keeps one series each. The status decides unless
 * the source names the class (Teams: an unknown subscription id is refused with 403 too).
 */
export const REJECTION_REASONS = ['signature', 'forbidden', 'unknown-subscription', 'malformed', 'unavailable'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export function classifyRejection(status: number, reasonClass?: RejectionReason): RejectionReason {
  if (reasonClass) return reasonClass;
  if (status === 401) return 'signature';
  if (status === 403) return 'forbidden';
  if (status >= 500) return 'unavailable';
  return 'malformed';
}
