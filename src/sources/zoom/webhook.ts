/**
 * The Zoom webhook endpoint (`POST /webhooks/zoom`): verify → handshake | normalize. No I/O beyond the clock.
 *
 * Status choices follow Zoom's delivery policy: Zoom retries only on ≥500 or transport errors and never on
 * 3xx/4xx (https://developers.zoom.us/docs/api/webhooks/#notification-delivery). So a forged or malformed
 * request gets a 4xx (no pointless retries); events we do not handle get a 2xx (`ignored`), so Zoom does not
 * count them as failures; the missing-secret case gets 503 so the delivery is retried once it is configured.
 */
import type { ZoomConfig } from '../../config';
import { silentLogger, type Logger } from '../../logger';
import type { InboundRequest, WebhookOutcome, WebhookSource } from '../../webhooks/types';
import { isZoomAccountAllowed, readZoomAccountId } from './account-allow-list';
import { buildZoomUrlValidationResponse } from './handshake';
import { normalizeZoomPresenceEvent } from './normalize';
import {
  describeZodError,
  ZOOM_PRESENCE_EVENT,
  ZOOM_URL_VALIDATION_EVENT,
  ZoomEnvelopeSchema,
  ZoomPresenceEventSchema,
  ZoomUrlValidationSchema,
} from './schema';
import { verifyZoomSignature } from './verify';
import { parseJsonBody } from '../../webhooks/parse-json-body';

export const ZOOM_WEBHOOK_PATH = '/webhooks/zoom';

/** The answer to an event from an account not in ZOOM_ACCOUNT_ID; which account it was goes to the log only. */
export const ZOOM_ACCOUNT_REFUSED = 'this endpoint does not accept events from this Zoom account';

/** Handles one request to the Zoom route. Exported for tests and adapters that need no factory. */
export function handleZoomWebhook(config: ZoomConfig, request: InboundRequest, nowMs: number, log: Logger = silentLogger): WebhookOutcome {
  const secrets = config.webhookSecretTokens;
  if (secrets.length === 0) {
    return {
      kind: 'rejected',
      status: 503,
      reason: 'Zoom webhooks are not configured: set ZOOM_WEBHOOK_SECRET_TOKEN to the Secret Token of the Zoom app',
    };
  }

  // Verify before parsing: nothing from an unverified body is ever interpreted.
  const verified = verifyZoomSignature({
    secrets,
    headers: request.headers,
    body: request.body,
    nowMs,
    toleranceSeconds: config.signatureToleranceSeconds,
  });
  if (!verified.ok) return { kind: 'rejected', status: 401, reason: `Zoom signature check failed: ${verified.reason}` };

  const parsed = parseJsonBody(request.body);
  if (!parsed.ok) return { kind: 'rejected', status: 400, reason: parsed.reason };
  const envelope = ZoomEnvelopeSchema.safeParse(parsed.json);
  if (!envelope.success) {
    return { kind: 'rejected', status: 400, reason: `not a Zoom notification: ${describeZodError(envelope.error)}` };
  }

  // 403, not 2xx: the event is not ours to record, and Zoom does not retry a 4xx. The URL validation
  // challenge names no account and must always be answered, or Zoom disables the subscription.
  if (envelope.data.event !== ZOOM_URL_VALIDATION_EVENT) {
    const accountId = readZoomAccountId(parsed.json);
    if (!isZoomAccountAllowed(config.allowedAccountIds, accountId)) {
      log.warn('Zoom event from an account not listed in ZOOM_ACCOUNT_ID refused; add the account there if it should be served', {
        event: envelope.data.event,
        accountId: accountId ?? '(none)',
        allowed: config.allowedAccountIds,
      });
      return { kind: 'rejected', status: 403, reason: ZOOM_ACCOUNT_REFUSED };
    }
  }

  switch (envelope.data.event) {
    case ZOOM_URL_VALIDATION_EVENT: {
      const validation = ZoomUrlValidationSchema.safeParse(parsed.json);
      if (!validation.success) {
        return { kind: 'rejected', status: 400, reason: `bad ${ZOOM_URL_VALIDATION_EVENT}: ${describeZodError(validation.error)}` };
      }
      // Answer with the secret that verified the request: during a rotation that is the one Zoom holds,
      // whatever its position in the list (with one secret configured it is simply that secret).
      const secret = secrets[verified.secretIndex];
      return { kind: 'handshake', response: buildZoomUrlValidationResponse(secret, validation.data.payload.plainToken) };
    }
    case ZOOM_PRESENCE_EVENT: {
      const presence = ZoomPresenceEventSchema.safeParse(parsed.json);
      if (!presence.success) {
        return { kind: 'rejected', status: 400, reason: `bad ${ZOOM_PRESENCE_EVENT}: ${describeZodError(presence.error)}` };
      }
      return { kind: 'accepted', events: [normalizeZoomPresenceEvent(presence.data)] };
    }
    default:
      return { kind: 'ignored', reason: `Zoom event "${envelope.data.event}" is not used by the bridge` };
  }
}

/** The Zoom `WebhookSource`, mounted at `/webhooks/zoom`. `now` is the injected clock (epoch ms). */
export function createZoomWebhookSource(config: ZoomConfig, now: () => number = Date.now, logger: Logger = silentLogger): WebhookSource {
  const log = logger.child({ route: ZOOM_WEBHOOK_PATH });
  return {
    system: 'zoom',
    path: ZOOM_WEBHOOK_PATH,
    handle: (request) => handleZoomWebhook(config, request, now(), log),
  };
}
