/**
 * Turns normalized events into durable desired state and queued keys: map → conditional write
 * ("latest state wins") → enqueue. Shared by the webhook path, backfills, polling and reconciliation.
 */
import { silentLogger, type Logger } from '../logger';
import { noopMetrics, type Metrics } from '../metrics/metrics';
import { mapPresence, type PresenceEvent, type PresenceMapping } from '../presence';
import { applyMessage, type KeyQueue, type QueueMessage } from '../queue/key-queue';
import type { RecordOutcome, StateKey, StateStore } from '../store/state-store';
import { boundEventOrder } from './future-order-bound';

export interface RecordDeps {
  readonly store: StateStore;
  readonly queue: KeyQueue;
  readonly mapping: PresenceMapping;
  readonly now: () => number;
  /** Where re-dated (future-stamped) events are reported; silent when absent. */
  readonly logger?: Logger;
  /** Counts accepted, stale and duplicate events per system; nothing when absent. */
  readonly metrics?: Metrics;
}

export interface RecordSummary {
  readonly recorded: number;
  readonly stale: number;
  readonly duplicate: number;
  /** Events stamped too far in the future, re-dated to now (see future-order-bound.ts). */
  readonly redated: number;
}

/**
 * Records each event's desired state, then enqueues the keys that may need work. Duplicates are
 * enqueued too: if an earlier attempt recorded but failed to enqueue, the sender's retry (a duplicate)
 * must still get the key queued. The worker finds nothing to write when it was already applied.
 */
export async function recordEvents(events: readonly PresenceEvent[], deps: RecordDeps, tasks: readonly QueueMessage[] = []): Promise<RecordSummary> {
  const now = deps.now();
  const recordedAt = new Date(now).toISOString();
  const bounded = events.map((event) => boundEventOrder(event, now));
  for (const { event, redatedFrom } of bounded) {
    if (!redatedFrom) continue;
    (deps.logger ?? silentLogger).warn('event stamped in the future; re-dated to now so it cannot pin the user', {
      system: event.system,
      externalUserId: event.externalUserId,
      order: describeOrder(redatedFrom.order),
      ...(redatedFrom.tiebreak !== undefined ? { tiebreak: describeOrder(redatedFrom.tiebreak) } : {}),
    });
  }
  const outcomes: RecordOutcome[] = await Promise.all(
    bounded.map(({ event }) => {
      const state = mapPresence(event, deps.mapping);
      const key: StateKey = { system: event.system, externalUserId: event.externalUserId };
      return deps.store.recordDesired(
        key,
        {
          target: state.target,
          message: state.message,
          values: event.values,
          order: event.order,
          tiebreak: event.tiebreak ?? 0,
          ...(event.sequence !== undefined ? { sequence: event.sequence } : {}),
          recordedAt,
        },
        event.email?.toLowerCase(),
      );
    }),
  );
  const toQueue: QueueMessage[] = [];
  const queued = new Set<string>();
  events.forEach((event, index) => {
    const id = `${event.system}:${event.externalUserId}`;
    if (outcomes[index] !== 'stale' && !queued.has(id)) {
      queued.add(id);
      toQueue.push(applyMessage({ system: event.system, externalUserId: event.externalUserId }));
    }
  });
  toQueue.push(...tasks);
  if (toQueue.length > 0) await deps.queue.enqueue(toQueue);
  // Counted once durable and queued: an event whose request gets a 503 is counted when its retry is recorded.
  const metrics = deps.metrics ?? noopMetrics;
  const names = { recorded: 'EventsAccepted', stale: 'EventsStale', duplicate: 'EventsDuplicate' } as const;
  events.forEach((event, index) => metrics.count(names[outcomes[index]], { system: event.system }));
  return {
    recorded: outcomes.filter((o) => o === 'recorded').length,
    stale: outcomes.filter((o) => o === 'stale').length,
    duplicate: outcomes.filter((o) => o === 'duplicate').length,
    redated: bounded.filter((b) => b.redatedFrom).length,
  };
}

/** An ordering value as an ISO time when it is one, for a log line an operator can read. */
function describeOrder(value: number): string | number {
  const date = new Date(value);
  return Number.isFinite(value) && value > 1e12 && !Number.isNaN(date.getTime()) ? date.toISOString() : value;
}
