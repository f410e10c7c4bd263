/**
 * Schemas of what Graph sends and returns, from docs-contrib
 * `api-reference/v1.0/resources/changenotification.md` and
 * https://learn.microsoft.com/graph/changenotifications-for-presence. Lenient where Graph is
 * inconsistent (extra fields, null vs absent, id forms, casing — handled in normalize.ts); strict
 * where security depends on it (subscriptionId, encryptedContent parts, validation tokens).
 */
import * as z from 'zod';

/** Rich notifications: the encrypted resource (https://learn.microsoft.com/graph/change-notifications-with-resource-data). */
export const EncryptedContentSchema = z.looseObject({
  data: z.string().min(1),
  dataSignature: z.string().min(1),
  dataKey: z.string().min(1),
  encryptionCertificateId: z.string().nullish(),
  encryptionCertificateThumbprint: z.string().nullish(),
});
export type EncryptedContent = z.infer<typeof EncryptedContentSchema>;

/** One changeNotification (change or lifecycle). */
export const ChangeNotificationSchema = z.looseObject({
  subscriptionId: z.string().min(1),
  clientState: z.string().nullish(),
  changeType: z.string().nullish(),
  tenantId: z.string().nullish(),
  resource: z.string().nullish(),
  resourceData: z.record(z.string(), z.unknown()).nullish(),
  encryptedContent: EncryptedContentSchema.nullish(),
  lifecycleEvent: z.string().nullish(),
  subscriptionExpirationDateTime: z.string().nullish(),
  id: z.string().nullish(),
});
export type ChangeNotification = z.infer<typeof ChangeNotificationSchema>;

/**
 * changeNotificationCollection. `validationTokens` items may be null when the tenant blocks the
 * Change Tracking app ("the notification payload will contain a null validation token"); a null
 * token then fails validation rather than the parse, so the reason is logged precisely.
 */
export const ChangeNotificationCollectionSchema = z.looseObject({
  value: z.array(ChangeNotificationSchema).max(10_000),
  validationTokens: z.array(z.string().nullable()).nullish(),
});
export type ChangeNotificationCollection = z.infer<typeof ChangeNotificationCollectionSchema>;

/**
 * A presence resource as read (GET / getPresencesByUserId) or decrypted from a rich notification.
 * Field names are looked up case-insensitively in normalize.ts, so the schema only asks for an object.
 */
export const PresenceResourceSchema = z.record(z.string(), z.unknown());
export type PresenceResource = z.infer<typeof PresenceResourceSchema>;

/** `POST /communications/getPresencesByUserId` response (https://learn.microsoft.com/graph/api/cloudcommunications-getpresencesbyuserid). */
export const PresenceListSchema = z.looseObject({ value: z.array(PresenceResourceSchema) });

/**
 * `GET /users` page (docs-contrib `api-reference/v1.0/api/user-list.md`), also the page of
 * `GET /groups/{id}/transitiveMembers/microsoft.graph.user` (https://learn.microsoft.com/graph/api/group-list-transitivemembers).
 * `accountEnabled` is returned only when `$select`ed; absent or null is read as enabled.
 */
export const UserPageSchema = z.looseObject({
  value: z.array(
    z.looseObject({
      id: z.string().min(1),
      mail: z.string().nullish(),
      userPrincipalName: z.string().nullish(),
      accountEnabled: z.boolean().nullish(),
    }),
  ),
  '@odata.nextLink': z.string().nullish(),
});

/** A subscription resource (https://learn.microsoft.com/graph/api/resources/subscription). */
export const SubscriptionResourceSchema = z.looseObject({
  id: z.string().min(1),
  resource: z.string().nullish(),
  expirationDateTime: z.string().min(1),
  notificationUrl: z.string().nullish(),
  changeType: z.string().nullish(),
});
export type SubscriptionResource = z.infer<typeof SubscriptionResourceSchema>;

export const SubscriptionListSchema = z.looseObject({
  value: z.array(SubscriptionResourceSchema),
  '@odata.nextLink': z.string().nullish(),
});
