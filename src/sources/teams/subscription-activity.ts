/**
 * When each subscription last delivered a verified notification, for `presence-bridge teams
 * subscriptions`: a subscription that renews fine but never delivers is the silent failure seen in
 * MicrosoftDocs/msteams-docs#11452, and this is how an operator spots it. Writes are throttled per
 * subscription and made off the response path (fire and forget), so the 3-second ack is unaffected.
 */
import { describeError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import type { DocumentStore } from '../../store/state-store';
import { TEAMS_DOCUMENTS, updateDocument } from './documents';

export interface SubscriptionActivity {
  /** Subscription id → ISO time of the last verified notification. */
  readonly lastNotificationAt: Readonly<Record<string, string>>;
}

const KEEP_MS = 7 * 24 * 60 * 60 * 1000;

export async function loadSubscriptionActivity(store: DocumentStore): Promise<SubscriptionActivity> {
  return (await store.getDocument<SubscriptionActivity>(TEAMS_DOCUMENTS.activity))?.value ?? { lastNotificationAt: {} };
}

/** Records activity directly (awaitable); entries older than a week are dropped. */
export async function recordSubscriptionActivity(store: DocumentStore, subscriptionIds: readonly string[], at: number): Promise<void> {
  const stamp = new Date(at).toISOString();
  await updateDocument<SubscriptionActivity>(store, TEAMS_DOCUMENTS.activity, (current) => {
    const next: Record<string, string> = {};
    for (const [id, when] of Object.entries(current?.lastNotificationAt ?? {})) {
      if (at - Date.parse(when) < KEEP_MS) next[id] = when;
    }
    for (const id of subscriptionIds) next[id] = stamp;
    return { lastNotificationAt: next };
  });
}

/** Writes of one subscription's last-notification time are at most this frequent. */
const MIN_INTERVAL_MS = 60_000;

/**
 * A recorder for `onVerifiedNotifications`: at most one write per subscription per `MIN_INTERVAL_MS`,
 * never awaited by the caller, failures only logged.
 */
export function createSubscriptionActivityRecorder(options: {
  readonly store: DocumentStore;
  readonly logger?: Logger;
}): (subscriptionIds: readonly string[], receivedAt: number) => void {
  const log = options.logger ?? silentLogger;
  const lastWritten = new Map<string, number>();
  return (subscriptionIds, receivedAt) => {
    const due = subscriptionIds.filter((id) => receivedAt - (lastWritten.get(id) ?? -Infinity) >= MIN_INTERVAL_MS);
    if (due.length === 0) return;
    for (const id of due) lastWritten.set(id, receivedAt);
    recordSubscriptionActivity(options.store, due, receivedAt).catch((error: unknown) =>
      log.warn('could not record Teams subscription activity', { error: describeError(error) }),
    );
  };
}
