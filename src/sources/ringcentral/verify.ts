/**
 * RingCentral notification verification: the shared `verificationToken`.
 *
 * RingCentral webhooks carry no HMAC signature
 * (https://www.skills.sh/hookdeck/webhook-skills/ringcentral-webhooks); the only proof of origin is the
 * `deliveryMode.verificationToken` we set when creating the subscription, which RingCentral sends back on
 * every notification (https://developers.ringcentral.com/api-reference/Subscriptions/createSubscription).
 *
 * The header name is inconsistent in RingCentral's own docs: the schema and the 2021 guide say
 * `Verification-Token` (https://developers.ringcentral.com/guide/notifications/webhooks/receiving, also
 * https://ringcentral-faq.readthedocs.io/en/latest/webhooks/ and Pipedream PR #902), while a 2023 rewrite of
 * `receiving.md` (ringcentral-api-docs commit 88a2bacd) says `Validation-Token`. Both are accepted here;
 * the creation handshake (a `Validation-Token` with no notification) is told apart in webhook.ts.
 *
 * Pure: a function of (tokens, headers). Compared in constant time, so timing leaks nothing about the token.
 */
import crypto from 'node:crypto';

/** Header names, lower-case as `InboundRequest` presents them. */
export const RINGCENTRAL_VERIFICATION_TOKEN_HEADER = 'verification-token';
export const RINGCENTRAL_VALIDATION_TOKEN_HEADER = 'validation-token';

/** Why a notification failed verification; stable codes for logs and tests. */
export type RingCentralVerifyFailureCode = 'no_token_configured' | 'missing_token' | 'token_mismatch';

export type RingCentralVerifyResult =
  | {
      readonly ok: true;
      /** Index in `tokens` of the token that matched (rotation: any listed value is accepted). */
      readonly tokenIndex: number;
      /** Which header carried it. */
      readonly header: string;
    }
  | { readonly ok: false; readonly code: RingCentralVerifyFailureCode; readonly reason: string };

export interface VerifyRingCentralTokenInput {
  /** Every configured token (RINGCENTRAL_VERIFICATION_TOKEN, comma-separated for rotation). */
  readonly tokens: readonly string[];
  /** Request headers; looked up case-insensitively. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** Reads a header case-insensitively. */
export function readHeader(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** Fixed-length digests, so neither the token's length nor its content shows in the comparison time. */
function digest(value: string): Buffer {
  return crypto.createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Checks the notification's token against every configured token. Every (header, token) pair is compared,
 * without stopping at the first match, so the time taken does not reveal which one matched.
 */
export function verifyRingCentralToken(input: VerifyRingCentralTokenInput): RingCentralVerifyResult {
  const tokens = input.tokens.filter((token) => token.length > 0);
  if (tokens.length === 0) {
    return {
      ok: false,
      code: 'no_token_configured',
      reason: 'no RingCentral verification token is configured (set RINGCENTRAL_VERIFICATION_TOKEN)',
    };
  }
  const candidates: Array<{ header: string; value: string }> = [];
  for (const header of [RINGCENTRAL_VERIFICATION_TOKEN_HEADER, RINGCENTRAL_VALIDATION_TOKEN_HEADER]) {
    const value = readHeader(input.headers, header)?.trim();
    if (value) candidates.push({ header, value });
  }
  if (candidates.length === 0) {
    return {
      ok: false,
      code: 'missing_token',
      reason: `missing ${RINGCENTRAL_VERIFICATION_TOKEN_HEADER} header (or ${RINGCENTRAL_VALIDATION_TOKEN_HEADER})`,
    };
  }
  const expected = tokens.map(digest);
  let matched: { tokenIndex: number; header: string } | undefined;
  for (const candidate of candidates) {
    const received = digest(candidate.value);
    expected.forEach((token, index) => {
      if (crypto.timingSafeEqual(token, received) && matched === undefined) {
        matched = { tokenIndex: input.tokens.indexOf(tokens[index]), header: candidate.header };
      }
    });
  }
  if (!matched) {
    return { ok: false, code: 'token_mismatch', reason: 'the verification token does not match any configured token' };
  }
  return { ok: true, ...matched };
}
