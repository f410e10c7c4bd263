/**
 * How RingCentral delivers a webhook notification: a JSON POST to the subscription's address with the
 * subscriber's token in the `Verification-Token` header
 * (https://developers.ringcentral.com/guide/notifications/webhooks/verification-tokens).
 */
import type { RingCentralSandboxSubscription } from './ringcentral-sandbox-types';

/** POSTs `notification` to the subscription's address; resolves with the HTTP status, 0 when unreachable. */
export async function postRingCentralNotification(subscription: RingCentralSandboxSubscription, notification: Record<string, unknown>): Promise<number> {
  const token = subscription.deliveryMode.verificationToken;
  try {
    const response = await fetch(subscription.deliveryMode.address, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'RingCentral-Webhook/8.3',
        ...(token ? { 'verification-token': token } : {}),
      },
      body: JSON.stringify(notification),
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}
