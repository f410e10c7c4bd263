/**
 * Zoom webhook signature verification and signing (`x-zm-signature`).
 *
 * Zoom signs `v0:{x-zm-request-timestamp}:{request body}` with HMAC-SHA256 keyed by the app's Secret
 * Token, hex-encoded and prefixed `v0=`:
 * https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events
 *
 * Zoom's own Node sample rebuilds the body with `JSON.stringify(req.body)` and compares with `===`;
 * both are wrong for us: re-serialization changes bytes (spacing, key order, `\u` escapes) and `===`
 * leaks timing. We hash the exact bytes received and compare in constant time
 * (docs/vendors.md#zoom-webhook-signature).
 *
 * The legacy `authorization` Verification Token is deliberately not accepted: Zoom sunset it
 * (https://developers.zoom.us/changelog/platform/webhook-validation-and-verification-changes/), and a
 * static bearer value would let anyone who ever saw one header forge events.
 */
import crypto from 'node:crypto';

/** Header names Zoom uses (lower-case, as `InboundRequest` presents them). */
export const ZOOM_SIGNATURE_HEADER = 'x-zm-signature';
export const ZOOM_TIMESTAMP_HEADER = 'x-zm-request-timestamp';

/** Why a request failed verification; stable codes for logs and tests. */
export type ZoomVerifyFailureCode =
  'no_secret_configured' | 'missing_timestamp' | 'malformed_timestamp' | 'stale_timestamp' | 'missing_signature' | 'malformed_signature' | 'signature_mismatch';

export type ZoomVerifyResult =
  | {
      readonly ok: true;
      /** Index in `secrets` of the secret that matched (rotation: the handshake answers with this one). */
      readonly secretIndex: number;
    }
  | { readonly ok: false; readonly code: ZoomVerifyFailureCode; readonly reason: string };

export interface VerifyZoomSignatureInput {
  /** Every configured Secret Token; any of them is accepted so a rotation needs no downtime. */
  readonly secrets: readonly string[];
  /** Request headers; looked up case-insensitively. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The exact bytes received. */
  readonly body: Buffer;
  /** Current time in epoch milliseconds (injected clock). */
  readonly nowMs: number;
  /**
   * Accepted age of `x-zm-request-timestamp`, in seconds (ZOOM_SIGNATURE_TOLERANCE_SECONDS). The future side
   * accepts only clock skew: {@link ZOOM_MAX_FUTURE_SKEW_SECONDS}, or this if smaller.
   */
  readonly toleranceSeconds: number;
}

/** `v0=` + 64 lower-case hex digits: exactly what Zoom sends. Anything else is rejected before hashing. */
const SIGNATURE_FORMAT = /^v0=[0-9a-f]{64}$/;
/** Epoch seconds as plain digits; no sign, fraction, exponent or spaces (`Number()` would accept those). */
const TIMESTAMP_FORMAT = /^[0-9]{1,12}$/;

