/**
 * The RingCentral webhook endpoint (`POST /webhooks/ringcentral`): handshake | verify → normalize.
 * No I/O beyond the clock, except the optional `claimDelivery` (uuid dedupe) the composition root wires in.
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

/** How long a notification `uuid` is remembered for dedupe (RingCentral publishes no retry schedule). */
export const RINGCENTRAL_DELIVERY_TTL_SECONDS = 24 * 60 * 60;

export interface RingCentralWebhookDeps {
  /**
   * Returns true the first time a notification `uuid` is seen. When it returns false the delivery is
   * acknowledged (200) and ignored. Optional: the store's "latest state wins" already turns a duplicate
   * (same timestamp and sequence) into a no-op, so this only saves the record-and-enqueue work.
   *
   * Caveat for the composition root: the claim is taken before the event is recorded; if recording then
   * fails (5xx) and RingCentral redelivers the same uuid, the redelivery is ignored. Wire it only where
   * that trade is acceptable, e.g. `claimRingCentralDelivery(store)`.
   */
  readonly claimDelivery?: (uuid: string) => Promise<boolean>;
  /** Clock (epoch ms); orders a notification without a `timestamp`. Defaults to the request's arrival time. */
  readonly now?: () => number;
}

/** The usual `claimDelivery`: `StateStore.claimDelivery` with a `ringcentral:` prefix and a 24 h memory. */
export function claimRingCentralDelivery(
  store: { claimDelivery(id: string, ttlSeconds: number): Promise<boolean> },
  ttlSeconds: number = RINGCENTRAL_DELIVERY_TTL_SECONDS,
): (uuid: string) => Promise<boolean> {
  return (uuid) => store.claimDelivery(`ringcentral:${uuid}`, ttlSeconds);
}


/** What `decideRingCentralWebhook` decides before the optional uuid claim; `uuid` only for accepted ones. */
export interface RingCentralDecision {
  readonly outcome: WebhookOutcome;
  readonly uuid?: string;
}

/**
 * Handles one request to the RingCentral route, synchronously and without I/O. Returns the outcome and,
 * for accepted notifications, the `uuid` to claim. Exported for tests and adapters that need no factory.
 */
export function decideRingCentralWebhook(config: Pick<RingCentralConfig, 'verificationTokens'>, request: InboundRequest, nowMs: number): RingCentralDecision {
  // 1. Creation handshake: a Validation-Token and no notification. Echoing it is harmless, and the token
  //    check is skipped on purpose: the validation request may arrive while our create call is still in
  //    flight (Pipedream PR #902), and RingCentral's own sample answers it unconditionally.
  const validationToken = readHeader(request.headers, RINGCENTRAL_VALIDATION_TOKEN_HEADER)?.trim();
  if (validationToken !== undefined && isRingCentralHandshakeBody(request.body)) {
    if (!isValidRingCentralValidationToken(validationToken)) {
      return {
        outcome: { kind: 'rejected', status: 400, reason: 'Validation-Token must be 1–256 printable ASCII characters' },
      };
    }
    return { outcome: { kind: 'handshake', response: buildRingCentralHandshakeResponse(validationToken) } };
  }

  // 2. Every notification carries our verification token; nothing unverified is parsed.
  if (config.verificationTokens.length === 0) {
    return {
      outcome: {
        kind: 'rejected',
        status: 503,
        reason:
          'RingCentral webhooks are not configured: set RINGCENTRAL_VERIFICATION_TOKEN to the token given as ' +
          'deliveryMode.verificationToken when the subscription was created',
      },
    };
  }
  const verified = verifyRingCentralToken({ tokens: config.verificationTokens, headers: request.headers });
  if (!verified.ok) {
    return { outcome: { kind: 'rejected', status: 401, reason: `RingCentral token check failed: ${verified.reason}` } };
  }

  // 3. Parse and classify.
  const parsed = parseJsonBody(request.body);
  if (!parsed.ok) return { outcome: { kind: 'rejected', status: 400, reason: parsed.reason } };
  const envelope = RingCentralNotificationSchema.safeParse(parsed.json);
  if (!envelope.success) {
    return {
      outcome: { kind: 'rejected', status: 400, reason: `not a RingCentral notification: ${describeZodError(envelope.error)}` },
    };
  }
  const notification = envelope.data;
  const bodyLooksLikePresence =
    typeof notification.body === 'object' &&
    notification.body !== null &&
    RINGCENTRAL_PRESENCE_FIELDS.some((field) => field in (notification.body as object));
  const isPresence =
    notification.event !== undefined ? isRingCentralPresenceEvent(notification.event) : bodyLooksLikePresence;
  if (!isPresence) {
    return {
      outcome: {
        kind: 'ignored',
        reason: `RingCentral event "${notification.event ?? '(none)'}" is not a presence notification`,
      },
    };
  }

  const body = RingCentralPresenceBodySchema.safeParse(notification.body);
  if (!body.success) {
    return { outcome: { kind: 'rejected', status: 400, reason: `bad presence body: ${describeZodError(body.error)}` } };
  }
  const normalized = normalizeRingCentralNotification(notification, body.data, nowMs);
  if (!normalized.ok) return { outcome: { kind: 'rejected', status: 400, reason: normalized.reason } };
  return { outcome: { kind: 'accepted', events: [normalized.event] }, uuid: notification.uuid };
}

/**
 * The RingCentral `WebhookSource`, mounted at `/webhooks/ringcentral`. Synchronous unless `claimDelivery`
 * is wired in; a failing claim answers 503 so RingCentral redelivers rather than the event being lost.
 */
export function createRingCentralWebhookSource(config: Pick<RingCentralConfig, 'verificationTokens'>, deps: RingCentralWebhookDeps = {}): WebhookSource {
  const handle = (request: InboundRequest): WebhookOutcome | Promise<WebhookOutcome> => {
    const decision = decideRingCentralWebhook(config, request, deps.now?.() ?? request.receivedAt);
    const claim = deps.claimDelivery;
    const uuid = decision.uuid;
    if (!claim || uuid === undefined) return decision.outcome;
    return claim(uuid).then(
      (first): WebhookOutcome =>
        first ? decision.outcome : { kind: 'ignored', reason: `duplicate RingCentral delivery ${uuid}` },
      (): WebhookOutcome => ({
        kind: 'rejected',
        status: 503,
        reason: 'could not check the notification uuid for duplicates; please retry',
      }),
    );
  };
  return { system: 'ringcentral', path: RINGCENTRAL_WEBHOOK_PATH, handle };
}
