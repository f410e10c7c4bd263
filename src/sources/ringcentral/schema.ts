/**
 * Schemas for what RingCentral sends and returns. Types come from these schemas, so they cannot drift apart.
 *
 * Lenient where RingCentral is inconsistent, so a harmless variation never turns into a lost event:
 * `extensionId` arrives as a string in the documented example and as a number in real account-level
 * captures (https://github.com/ringcentral/RingCentral.Net/issues/58), `uuid` can be a numeric string,
 * `sequence` is absent from account-level notifications, `telephonyStatus` is only sent "if telephony
 * status is changed", and SDK specs have missed fields real payloads carry (`meetingStatus`, same issue).
 * Strict where it matters: ids that become state keys are bounded, printable and non-empty.
 *
 * Reference: https://developers.ringcentral.com/api-reference/Detailed-Extension-Presence-Event and
 * https://developers.ringcentral.com/api-reference/Account-Presence-Event.
 */
import * as z from 'zod';

/**
 * An extension (or account) id as a number or a string. RingCentral ids are integers (e.g. 643716048),
 * well within `Number.MAX_SAFE_INTEGER`, so a JSON number loses nothing. Becomes a state key.
 */
export const RingCentralIdSchema = z.union([
  z
    .number()
    .int()
    .nonnegative()
    .max(Number.MAX_SAFE_INTEGER)
    .transform((value) => String(value)),
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
]);

/** A presence value: kept as RingCentral spelled it; empty, null or non-string values count as absent. */
const presenceValue = z
  .string()
  .trim()
  .max(64)
  .transform((value) => (value === '' ? undefined : value))
  .optional()
  .catch(undefined);

/** `sequence`: "order number of a notification to state the chronology". Number or numeric string. */
const sequence = z
  .union([
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    z
      .string()
      .trim()
      .regex(/^\d{1,15}$/)
      .transform(Number),
  ])
  .optional()
  .catch(undefined);

/**
 * The presence fields of an event body (detailed extension presence and account presence alike), and of
 * a `PresenceInfoResponse` record read over REST. Unknown fields are kept (loose) and ignored.
 */
export const RingCentralPresenceFieldsSchema = z.looseObject({
  presenceStatus: presenceValue,
  telephonyStatus: presenceValue,
  meetingStatus: presenceValue,
  dndStatus: presenceValue,
  /** Set instead of (or beside) `dndStatus` on accounts with the "new communication handling service". */
  dndStatusPersonal: presenceValue,
  userStatus: presenceValue,
});

/** `body` of a presence notification. */
export const RingCentralPresenceBodySchema = RingCentralPresenceFieldsSchema.extend({
  extensionId: RingCentralIdSchema.optional(),
  sequence,
});
export type RingCentralPresenceBody = z.infer<typeof RingCentralPresenceBodySchema>;

/**
 * The notification envelope: `uuid` (notification id, used to dedupe), `event` (the filter URI),
 * `ownerId`, `subscriptionId`, `timestamp` (ISO-8601), `body`
 * (https://developers.ringcentral.com/guide/notifications/event-filters).
 */
export const RingCentralNotificationSchema = z.looseObject({
  uuid: z
    .union([z.string().trim().min(1).max(128), z.number().transform((value) => String(value))])
    .optional()
    .catch(undefined),
  event: z.string().trim().max(2048).optional().catch(undefined),
  timestamp: z.string().trim().max(64).optional().catch(undefined),
  subscriptionId: z.string().optional().catch(undefined),
  ownerId: RingCentralIdSchema.optional().catch(undefined),
  body: z.unknown().optional(),
});
export type RingCentralNotification = z.infer<typeof RingCentralNotificationSchema>;

/**
 * JWT-flow token response, e.g. `{"access_token":"…","token_type":"bearer","expires_in":7199,…}`
 * (https://developers.ringcentral.com/guide/authentication/jwt-flow).
 */
export const RingCentralTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number().positive(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
  owner_id: z.union([z.string(), z.number()]).optional(),
});
export type RingCentralTokenResponse = z.infer<typeof RingCentralTokenResponseSchema>;

/**
 * `GET /restapi/v1.0/account/~` (GetAccountInfoResponse): only the account `id` is used, an integer
 * (https://developers.ringcentral.com/guide/account; RingCentral.Net GetAccountInfoResponse).
 */
export const RingCentralAccountInfoSchema = z.looseObject({ id: RingCentralIdSchema });

