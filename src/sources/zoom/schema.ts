/**
 * Schemas for what Zoom sends and returns. Types come from these schemas, so the checks and the types
 * cannot drift apart.
 *
 * Lenient where Zoom is inconsistent, so a harmless variation never turns into a lost event (a 4xx is
 * never retried by Zoom): `date_time` vs `date-time`, optional `app`, `event_ts` as number or numeric
 * string, presence values not in the documented enum. Strict where security depends on it: the
 * `plainToken` we HMAC and echo, and the user id that becomes a state key.
 * Event reference: https://developers.zoom.us/docs/api/users/events/ (`user.presence_status_updated`).
 */
import * as z from 'zod';

/** The `presence_status` values documented for `user.presence_status_updated`. Others are still accepted. */
export const ZOOM_PRESENCE_STATUSES = [
  'Available',
  'Away',
  'Do_Not_Disturb',
  'In_Meeting',
  'Presenting',
  'On_Phone_Call',
  'In_Calendar_Event',
  'Offline',
  'Busy',
  'Mobile_signed_in',
] as const;
export type ZoomPresenceStatus = (typeof ZOOM_PRESENCE_STATUSES)[number];

export const ZOOM_URL_VALIDATION_EVENT = 'endpoint.url_validation';
export const ZOOM_PRESENCE_EVENT = 'user.presence_status_updated';

/**
 * ISO-8601 date-time, as Zoom writes `date_time` ("2019-11-26T20:13:57Z"). A value without a zone is read
 * as UTC rather than server-local time, so the order of events never depends on where the bridge runs.
 * Returns epoch ms, or undefined when the text is not such a date.
 */
export function parseZoomDateTime(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!match) return undefined;
  const zone = match[3] ? match[3].toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
  const ms = Date.parse(`${match[1]}T${match[2]}${zone}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Epoch ms as a JSON number or a numeric string (lenient: either has been seen for timestamps). */
const epochMs = z.union([
  z
    .number()
    .finite()
    .nonnegative()
    .transform((value) => Math.trunc(value)),
  z
    .string()
    .trim()
    .regex(/^\d{1,16}$/, 'must be epoch milliseconds')
    .transform(Number),
]);

/** What every Zoom notification has: enough to decide which schema applies. */
export const ZoomEnvelopeSchema = z.looseObject({
  event: z.string().min(1, 'must name the event'),
});
export type ZoomEnvelope = z.infer<typeof ZoomEnvelopeSchema>;

/**
 * `endpoint.url_validation`. Strict: the token is hashed with our secret and echoed back, so it must be
 * a short printable ASCII string (Zoom's are 22 base64url characters, e.g. `qgg8vlvZRS6UYooatFL8Aw`).
 */
export const ZoomUrlValidationSchema = z.object({
  event: z.literal(ZOOM_URL_VALIDATION_EVENT),
  event_ts: epochMs.optional(),
  payload: z.object({
    plainToken: z
      .string()
      .min(1, 'must not be empty')
      .max(256, 'must be at most 256 characters')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII'),
  }),
});
export type ZoomUrlValidation = z.infer<typeof ZoomUrlValidationSchema>;

/** `object.app`: which client reported. Optional and never worth rejecting an event over. */
const AppSchema = z.looseObject({ type: z.string().optional(), presence_status: z.string().optional() }).optional().catch(undefined);

/**
 * Zoom user ids are opaque base64url-like strings. The id becomes a state key and appears in logs and CLI
 * output, so whitespace, control characters and absurd lengths are refused; other characters are allowed
 * (published captures are redacted with `…`, and the format is Zoom's to change).
 */
const userId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[^\s\p{Cc}]+$/u, 'must not contain spaces or control characters');

/** `user.presence_status_updated`, lenient, transformed into one tidy shape. */
export const ZoomPresenceEventSchema = z
  .looseObject({
    event: z.literal(ZOOM_PRESENCE_EVENT),
    // Required by Zoom's schema and present in every capture; optional here because `date_time` can order alone.
    event_ts: epochMs.optional(),
    payload: z.looseObject({
      account_id: z.string().nullish(),
      object: z.looseObject({
        id: userId,
        email: z.string().nullish(),
        presence_status: z.string().trim().min(1, 'must not be empty').max(128),
        // The schema says `date_time`; Zoom's own JSON example says `date-time`. Accept both.
        date_time: z.string().nullish(),
        'date-time': z.string().nullish(),
        app: AppSchema,
      }),
    }),
  })
  .transform((raw) => {
    const object = raw.payload.object;
    const dateText = object.date_time ?? object['date-time'] ?? undefined;
    const email = object.email?.trim();
    return {
      event: raw.event,
      eventTs: raw.event_ts,
      accountId: raw.payload.account_id ?? undefined,
      userId: object.id,
      email: email ? email : undefined,
      presenceStatus: object.presence_status,
      dateTime: dateText,
      dateTimeMs: dateText === undefined ? undefined : parseZoomDateTime(dateText),
      app: object.app,
    };
  })
  .refine((event) => event.dateTimeMs !== undefined || event.eventTs !== undefined, {
    message: 'needs payload.object.date_time (ISO-8601) or event_ts to order the event',
    path: ['payload', 'object', 'date_time'],
  });
export type ZoomPresenceEvent = z.infer<typeof ZoomPresenceEventSchema>;

/**
 * `GET /users/{userId}/presence_status` response: `{status}` or, for the caller's own DND,
 * `{status, end_time, remaining_time}` (https://developers.zoom.us/docs/api/users/). `status` uses the
 * REST vocabulary, which differs from the webhook one (see rest-presence.ts).
 */
export const ZoomRestPresenceSchema = z.looseObject({
  status: z.string().trim().min(1),
  end_time: z.string().optional().catch(undefined),
  remaining_time: z.number().optional().catch(undefined),
});
export type ZoomRestPresence = z.infer<typeof ZoomRestPresenceSchema>;

/** `GET /users/{userId}`: only the fields the bridge needs (https://developers.zoom.us/docs/api/users/). */
export const ZoomUserSchema = z.looseObject({
  id: userId,
  email: z.string().optional().catch(undefined),
});
export type ZoomUser = z.infer<typeof ZoomUserSchema>;

/**
 * Server-to-Server OAuth token response, e.g.
 * `{"access_token":"…","token_type":"bearer","expires_in":3600,"scope":"…","api_url":"https://api.zoom.us"}`
 * (https://developers.zoom.us/docs/internal-apps/s2s-oauth/).
 */
export const ZoomTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number().positive(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  scope: z.string().optional(),
});
export type ZoomTokenResponse = z.infer<typeof ZoomTokenResponseSchema>;

/** Zoom's error body: `{ "code": 1001, "message": "User does not exist: …" }`. OAuth errors use `reason`/`error`. */
export const ZoomErrorBodySchema = z.looseObject({
  code: z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
    .optional()
    .catch(undefined),
  message: z.string().optional().catch(undefined),
  reason: z.string().optional().catch(undefined),
  error: z.string().optional().catch(undefined),
});
export type ZoomErrorBody = z.infer<typeof ZoomErrorBodySchema>;

/** One line per issue, `path: message`, for a 400 reason or an error message. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`).join('; ');
}
