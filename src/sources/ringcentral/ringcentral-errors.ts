/**
 * Typed RingCentral REST errors that say what to check. Error codes and bodies:
 * https://developers.ringcentral.com/guide/basics/errors (e.g. `CMN-408` missing permission,
 * `SUB-525` webhook response invalid, `OAU-*` authentication).
 */
import { BridgeError } from '../../errors';
import type { RingCentralErrorBody } from './schema';

/** The app permissions the bridge needs (Developer Console → app → Settings → Application scopes). */
export const RINGCENTRAL_REQUIRED_PERMISSIONS = ['ReadPresence', 'ReadAccounts', 'WebhookSubscriptions'] as const;

export interface RingCentralApiErrorDetails {
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** RingCentral's `errorCode` (e.g. `SUB-525`, `CMN-408`, `OAU-213`), or the OAuth `error`. */
  readonly errorCode?: string;
  /** The permission RingCentral named as missing, when it did. */
  readonly permissionName?: string;
  readonly method: string;
  readonly path: string;
  /** RingCentral's own message. */
  readonly vendorMessage?: string;
  /** From `Retry-After` on a 429, in ms. */
  readonly retryAfterMs?: number;
}

/** A RingCentral API call failed. `message` names the call, RingCentral's words, and what to check. */
export class RingCentralApiError extends BridgeError {
  override readonly name = 'RingCentralApiError';
  readonly status: number;
  readonly errorCode?: string;
  readonly permissionName?: string;
  readonly method: string;
  readonly path: string;
  readonly vendorMessage?: string;
  readonly retryAfterMs?: number;

  constructor(details: RingCentralApiErrorDetails, options?: { cause?: unknown }) {
    super(describeRingCentralFailure(details), options);
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.permissionName = details.permissionName;
    this.method = details.method;
    this.path = details.path;
    this.vendorMessage = details.vendorMessage;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Pulls code, message and permission out of an error body (top level or `errors[0]`). */
export function readRingCentralErrorBody(body: RingCentralErrorBody | undefined): {
  errorCode?: string;
  vendorMessage?: string;
  permissionName?: string;
} {
  const first = body?.errors?.[0];
  const vendorMessage = body?.error_description ?? body?.message ?? first?.message;
  const permissionName = first?.permissionName ?? /\[(\w+)\]\s*permission/i.exec(vendorMessage ?? '')?.[1];
  return { errorCode: body?.errorCode ?? first?.errorCode ?? body?.error, vendorMessage, permissionName };
}

/** What an operator should check for a failure, in words. */
export function ringCentralHint(details: Pick<RingCentralApiErrorDetails, 'status' | 'errorCode' | 'permissionName' | 'vendorMessage' | 'path'>): string {
  const code = details.errorCode?.toUpperCase() ?? '';
  const isPermission = details.permissionName !== undefined || code === 'CMN-408' || /permission/i.test(details.vendorMessage ?? '');
  if (code === 'SUB-525') {
    return (
      'RingCentral could not validate the webhook address: it must be public HTTPS (TLS 1.2+), answer the ' +
      'Validation-Token handshake with 200 and the token echoed within 3 s, in a response of at most 1024 bytes'
    );
  }
  if (isPermission) {
    const named = details.permissionName ? `the ${details.permissionName} permission` : 'a permission';
    return (
      `the RingCentral app lacks ${named}: give it ${RINGCENTRAL_REQUIRED_PERMISSIONS.join(', ')} in the ` +
      'Developer Console (app → Settings → Application scopes); the JWT user must also be allowed to read the account'
    );
  }
  if (details.path.includes('/oauth/') || code.startsWith('OAU-')) {
    return (
      'check RINGCENTRAL_CLIENT_ID, RINGCENTRAL_CLIENT_SECRET and RINGCENTRAL_JWT (the app must use the JWT ' +
      'auth flow, the JWT credential must not be expired or revoked), and that RINGCENTRAL_SERVER_URL points at ' +
      'the environment the app lives in (sandbox or production)'
    );
  }
  switch (details.status) {
    case 0:
      return 'RingCentral did not answer; check RINGCENTRAL_SERVER_URL and the network path to it';
    case 401:
      return 'the access token was refused; check the JWT credential and the app status in the Developer Console';
    case 404:
      return 'RingCentral does not know this resource (a deleted subscription or extension?)';
    case 429:
      return 'rate limited by RingCentral; the bridge paused the whole rate group, lower RINGCENTRAL_RATE_LIMIT_* if this repeats';
    default:
      return details.status >= 500 ? 'RingCentral had a server error; it is retried later' : "see RingCentral's message";
  }
}

/** The full message: call, status and code, RingCentral's words, what to check. */
export function describeRingCentralFailure(details: RingCentralApiErrorDetails): string {
  const code = details.errorCode ? ` ${details.errorCode}` : '';
  const said = details.vendorMessage ? `: ${details.vendorMessage}` : '';
  const status = details.status === 0 ? 'no response' : `HTTP ${details.status}`;
  return `RingCentral ${details.method} ${details.path} failed (${status}${code})${said} — ${ringCentralHint(details)}`;
}