function header(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/**
 * Computes `v0=` + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)) over the raw body bytes.
 * `timestamp` is the header value exactly as sent.
 */
export function computeZoomSignature(secret: string, timestamp: string, body: Buffer): string {
  const hmac = crypto.createHmac('sha256', secret);
  hmac.update(`v0:${timestamp}:`, 'utf8');
  hmac.update(body);
  return `v0=${hmac.digest('hex')}`;
}

function fail(code: ZoomVerifyFailureCode, reason: string): ZoomVerifyResult {
  return { ok: false, code, reason };
}

/**
 * How far `x-zm-request-timestamp` may lie in the future: clock skew between Zoom and the bridge, no more
 * (never more than the tolerance itself). Only the past side is widened for Zoom's retries, so a request
 * dated ahead stays replayable no longer than it did before.
 */
export const ZOOM_MAX_FUTURE_SKEW_SECONDS = 300;

/**
 * Verifies a Zoom webhook request. Pure: a function of (secrets, headers, raw body, now).
 *
 * Zoom documents no timestamp tolerance. A timestamp older than `toleranceSeconds`, or more than
 * {@link ZOOM_MAX_FUTURE_SKEW_SECONDS} (at most `toleranceSeconds`) in the future, is rejected, to bound
 * replays. The past side must cover Zoom's retries: a delivery that failed (5xx or timeout) is retried 5,
 * then 20, then 60 minutes later, the last about 85 minutes after the first attempt
 * (https://developers.zoom.us/docs/api/webhooks/#notification-delivery),
 * and Zoom does not say whether a retry carries a fresh timestamp. If it keeps the original one, a short
 * tolerance turns the retry into a 401 and loses the event. Replays are harmless here (a stale or duplicate
 * event writes nothing), so the default ZOOM_SIGNATURE_TOLERANCE_SECONDS is 7200 s (see config.ts).
 */
export function verifyZoomSignature(input: VerifyZoomSignatureInput): ZoomVerifyResult {
  const { secrets, headers, body, nowMs, toleranceSeconds } = input;
  const usable = secrets.filter((secret) => secret.length > 0);
  if (usable.length === 0) {
    return fail('no_secret_configured', 'no Zoom Secret Token is configured (set ZOOM_WEBHOOK_SECRET_TOKEN)');
  }

  const timestamp = header(headers, ZOOM_TIMESTAMP_HEADER);
  if (timestamp === undefined || timestamp === '') {
    return fail('missing_timestamp', `missing ${ZOOM_TIMESTAMP_HEADER} header`);
  }
  if (!TIMESTAMP_FORMAT.test(timestamp)) {
    return fail('malformed_timestamp', `${ZOOM_TIMESTAMP_HEADER} must be whole epoch seconds`);
  }
  const ageMs = nowMs - Number(timestamp) * 1000;
  if (!(ageMs <= toleranceSeconds * 1000)) {
    return fail('stale_timestamp', `${ZOOM_TIMESTAMP_HEADER} is ${Math.round(ageMs / 1000)} s old (ZOOM_SIGNATURE_TOLERANCE_SECONDS is ${toleranceSeconds})`);
  }
  const futureSeconds = Math.min(toleranceSeconds, ZOOM_MAX_FUTURE_SKEW_SECONDS);
  if (!(-ageMs <= futureSeconds * 1000)) {
    return fail(
      'stale_timestamp',
      `${ZOOM_TIMESTAMP_HEADER} is ${Math.round(-ageMs / 1000)} s in the future (at most ${futureSeconds} s of clock skew ` +
        'is accepted): check the server clock',
    );
  }

  const signature = header(headers, ZOOM_SIGNATURE_HEADER);
  if (signature === undefined || signature === '') {
    return fail('missing_signature', `missing ${ZOOM_SIGNATURE_HEADER} header`);
  }
  if (!SIGNATURE_FORMAT.test(signature)) {
    return fail('malformed_signature', `${ZOOM_SIGNATURE_HEADER} must be "v0=" followed by 64 lower-case hex digits`);
  }

  // Every secret is tried, without stopping at the first match, so timing does not reveal which one matched.
  const received = Buffer.from(signature, 'latin1');
  let matched = -1;
  secrets.forEach((secret, index) => {
    if (secret.length === 0) return;
    const expected = Buffer.from(computeZoomSignature(secret, timestamp, body), 'latin1');
    if (expected.length === received.length && crypto.timingSafeEqual(expected, received) && matched < 0) {
      matched = index;
    }
  });
  if (matched < 0) {
    return fail('signature_mismatch', `${ZOOM_SIGNATURE_HEADER} does not match any configured Secret Token`);
  }
  return { ok: true, secretIndex: matched };
}

/** The two headers Zoom adds to a signed request. */
export interface ZoomSignatureHeaders {
  readonly 'x-zm-request-timestamp': string;
  readonly 'x-zm-signature': string;
}

/**
 * Signs a body the way Zoom does. The production signer: used by `presence-bridge simulate zoom` and by
 * tests, so a test that passes proves the verifier accepts what Zoom's algorithm produces.
 */
export function signZoomRequest(secret: string, body: Buffer, timestampSeconds: number): ZoomSignatureHeaders {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError(`timestampSeconds must be whole epoch seconds, got ${timestampSeconds}`);
  }
  const timestamp = String(timestampSeconds);
  return {
    [ZOOM_TIMESTAMP_HEADER]: timestamp,
    [ZOOM_SIGNATURE_HEADER]: computeZoomSignature(secret, timestamp, body),
  } as ZoomSignatureHeaders;
}
