/**
 * Graph's notification-URL validation: `POST {url}?validationToken={token}`, answered within 10 s
 * with 200, `text/plain`, and the URL-decoded token as the body, exactly
 * (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#notificationurl-validation).
 * The token is opaque and may be prose with spaces ("Validation: Testing client application
 * reachability for subscription Request-Id: …", microsoftgraph/microsoft-graph-docs#21160), so it is
 * echoed byte for byte, never re-encoded or trimmed.
 */
import type { InboundRequest, WebhookOutcome } from '../../webhooks/types';

/** Generous bound: Graph's tokens are short; anything this long is not a handshake we answer. */
export const MAX_VALIDATION_TOKEN_LENGTH = 8 * 1024;

/**
 * Returns the handshake outcome when the request carries `validationToken`, else undefined.
 * `request.query` is already URL-decoded by the adapter (InboundRequest contract).
 */
export function answerValidationHandshake(request: InboundRequest): WebhookOutcome | undefined {
  const query = request.query;
  if (!Object.prototype.hasOwnProperty.call(query, 'validationToken')) return undefined;
  const token = query.validationToken;
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_VALIDATION_TOKEN_LENGTH) {
    return { kind: 'rejected', status: 400, reason: 'validationToken must be 1 to 8192 characters' };
  }
  return {
    kind: 'handshake',
    response: {
      status: 200,
      // text/plain + nosniff: the echoed token can never be interpreted as HTML or script.
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
      body: token,
    },
  };
}