/**
 * `SubscriptionInfo` (https://developers.ringcentral.com/api-reference/Subscriptions/createSubscription):
 * `status` is `Active` or `Blacklisted`; a blacklisted subscription carries `blacklistedData`.
 */
export const RingCentralSubscriptionSchema = z.looseObject({
  id: z.string().min(1),
  uri: z.string().optional().catch(undefined),
  eventFilters: z
    .array(z.string())
    .optional()
    .catch(undefined)
    .transform((value) => value ?? []),
  disabledFilters: z
    .array(z.looseObject({ filter: z.string().optional(), reason: z.string().optional() }))
    .optional()
    .catch(undefined)
    .transform((value) => value ?? []),
  expirationTime: z.string().optional().catch(undefined),
  expiresIn: z.number().optional().catch(undefined),
  status: z.string().optional().catch(undefined),
  creationTime: z.string().optional().catch(undefined),
  deliveryMode: z
    .looseObject({
      transportType: z.string().optional(),
      address: z.string().optional(),
      verificationToken: z.string().optional(),
    })
    .optional()
    .catch(undefined),
  blacklistedData: z.looseObject({ reason: z.string().optional(), blacklistedAt: z.string().optional() }).optional().catch(undefined),
});
export type RingCentralSubscription = z.infer<typeof RingCentralSubscriptionSchema>;

/** `GET /restapi/v1.0/subscription`: `{ uri, records: SubscriptionInfo[] }`. */
export const RingCentralSubscriptionListSchema = z.looseObject({
  records: z
    .array(RingCentralSubscriptionSchema)
    .optional()
    .transform((value) => value ?? []),
});

/** `paging` and `navigation` of RingCentral list responses. */
const PagingSchema = z
  .looseObject({
    page: z.number().optional(),
    totalPages: z.number().optional(),
    perPage: z.number().optional(),
    totalElements: z.number().optional(),
  })
  .optional()
  .catch(undefined);
const NavigationSchema = z
  .looseObject({ nextPage: z.looseObject({ uri: z.string().optional() }).optional() })
  .optional()
  .catch(undefined);

/** One record of `GET /restapi/v1.0/account/~/extension`; the email is in `contact.email`. */
export const RingCentralExtensionSchema = z.looseObject({
  id: RingCentralIdSchema,
  extensionNumber: z.string().optional().catch(undefined),
  type: z.string().optional().catch(undefined),
  status: z.string().optional().catch(undefined),
  contact: z
    .looseObject({ email: z.string().optional().catch(undefined) })
    .optional()
    .catch(undefined),
});
export type RingCentralExtension = z.infer<typeof RingCentralExtensionSchema>;

/** A page of extensions. Records that do not parse are counted, not fatal. */
export const RingCentralExtensionPageSchema = z.looseObject({
  records: z
    .array(z.unknown())
    .optional()
    .transform((value) => value ?? []),
  paging: PagingSchema,
  navigation: NavigationSchema,
});

/** One `PresenceInfoResponse` of `GET /restapi/v1.0/account/~/presence`. */
export const RingCentralPresenceRecordSchema = RingCentralPresenceFieldsSchema.extend({
  uri: z.string().optional().catch(undefined),
  extension: z
    .looseObject({ id: RingCentralIdSchema.optional().catch(undefined) })
    .optional()
    .catch(undefined),
});
export type RingCentralPresenceRecord = z.infer<typeof RingCentralPresenceRecordSchema>;

/** A page of account presence. */
export const RingCentralPresencePageSchema = RingCentralExtensionPageSchema;

/**
 * RingCentral's error body: `{ errorCode, message, errors: [{ errorCode, message, permissionName? }] }`;
 * OAuth errors add `error` and `error_description`
 * (https://developers.ringcentral.com/guide/basics/errors).
 */
export const RingCentralErrorBodySchema = z.looseObject({
  errorCode: z.string().optional().catch(undefined),
  message: z.string().optional().catch(undefined),
  error: z.string().optional().catch(undefined),
  error_description: z.string().optional().catch(undefined),
  errors: z
    .array(
      z.looseObject({
        errorCode: z.string().optional().catch(undefined),
        message: z.string().optional().catch(undefined),
        permissionName: z.string().optional().catch(undefined),
      }),
    )
    .optional()
    .catch(undefined),
});
export type RingCentralErrorBody = z.infer<typeof RingCentralErrorBodySchema>;

/** One line per issue, `path: message`, for a 400 reason or an error message. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`).join('; ');
}
