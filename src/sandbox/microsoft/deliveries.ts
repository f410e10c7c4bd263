/**
 * Change and lifecycle notifications as Graph delivers them
 * (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks): basic items, or rich
 * items whose resource data is encrypted for the subscription's certificate, with a validation token
 * per app and tenant (https://learn.microsoft.com/graph/change-notifications-with-resource-data).
 * One POST can mix items of several subscriptions sharing the URL, also other apps' ones.
 */
import { randomUUID } from 'node:crypto';
import { certificatePemOf, encryptLikeGraph, validationTokenClaims } from './graph-crypto';
import type { MicrosoftState } from './microsoft-state';
import type { DeliverOptions, DeliveryResult, ForeignItem, MicrosoftSandboxSubscription, PresenceChangeDelivery } from './microsoft-types';
import { postText } from './sandbox-http';

type PastPresence = { availability: string; activity: string; sequenceNumber: string };

function presenceResource(userId: string): Record<string, unknown> {
  return { '@odata.id': `users/${userId}/presence`, '@odata.type': '#microsoft.graph.presence', id: userId };
}

function notificationItem(state: MicrosoftState, subscription: MicrosoftSandboxSubscription, userId: string, past?: PastPresence): Record<string, unknown> {
  const user = state.users.get(userId);
  const base: Record<string, unknown> = {
    subscriptionId: subscription.id,
    clientState: subscription.clientState,
    changeType: 'updated',
    tenantId: state.tenantId,
    resource: `communications/presences/${userId}`,
    subscriptionExpirationDateTime: subscription.expirationDateTime,
    resourceData: presenceResource(userId),
  };
  if (subscription.includeResourceData && subscription.encryptionCertificate) {
    base.encryptedContent = encryptLikeGraph(
      {
        ...presenceResource(userId),
        availability: user?.availability ?? 'PresenceUnknown',
        activity: user?.activity ?? 'PresenceUnknown',
        ...(user ? { sequenceNumber: state.sequenceOf(userId) } : {}),
        ...(past ?? {}),
      },
      certificatePemOf(subscription.encryptionCertificate),
      subscription.encryptionCertificateId ?? '',
    );
  }
  return base;
}

const post = (url: string, payload: unknown): Promise<DeliveryResult> => postText(url, 'application/json; charset=utf-8', JSON.stringify(payload), 10_000);

/** An item of another app's subscription that shares the URL, and that app's validation token if rich. */
function foreignNotification(state: MicrosoftState, foreign: ForeignItem): { item: Record<string, unknown>; token?: string } {
  const item: Record<string, unknown> = {
    subscriptionId: foreign.subscriptionId ?? randomUUID(),
    clientState: foreign.clientState ?? `other-app-${randomUUID()}`,
    changeType: 'updated',
    tenantId: state.tenantId,
    resource: `communications/presences/${foreign.userId}`,
    subscriptionExpirationDateTime: new Date(state.now() + 45 * 60_000).toISOString(),
    resourceData: presenceResource(foreign.userId),
  };
  if (!foreign.encryptWith) return { item };
  const user = state.users.get(foreign.userId);
  item.encryptedContent = encryptLikeGraph(
    { ...presenceResource(foreign.userId), availability: user?.availability ?? 'Available', activity: user?.activity ?? 'Available' },
    foreign.encryptWith.certificatePem,
    foreign.encryptWith.certificateId,
  );
  const token = state.signer.sign(validationTokenClaims({ appId: foreign.appId ?? randomUUID(), tenantId: state.tenantId, nowMs: state.now() }));
  return { item, token };
}

/** Delivers notifications for (subscription, user) pairs in ONE POST to the first subscription's URL. */
export async function deliverNotifications(
  state: MicrosoftState,
  items: ReadonlyArray<{ subscriptionId: string; userId: string }>,
  options: DeliverOptions = {},
): Promise<DeliveryResult> {
  const value = items.map(({ subscriptionId, userId }, index) => {
    const subscription = state.subscriptions.get(subscriptionId);
    if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
    const item = notificationItem(state, subscription, userId, options.pastPresence?.[userId]);
    if (options.clientState !== undefined) item.clientState = options.clientState;
    options.tamper?.(item, index);
    return item;
  });
  const first = state.subscriptions.get(items[0].subscriptionId)!;
  const rich = value.some((item) => item.encryptedContent);
  const tokens = rich ? [state.signer.sign(validationTokenClaims({ appId: state.clientId, tenantId: state.tenantId, nowMs: state.now() }))] : [];
  // Mix other subscriptions' items in between ours, each app's token alongside (one per app and tenant).
  const mixed: Array<Record<string, unknown>> = [];
  const foreign = (options.foreignItems ?? []).map((item) => foreignNotification(state, item));
  for (let i = 0; i < Math.max(value.length, foreign.length); i += 1) {
    if (value[i]) mixed.push(value[i]);
    if (foreign[i]) {
      mixed.push(foreign[i].item);
      if (foreign[i].token) tokens.push(foreign[i].token!);
    }
  }
  return post(first.notificationUrl, { value: mixed, ...(tokens.length > 0 ? { validationTokens: tokens } : {}) });
}

export async function deliverLifecycleNotification(state: MicrosoftState, subscriptionId: string, lifecycleEvent: string): Promise<DeliveryResult> {
  const subscription = state.subscriptions.get(subscriptionId);
  if (!subscription?.lifecycleNotificationUrl) throw new Error(`no lifecycle URL for ${subscriptionId}`);
  return post(subscription.lifecycleNotificationUrl, {
    value: [
      {
        subscriptionId,
        subscriptionExpirationDateTime: subscription.expirationDateTime,
        tenantId: state.tenantId,
        clientState: subscription.clientState,
        lifecycleEvent,
      },
    ],
  });
}

/** Notifies every live subscription covering `userId` of its current presence: one POST per subscription. */
export async function deliverPresenceChange(state: MicrosoftState, userId: string): Promise<PresenceChangeDelivery[]> {
  const covering = [...state.subscriptions.values()].filter((s) => state.liveSubscription(s.id) && s.userIds.includes(userId));
  return Promise.all(
    covering.map(async (subscription): Promise<PresenceChangeDelivery> => {
      const kind = subscription.includeResourceData && subscription.encryptionCertificate ? 'rich' : 'basic';
      try {
        const result = await deliverNotifications(state, [{ subscriptionId: subscription.id, userId }]);
        return { subscriptionId: subscription.id, notificationUrl: subscription.notificationUrl, kind, status: result.status };
      } catch (error) {
        return { subscriptionId: subscription.id, notificationUrl: subscription.notificationUrl, kind, status: 0, error: (error as Error).message };
      }
    }),
  );
}
