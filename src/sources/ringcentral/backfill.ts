/**
 * Reads the current presence of every extension and records it: the starting point after installation,
 * and the repair after a gap (a blacklisted subscription delivers nothing until it is re-created).
 *
 * `GET /restapi/v1.0/account/~/presence?detailedTelephonyState=true&page=&perPage=` is in the **Heavy** group
 * (10 requests per minute by default) and needs ReadPresence
 * (https://developers.ringcentral.com/api-reference/Presence/readAccountPresence). Pages are paced by the
 * client's rate gate; a 429 pauses the whole group. For non-user extensions `presenceStatus` is always
 * `Offline`; they are recorded like the rest and end up unmatched (no Genesys user has their email).
 */
import type { PresenceEvent } from '../../presence';
import { describeError } from '../../errors';
import type { RingCentralClient } from './client';
import { RINGCENTRAL_MAX_PAGES } from './directory';
import { normalizeRingCentralPresenceRecord } from './normalize';
import { RingCentralPresencePageSchema, RingCentralPresenceRecordSchema } from './schema';

export const RINGCENTRAL_ACCOUNT_PRESENCE_PATH = '/restapi/v1.0/account/~/presence';

export interface RingCentralBackfillProgress {
  readonly page: number;
  /** Known once the first page has been read (`paging.totalPages`). */
  readonly totalPages?: number;
  readonly read: number;
  readonly recorded: number;
  readonly failed: number;
}

export interface RingCentralBackfillFailure {
  readonly page?: number;
  readonly extensionId?: string;
  readonly reason: string;
}

export interface RingCentralBackfillResult {
  readonly pages: number;
  readonly read: number;
  readonly recorded: number;
  readonly failures: readonly RingCentralBackfillFailure[];
}

export interface RingCentralBackfillOptions {
  readonly client: RingCentralClient;
  /** Records a batch of events (desired state + enqueue: `recordEvents` in the composition root). */
  readonly record: (events: readonly PresenceEvent[]) => Promise<unknown>;
  readonly onProgress?: (progress: RingCentralBackfillProgress) => void;
  /** `perPage` (default 1000). */
  readonly perPage?: number;
  readonly now?: () => number;
}

/** Reads account presence page by page and hands each page's events to `record`. Never throws for a page. */
export async function backfillRingCentralPresence(options: RingCentralBackfillOptions): Promise<RingCentralBackfillResult> {
  const { client, record } = options;
  const now = options.now ?? Date.now;
  const perPage = options.perPage ?? 1000;
  const maxPages = RINGCENTRAL_MAX_PAGES;
  const failures: RingCentralBackfillFailure[] = [];
  let read = 0;
  let recorded = 0;
  let pages = 0;
  let totalPages: number | undefined;

  for (let page = 1; page <= maxPages; page++) {
    let records: unknown[];
    let more: boolean;
    try {
      const data = await client.request({
        method: 'GET',
        path: RINGCENTRAL_ACCOUNT_PRESENCE_PATH,
        group: 'Heavy',
        query: { detailedTelephonyState: true, page, perPage },
      });
      const parsed = RingCentralPresencePageSchema.parse(data ?? {});
      records = parsed.records;
      totalPages = parsed.paging?.totalPages ?? totalPages;
      more = parsed.navigation?.nextPage !== undefined || (totalPages !== undefined && page < totalPages);
    } catch (error) {
      failures.push({ page, reason: describeError(error) });
      options.onProgress?.({ page, totalPages, read, recorded, failed: failures.length });
      // Without the page count there is no telling what comes next; with it, the other pages are still worth reading.
      if (totalPages !== undefined && page < totalPages) continue;
      break;
    }
    pages++;

    // The REST answer has no sequence and no timestamp of its own: it is the state at the moment of the
    // read. So its order is the bridge's clock at the read, on the same epoch-ms scale as the notification
    // `timestamp` that orders webhook events (normalize.ts): a notification RingCentral emitted after this
    // read wins over it, one emitted before (even if delivered later) does not.
    const readAt = now();
    const events: PresenceEvent[] = [];
    for (const raw of records) {
      read++;
      const parsed = RingCentralPresenceRecordSchema.safeParse(raw);
      const event = parsed.success ? normalizeRingCentralPresenceRecord(parsed.data, readAt) : undefined;
      if (event) events.push(event);
      else failures.push({ page, reason: 'presence record names no extension (extension.id or uri)' });
    }
    if (events.length > 0) {
      try {
        await record(events);
        recorded += events.length;
      } catch (error) {
        for (const event of events) failures.push({ page, extensionId: event.externalUserId, reason: describeError(error) });
      }
    }
    options.onProgress?.({ page, totalPages, read, recorded, failed: failures.length });
    if (!more || records.length === 0) break;
  }
  return { pages, read, recorded, failures };
}
