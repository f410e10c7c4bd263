/**
 * RingCentral's webhook creation handshake.
 *
 * When a WebHook subscription is created, RingCentral POSTs to the address with a `Validation-Token`
 * request header. The endpoint must echo it in a `Validation-Token` response header, answer HTTP 200
 * within 3000 ms over TLS 1.2+, set `Content-Type: application/json` even with an empty body, and keep the
 * whole response (headers plus body) within 1024 bytes, otherwise creation fails with
 * `SUB-525 "WebHook server response is invalid"`
 * (https://developers.ringcentral.com/guide/notifications/webhooks/creating-webhooks; RingCentral's sample
 * `code-samples/webhooks/webhook-server.js` ends the response with no body).
 */
import type { OutboundResponse } from '../../webhooks/types';

/**
 * The echoed value must be a plausible token: printable ASCII, short. RingCentral's are UUID-like; the
 * bound keeps a hostile value from pushing the response past 1 KiB or smuggling header syntax.
 */
const VALIDATION_TOKEN_FORMAT = /^[\x21-\x7e]{1,256}$/;

/** True when `token` may be echoed back. */
export function isValidRingCentralValidationToken(token: string): boolean {
  return VALIDATION_TOKEN_FORMAT.test(token);
}

/**
 * True when the body carries no notification: empty, whitespace, or an empty JSON object. RingCentral's
 * validation request has no body; a notification always has one.
 */
export function isRingCentralHandshakeBody(body: Buffer): boolean {
  const text = body.toString('latin1').trim();
  return text === '' || /^\{\s*\}$/.test(text);
}

/** The 200 response that completes the handshake: the token echoed, JSON content type, empty body. */
export function buildRingCentralHandshakeResponse(validationToken: string): OutboundResponse {
  return {
    status: 200,
    // Canonical casing, as RingCentral's docs spell it: HTTP says names are case-insensitive, but the
    // handshake gets one chance and costs nothing to match exactly.
    headers: { 'content-type': 'application/json', 'Validation-Token': validationToken },
    body: '',
  };
}
