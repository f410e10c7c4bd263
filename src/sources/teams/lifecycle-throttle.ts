/**
 * Bounds what a lifecycle notification can make the bridge do. A `missed` event reads up to 650 users'
 * presence; `reauthorizationRequired` renews, `subscriptionRemoved` re-creates. A captured, replayed
 * notification passes clientState, so without a bound each replay would cost Graph reads and
 * subscription writes. Graph sends these events at most a few times an hour per subscription
 * (https://learn.microsoft.com/graph/change-notifications-lifecycle-events), and the maintainer
 * reconciles on its own schedule anyway, so acting once per subscription and event per interval loses
 * nothing. The record lives in the store, so every worker (each Lambda container) shares it.
 */
import type { DocumentStore } from '../../store/state-store';

export const LIFECYCLE_THROTTLE_DOCUMENT = 'teams.lifecycle-actions';
/** Once per subscription and event per this interval. */
export const LIFECYCLE_MIN_INTERVAL_MS = 10 * 60_000;

export interface LifecycleThrottle {
  /** True when the action may run now (and records it), false when it ran within the interval. */
  claim(task: string, subscriptionId: string): Promise<boolean>;
  /** Forgets a claim whose action failed and will be retried, so the retry is not refused. */
  release(task: string, subscriptionId: string): Promise<void>;
}

export function createLifecycleThrottle(
  documents: DocumentStore,
  now: () => number = Date.now,
  minIntervalMs: number = LIFECYCLE_MIN_INTERVAL_MS,
): LifecycleThrottle {
  /** Read-modify-write with optimistic concurrency; `change` returns the new entries, or undefined to stop. */
  const update = async (change: (entries: Array<[string, number]>, at: number) => Array<[string, number]> | undefined): Promise<boolean> => {
    for (;;) {
      const current = await documents.getDocument<Record<string, number>>(LIFECYCLE_THROTTLE_DOCUMENT);
      const at = now();
      // Entries older than the interval decide nothing any more: dropped so the document stays small.
      const live = Object.entries(current?.value ?? {}).filter(([, time]) => at - time < minIntervalMs);
      const next = change(live, at);
      if (next === undefined) return false;
      if (await documents.putDocument(LIFECYCLE_THROTTLE_DOCUMENT, Object.fromEntries(next), current?.version)) return true;
    }
  };
  return {
    claim: (task, subscriptionId) => {
      const key = `${task}:${subscriptionId}`;
      return update((entries, at) => (entries.some(([k]) => k === key) ? undefined : [...entries, [key, at]]));
    },
    release: async (task, subscriptionId) => {
      const key = `${task}:${subscriptionId}`;
      await update((entries) => (entries.some(([k]) => k === key) ? entries.filter(([k]) => k !== key) : undefined));
    },
  };
}
