/**
 * Reading presence app-only with `POST /communications/getPresencesByUserId`: at most 650 ids per
 * call, "1500 API requests in a 30 second period, per application per tenant"
 * (https://learn.microsoft.com/graph/api/cloudcommunications-getpresencesbyuserid). Used for the
 * initial sync, reconciliation, basic notifications and polling mode. Chunks are read one after the
 * other through a sliding-window pacer; 429s are retried by the Graph client's RetryHandler.
 * The pacer is per process: with 650 ids a call, 1,500 calls per 30 s is ~975,000 users, far beyond
 * one bridge, so a cross-process budget is not needed.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { PresenceEvent } from '../../presence';
import { toGraphRequestError } from './graph-client';
import { normalizePresence } from './normalize';
import { PresenceListSchema, type PresenceResource } from './schema';
import { MAX_IDS_PER_PRESENCE_READ } from './tasks';
import { GraphRequestError } from './teams-errors';

export interface PresenceReaderOptions {
  readonly graph: Client;
  /** Requests allowed per 30 s (TEAMS_PRESENCE_REQUESTS_PER_30S). */
  readonly requestsPer30Seconds?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface PresenceReadProgress {
  readonly done: number;
  readonly total: number;
}

export type PresenceReader = (userIds: readonly string[], onProgress?: (progress: PresenceReadProgress) => void) => Promise<PresenceResource[]>;

const WINDOW_MS = 30_000;

/** Creates a reader that fetches presence for any number of users in ≤650-id calls. */
export function createPresenceReader(options: PresenceReaderOptions): PresenceReader {
  const limit = options.requestsPer30Seconds ?? 1500;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const sent: number[] = [];

  const pace = async (): Promise<void> => {
    for (;;) {
      const at = now();
      while (sent.length > 0 && sent[0] <= at - WINDOW_MS) sent.shift();
      if (sent.length < limit) {
        sent.push(at);
        return;
      }
      await sleep(sent[0] + WINDOW_MS - at);
    }
  };

  return async (userIds, onProgress) => {
    const ids = [...new Set(userIds)];
    const result: PresenceResource[] = [];
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_PRESENCE_READ) {
      const chunk = ids.slice(i, i + MAX_IDS_PER_PRESENCE_READ);
      await pace();
      let body: unknown;
      try {
        body = await options.graph.api('/communications/getPresencesByUserId').post({ ids: chunk });
      } catch (error) {
        throw toGraphRequestError(error, `reading presence of ${chunk.length} users`);
      }
      const parsed = PresenceListSchema.safeParse(body);
      if (!parsed.success) throw new GraphRequestError('getPresencesByUserId returned something other than {"value":[…]}', undefined);
      result.push(...parsed.data.value);
      onProgress?.({ done: Math.min(i + chunk.length, ids.length), total: ids.length });
    }
    return result;
  };
}

/**
 * Turns read presences into events. `readAt` is when the read was issued: the state is at least
 * that fresh, so it orders correctly against webhook events stamped with their receipt time.
 */
export function presencesToEvents(presences: readonly PresenceResource[], readAt: number, emailOf?: (objectId: string) => string | undefined): PresenceEvent[] {
  const events: PresenceEvent[] = [];
  for (const presence of presences) {
    const event = normalizePresence(presence, { order: readAt, tiebreak: 0 });
    if (!event) continue;
    const email = emailOf?.(event.externalUserId);
    events.push(email ? { ...event, email } : event);
  }
  return events;
}
