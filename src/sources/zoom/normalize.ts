/**
 * Zoom presence → `PresenceEvent`. Values are kept as Zoom spelled them; the mapping engine in
 * presence.ts decides what Genesys shows (unknown values map to skip there, so they are still recorded).
 */
import type { PresenceEvent } from '../../presence';
import type { ZoomPresenceEvent } from './schema';

/** The field name the Zoom rows of the presence mapping use (`zoom.presence_status`, README → Presence mapping). */
export const ZOOM_PRESENCE_FIELD = 'presence_status';

/**
 * The key part for a Zoom user: the id exactly as Zoom sent it, only trimmed. Zoom user ids are
 * case-sensitive (e.g. `t2bS3bJKRamtTrbWCKMVtA`): `GET /users/{userId}/presence_status` answers 404 with
 * code 1001 for the same id in another case
 * (https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}/presence_status), so a
 * lower-cased key would make `zoom backfill` ask for a user that does not exist. Webhooks, backfill,
 * `simulate zoom` and USER_MAPPING_FILE all go through this function (or compare exactly), so they land on
 * the same state key. Records an older version stored under a lower-cased id: see docs/zoom.md.
 */
export function normalizeZoomUserId(id: string): string {
  return id.trim();
}

/** Emails are matched case-insensitively (README → User matching); empty means unknown. */
export function normalizeZoomEmail(email: string | undefined): string | undefined {
  const trimmed = email?.trim().toLowerCase();
  return trimmed ? trimmed : undefined;
}

/**
 * `order` is kept at whole seconds because `date_time` has one-second resolution; `tiebreak` carries the
 * millisecond timestamp. Every Zoom event (webhook or backfill read) is ordered on this same scale, so
 * "latest state wins" compares like with like: within one second the millisecond stamps decide.
 */
export function toZoomOrder(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000;
}

/**
 * Normalizes a parsed `user.presence_status_updated`.
 * order: `date_time` (when the status changed), falling back to `event_ts`; tiebreak: `event_ts` (when
 * Zoom emitted the event). Out-of-order and late deliveries are real (ha-zoom-automation#57: an event
 * dated 19:15 arrived at 20:43), which is why the source's own time orders events, not arrival time.
 */
export function normalizeZoomPresenceEvent(event: ZoomPresenceEvent): PresenceEvent {
  // The schema guarantees one of the two is present.
  const changedAtMs = event.dateTimeMs ?? (event.eventTs as number);
  return {
    system: 'zoom',
    externalUserId: normalizeZoomUserId(event.userId),
    email: normalizeZoomEmail(event.email),
    values: { [ZOOM_PRESENCE_FIELD]: event.presenceStatus },
    order: toZoomOrder(changedAtMs),
    tiebreak: event.eventTs ?? changedAtMs,
  };
}
