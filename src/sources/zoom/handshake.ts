/**
 * Zoom's endpoint URL validation (challenge-response check): `endpoint.url_validation`.
 *
 * Zoom posts `{ payload: { plainToken } }` when the endpoint is saved and again every 72 hours; the answer
 * is `{ plainToken, encryptedToken: hex(HMAC-SHA256(Secret Token, plainToken)) }` with 200 within 3 s.
 * Six failed re-validations in a row disable the event subscription, so this must stay fast and exact:
 * https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint
 *
 * The request is signed like any event; the caller verifies it first (webhook.ts) and passes the secret
 * that verified it, which is the one Zoom currently holds.
 */
import crypto from 'node:crypto';
import type { OutboundResponse } from '../../webhooks/types';

/** hex(HMAC-SHA256(secret, plainToken)): Zoom's `encryptedToken`. */
export function computeZoomEncryptedToken(secret: string, plainToken: string): string {
  return crypto.createHmac('sha256', secret).update(plainToken, 'utf8').digest('hex');
}

/** The 200 JSON response Zoom expects to an `endpoint.url_validation` request. */
export function buildZoomUrlValidationResponse(secret: string, plainToken: string): OutboundResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ plainToken, encryptedToken: computeZoomEncryptedToken(secret, plainToken) }),
  };
}
