/**
 * RingCentral presence → `PresenceEvent`. Values are kept as RingCentral spelled them; the mapping engine
 * in presence.ts decides what Genesys shows (fields in priority order `dndStatus`, `telephonyStatus`,
 * `meetingStatus`, `presenceStatus`; unknown values map to skip there, so they are still recorded).
 *
 * ## Ordering (why `order` is a time and `sequence` the tie-break)
 * "Latest state wins" compares `(order, tiebreak)` of every event recorded for one extension, whatever
 * produced it, so all of them must be on one scale. RingCentral's `body.sequence` ("order number of a
 * notification to state the chronology") cannot be that scale on its own:
 * - account-level presence notifications carry no `sequence` at all (real capture in
 *   https://github.com/ringcentral/RingCentral.Net/issues/58), while detailed per-extension ones do, and the
 *   bridge may receive both kinds for one extension (account filter, per-extension fallback, a switch
 *   between them);
 * - a REST read (backfill) has no sequence;
 * - its scope and reset behaviour (per extension? per subscription, restarting after a blacklisted
 *   subscription is re-created?) are not documented.
 * A sequence of 2698 next to an epoch-ms order of 1.7e12 would leave the user stuck on whichever scale is
 * larger, forever. So `order` is RingCentral's own notification `timestamp` in epoch ms (the time it
 * emitted the change, on the same scale as a backfill read's clock), and `tiebreak` is `sequence`: two
 * notifications stamped in the same millisecond are ordered by sequence, a later-sent duplicate or replay
 * of one delivery (same uuid, timestamp and sequence) is recognised as a duplicate, and a late delivery of
 * an older change (older timestamp) never overwrites a newer one.
 */
import type { PresenceEvent } from '../../presence';
import type { RingCentralNotification, RingCentralPresenceBody, RingCentralPresenceRecord } from './schema';

/** The fields the RingCentral rows of the presence mapping use, in priority order (README.md#presence-mapping). */
export const RINGCENTRAL_PRESENCE_FIELDS = ['dndStatus', 'telephonyStatus', 'meetingStatus', 'presenceStatus'] as const;
export type RingCentralPresenceField = (typeof RINGCENTRAL_PRESENCE_FIELDS)[number];

/** `…/extension/{id}/presence…` in an event filter or resource URI. `~` means "the owner's own extension". */
const EXTENSION_IN_PATH = /\/extension\/([^/?#]+)\/presence(?:[/?#]|$)/;

/** True when the notification's `event` is a presence filter (extension, account, line, dnd variants). */
export function isRingCentralPresenceEvent(event: string | undefined): boolean {
  if (event === undefined) return false;
  const path = event.split('?')[0];
  return /\/presence(?:\/|$)/.test(path);
}

/**
 * The extension id named in an event filter or resource URI, or undefined. `~` resolves to `ownerId` when
 * given (a per-extension filter on the owner's own extension, `/account/~/extension/~/presence`).
 */
export function extensionIdFromPath(path: string | undefined, ownerId?: string): string | undefined {
  const match = path ? EXTENSION_IN_PATH.exec(path) : null;
  if (!match) return undefined;
  const id = decodePathSegment(match[1])?.trim();
  if (id === undefined) return undefined; // a malformed % escape names no extension
  if (id === '~') return ownerId;
  return /^[\x21-\x7e]{1,64}$/.test(id) ? id : undefined;
}

/** A percent-decoded path segment, or undefined when its escapes are malformed (`%zz`, a cut `%E0%A4%A`). */
function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The presence values to record: only the four mapped fields, only when present. On accounts with the
 * "new communication handling service" the personal DND setting is reported in `dndStatusPersonal` while
 * `dndStatus` may be absent or `Unknown` (docs/vendors.md#ringcentral-presence-values); it
 * is then used as `dndStatus`, so "do not accept any calls" still maps to Busy.
 */
export function toRingCentralValues(fields: {
  readonly presenceStatus?: string;
  readonly telephonyStatus?: string;
  readonly meetingStatus?: string;
  readonly dndStatus?: string;
  readonly dndStatusPersonal?: string;
}): Record<string, string> {
  const values: Record<string, string> = {};
  const dnd =
    fields.dndStatus === undefined || fields.dndStatus.toLowerCase() === 'unknown' ? (fields.dndStatusPersonal ?? fields.dndStatus) : fields.dndStatus;
  if (dnd !== undefined) values.dndStatus = dnd;
  if (fields.telephonyStatus !== undefined) values.telephonyStatus = fields.telephonyStatus;
  if (fields.meetingStatus !== undefined) values.meetingStatus = fields.meetingStatus;
  if (fields.presenceStatus !== undefined) values.presenceStatus = fields.presenceStatus;
  return values;
}

/** Epoch ms of an ISO-8601 `timestamp`, or undefined when absent or unreadable. */
export function parseRingCentralTimestamp(timestamp: string | undefined): number | undefined {
  if (timestamp === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(timestamp)) return undefined;
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms : undefined;
}

export type NormalizeResult = { readonly ok: true; readonly event: PresenceEvent } | { readonly ok: false; readonly reason: string };

/**
 * Normalizes one presence notification. The extension is `body.extensionId`, else the one named in the
 * `event` filter path. The envelope's `ownerId` is only used for `extension/~` filters: for the
 * account-wide filter it is the subscription owner, not the extension whose presence changed.
 *
 * `receivedAt` orders a notification without a readable `timestamp` (never seen, but the field is not
 * worth losing an event over).
 */
export function normalizeRingCentralNotification(notification: RingCentralNotification, body: RingCentralPresenceBody, receivedAt: number): NormalizeResult {
  const externalUserId = body.extensionId ?? extensionIdFromPath(notification.event, notification.ownerId);
  if (externalUserId === undefined) {
    return {
      ok: false,
      reason: `presence notification names no extension: no body.extensionId, and the event path ${JSON.stringify(notification.event ?? '')} names no readable extension id`,
    };
  }
  return {
    ok: true,
    event: {
      system: 'ringcentral',
      externalUserId,
      values: toRingCentralValues(body),
      order: parseRingCentralTimestamp(notification.timestamp) ?? receivedAt,
      tiebreak: body.sequence ?? 0,
    },
  };
}

/**
 * Normalizes one `PresenceInfoResponse` record read over REST (backfill). `readAt` is the bridge's clock
 * when the page was read: see backfill.ts for why that is the right order.
 */
export function normalizeRingCentralPresenceRecord(record: RingCentralPresenceRecord, readAt: number): PresenceEvent | undefined {
  const externalUserId = record.extension?.id ?? extensionIdFromPath(record.uri);
  if (externalUserId === undefined) return undefined;
  return { system: 'ringcentral', externalUserId, values: toRingCentralValues(record), order: readAt, tiebreak: 0 };
}
