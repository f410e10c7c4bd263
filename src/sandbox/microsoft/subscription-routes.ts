/**
 * Graph `/subscriptions` for presence, as Graph behaves (https://learn.microsoft.com/graph/api/resources/subscription):
 * delegated tokens only, ≤650 users, one presence subscription per user and app (409), ≤60-minute
 * expiry (under 45 raised to 45), the REAL validation handshake to notificationUrl and
 * lifecycleNotificationUrl (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#notificationurl-validation),
 * PATCH renew, DELETE, reauthorize, list.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { MicrosoftState } from './microsoft-state';
import type { MicrosoftSandboxSubscription } from './microsoft-types';
import { graphError, postText, send } from './sandbox-http';

const PRESENCE_FILTER = /^\/?communications\/presences\?\$filter=id in \((.*)\)$/i;

/** The real handshake: POST url?validationToken=… and expect 200 text/plain echoing it (10 s). */
async function validateEndpoint(url: string): Promise<boolean> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
  try {
    const result = await postText(target, 'text/plain; charset=utf-8', '', 10_000);
    return result.status === 200 && result.body === token;
  } catch {
    return false;
  }
}

function subscriptionJson(state: MicrosoftState, subscription: MicrosoftSandboxSubscription): Record<string, unknown> {
  return {
    id: subscription.id,
    resource: subscription.resource,
    applicationId: state.clientId,
    changeType: 'updated',
    // Graph never returns clientState.
    clientState: null,
    notificationUrl: subscription.notificationUrl,
    lifecycleNotificationUrl: subscription.lifecycleNotificationUrl ?? null,
    expirationDateTime: subscription.expirationDateTime,
    creatorId: subscription.ownerUserId,
    includeResourceData: subscription.includeResourceData,
    encryptionCertificateId: subscription.encryptionCertificateId ?? null,
  };
}

async function createSubscription(state: MicrosoftState, res: http.ServerResponse, userId: string, body: Record<string, unknown>): Promise<void> {
  const resource = String(body.resource ?? '');
  const match = PRESENCE_FILTER.exec(resource);
  const ids = match
    ? match[1]
        .split(',')
        .map((part) => part.trim().replace(/^'|'$/g, ''))
        .filter(Boolean)
    : [];
  if (body.changeType !== 'updated' || !match || ids.length === 0) {
    graphError(res, 400, 'InvalidRequest', `unsupported resource or changeType: ${resource}`);
    return;
  }
  if (ids.length > 650) {
    graphError(res, 400, 'InvalidRequest', 'Number of distinct users in a subscription is limited to 650.');
    return;
  }
  if (typeof body.clientState === 'string' && body.clientState.length > 128) {
    graphError(res, 400, 'InvalidRequest', 'clientState is longer than 128 characters');
    return;
  }
  if (body.includeResourceData === true && (!body.encryptionCertificate || !body.encryptionCertificateId)) {
    graphError(res, 400, 'InvalidRequest', 'encryptionCertificate and encryptionCertificateId are required with includeResourceData');
    return;
  }
  const expiry = state.clampExpiry(String(body.expirationDateTime ?? ''));
  if (!expiry) {
    graphError(res, 400, 'InvalidRequest', 'Subscription expiration can only be 60 minutes in the future.');
    return;
  }
  if ([...state.subscriptions.values()].some((s) => state.liveSubscription(s.id) && s.ownerUserId === userId)) {
    // One presence subscription per user per app (https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/2219).
    graphError(res, 409, 'ExtensionError', 'A subscripton already exists. It must be deleted before a another can be made.');
    return;
  }
  const notificationUrl = String(body.notificationUrl ?? '');
  const lifecycleNotificationUrl = typeof body.lifecycleNotificationUrl === 'string' ? body.lifecycleNotificationUrl : undefined;
  if (!(await validateEndpoint(notificationUrl)) || (lifecycleNotificationUrl && !(await validateEndpoint(lifecycleNotificationUrl)))) {
    graphError(res, 400, 'InvalidRequest', 'Subscription validation request failed. Response must exactly match validationToken query parameter.');
    return;
  }
  const subscription: MicrosoftSandboxSubscription = {
    id: randomUUID(),
    ownerUserId: userId,
    userIds: ids,
    resource,
    notificationUrl,
    lifecycleNotificationUrl,
    clientState: typeof body.clientState === 'string' ? body.clientState : undefined,
    includeResourceData: body.includeResourceData === true,
    encryptionCertificate: typeof body.encryptionCertificate === 'string' ? body.encryptionCertificate : undefined,
    encryptionCertificateId: typeof body.encryptionCertificateId === 'string' ? body.encryptionCertificateId : undefined,
    expirationDateTime: expiry,
  };
  state.subscriptions.set(subscription.id, subscription);
  send(res, 201, subscriptionJson(state, subscription));
}

/** Answers a `/subscriptions…` route; `identity` is the caller's token owner. */
export async function handleSubscriptionRoute(
  state: MicrosoftState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  route: string,
  body: Record<string, unknown>,
  identity: { kind: 'app' } | { kind: 'user'; userId: string },
): Promise<void> {
  if (identity.kind !== 'user') {
    // Presence subscriptions: Application "Not supported" (subscription-update permissions table).
    graphError(
      res,
      403,
      'ExtensionError',
      'Operation: Create; Exception: [Status Code: Forbidden; Reason: The request is not authorized for this user or application.]',
    );
    return;
  }
  const userId = identity.userId;
  const idPart = decodeURIComponent(route.slice('/subscriptions/'.length).split('/')[0] ?? '');

  if (req.method === 'GET' && route === '/subscriptions') {
    const mine = [...state.subscriptions.values()].filter((s) => state.liveSubscription(s.id) && s.ownerUserId === userId);
    send(res, 200, { value: mine.map((s) => subscriptionJson(state, s)) });
    return;
  }
  if (req.method === 'POST' && route === '/subscriptions') {
    await createSubscription(state, res, userId, body);
    return;
  }
  const subscription = state.liveSubscription(idPart);
  if (!subscription) {
    graphError(res, 404, 'ResourceNotFound', `The object was not found: ${idPart}`);
    return;
  }
  if (subscription.ownerUserId !== userId) {
    graphError(res, 403, 'Forbidden', 'The subscription belongs to another user.');
    return;
  }
  if (req.method === 'PATCH' && route === `/subscriptions/${idPart}`) {
    const expiry = state.clampExpiry(String(body.expirationDateTime ?? ''));
    if (!expiry) {
      graphError(res, 400, 'InvalidRequest', 'Subscription expiration can only be 60 minutes in the future.');
      return;
    }
    subscription.expirationDateTime = expiry;
    send(res, 200, subscriptionJson(state, subscription));
    return;
  }
  if (req.method === 'DELETE' && route === `/subscriptions/${idPart}`) {
    state.subscriptions.delete(idPart);
    send(res, 204);
    return;
  }
  if (req.method === 'POST' && route === `/subscriptions/${idPart}/reauthorize`) {
    send(res, 204);
    return;
  }
  graphError(res, 404, 'NotFound', `no route ${req.method} ${route}`);
}
