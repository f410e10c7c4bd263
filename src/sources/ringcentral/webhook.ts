/**
 * The RingCentral webhook endpoint (`POST /webhooks/ringcentral`): handshake | verify → normalize.
 * No I/O beyond the clock. A duplicate delivery needs no dedupe here: the store records it as a duplicate
 * (same timestamp and sequence), which changes nothing.
 *
 * Status choices: RingCentral may blacklist a subscription whose endpoint fails to answer 200
 * (https://developers.ringcentral.com/guide/notifications/webhooks/troubleshooting), so every notification
 * we merely do not use (subscription reminders, other events, duplicate deliveries) gets a 200 `ignored`.
 * Forged requests get 401 and malformed ones 400; a missing configuration gets 503 naming the
 * variable to set.
 */
import type { RingCentralConfig } from '../../config';
import type { InboundRequest, WebhookOutcome, WebhookSource } from '../../webhooks/types';
import { buildRingCentralHandshakeResponse, isRingCentralHandshakeBody, isValidRingCentralValidationToken } from './handshake';
import { isRingCentralPresenceEvent, normalizeRingCentralNotification, RINGCENTRAL_PRESENCE_FIELDS } from './normalize';
import { describeZodError, RingCentralNotificationSchema, RingCentralPresenceBodySchema } from './schema';
import { readHeader, RINGCENTRAL_VALIDATION_TOKEN_HEADER, verifyRingCentralToken } from './verify';
import { parseJsonBody } from '../../webhooks/parse-json-body';

export const RINGCENTRAL_WEBHOOK_PATH = '/webhooks/ringcentral';

export interface RingCentralWebhookDeps {
  /** Clock (epoch ms); orders a notification without a `timestamp`. Defaults to the request's arrival time. */
  readonly now?: () => number;
}

/**
 * Handles one request to the RingCentral route, synchronously and without I/O. Exported for tests and
 * adapters that need no factory.
 */
export function decideRingCentralWebhook(config: Pick<RingCentralConfig, 'verificationTokens'>, request: InboundRequest, nowMs: number): WebhookOutcome {
  // 1. Creation handshake: a Validation-Token and no notification. Echoing it is harmless, and the token
  //    check is skipped on purpose: the validation request may arrive while our create call is still in
  //    flight (Pipedream PR #902), and RingCentral's own sample answers it unconditionally.
  const validationToken = readHeader(request.headers, RINGCENTRAL_VALIDATION_TOKEN_HEADER)?.trim();
  if (validationToken !== undefined && isRingCentralHandshakeBody(request.body)) {
    if (!isValidRingCentralValidationToken(validationToken)) {
      return { kind: 'rejected', status: 400, reason: 'Validation-Token must be 1–256 printable ASCII characters' };
    }
    return { kind: 'handshake', response: buildRingCentralHandshakeResponse(validationToken) };
  }

  // 2. Every notification carries our verification token; nothing unverified is parsed.
  if (config.verificationTokens.length === 0) {
    return {
      kind: 'rejected',
      status: 503,
      reason:
        'RingCentral webhooks are not configured: set RINGCENTRAL_VERIFICATION_TOKEN to the token given as ' +
        'deliveryMode.verificationToken when the subscription was created',
    };
  }
  const verified = verifyRingCentralToken({ tokens: config.verificationTokens, headers: request.headers });
  if (!verified.ok) {
    return { kind: 'rejected', status: 401, reason: `RingCentral token check failed: ${verified.reason}` };
  }

  // 3. Parse and classify.
  const parsed = parseJsonBody(request.body);
  if (!parsed.ok) return { kind: 'rejected', status: 400, reason: parsed.reason };
  const envelope = RingCentralNotificationSchema.safeParse(parsed.json);
  if (!envelope.success) {
    return { kind: 'rejected', status: 400, reason: `not a RingCentral notification: ${describeZodError(envelope.error)}` };
  }
  const notification = envelope.data;
  const bodyLooksLikePresence =
    typeof notification.body === 'object' && notification.body !== null && RINGCENTRAL_PRESENCE_FIELDS.some((field) => field in (notification.body as object));
  const isPresence = notification.event !== undefined ? isRingCentralPresenceEvent(notification.event) : bodyLooksLikePresence;
  if (!isPresence) {
    return { kind: 'ignored', reason: `RingCentral event "${notification.event ?? '(none)'}" is not a presence notification` };
  }

  const body = RingCentralPresenceBodySchema.safeParse(notification.body);
  if (!body.success) {
    return { kind: 'rejected', status: 400, reason: `bad presence body: ${describeZodError(body.error)}` };
  }
  const normalized = normalizeRingCentralNotification(notification, body.data, nowMs);
  if (!normalized.ok) return { kind: 'rejected', status: 400, reason: normalized.reason };
  return { kind: 'accepted', events: [normalized.event] };
}

/** The RingCentral `WebhookSource`, mounted at `/webhooks/ringcentral`; synchronous. */
export function createRingCentralWebhookSource(config: Pick<RingCentralConfig, 'verificationTokens'>, deps: RingCentralWebhookDeps = {}): WebhookSource {
  const handle = (request: InboundRequest): WebhookOutcome => decideRingCentralWebhook(config, request, deps.now?.() ?? request.receivedAt);
  return { system: 'ringcentral', path: RINGCENTRAL_WEBHOOK_PATH, handle };
}
