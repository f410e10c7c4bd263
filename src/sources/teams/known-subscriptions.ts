/**
 * `isKnownSubscription` for the webhook sources, backed by the subscription index document
 * (subscriptions.ts). Answers synchronously from memory while the copy is fresh; a miss reloads the
 * document (concurrent misses share one read), so a subscription created moments ago by another
 * process is recognised at once. Only requests that already passed the clientState check get here,
 * so forged ids cannot turn into store reads.
 * A miss drops that item (webhook.ts judges items one by one): when nothing else in the POST passes,
 * Graph gets a 403 and retries; otherwise the maintainer's reconciliation read repairs the user.
 */
import type { DocumentStore } from '../../store/state-store';
import { TEAMS_DOCUMENTS } from './documents';
import type { SubscriptionIndex } from './subscriptions';

/** How long the in-memory copy of the subscription index answers hits without a reload. */
const MAX_AGE_MS = 60_000;

export function createKnownSubscriptionLookup(options: {
  readonly store: DocumentStore;
  readonly now?: () => number;
}): (subscriptionId: string) => boolean | Promise<boolean> {
  const now = options.now ?? Date.now;
  let known = new Set<string>();
  let loadedAt = -Infinity;
  let loading: Promise<void> | undefined;

  const reload = (): Promise<void> => {
    loading ??= options.store
      .getDocument<SubscriptionIndex>(TEAMS_DOCUMENTS.subscriptions)
      .then((document) => {
        const ids = Object.values(document?.value.accounts ?? {})
          .map((entry) => entry.subscriptionId)
          .filter((id): id is string => typeof id === 'string');
        known = new Set(ids);
        loadedAt = now();
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  return (subscriptionId) => {
    const age = now() - loadedAt;
    if (age <= MAX_AGE_MS && known.has(subscriptionId)) return true;
    return reload().then(() => known.has(subscriptionId));
  };
}
