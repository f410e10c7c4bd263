/**
 * The one error type of the Zoom REST client: HTTP status, Zoom's own `code`, and a message that says what
 * to fix. Codes from https://developers.zoom.us/docs/api/users/ (presence_status: 400/5301 read failed,
 * 400/5411 no permission, 404/1001 user does not exist) and
 * https://developers.zoom.us/docs/integrations/oauth-error-messages/.
 */
import { BridgeError } from '../../errors';

/** Which call failed: the token request or an API read. */
export type ZoomOperation = 'token' | 'getPresenceStatus' | 'getUser';

/** Zoom error codes the bridge acts on. */
export const ZOOM_ERROR_CODES = {
  /** User does not exist (404). */
  userNotFound: 1001,
  /** Invalid access token (401). */
  invalidAccessToken: 124,
  /** Presence read failed (400). */
  readFailed: 5301,
  /** No permission (400). */
  noPermission: 5411,
  /** "Invalid access token, does not contain scopes:[…]" (https://devforum.zoom.us/t/108207). */
  missingScopes: 4711,
} as const;

/** The granular scope each operation needs on the Server-to-Server OAuth app (classic: `user:read:admin`). */
export const ZOOM_REQUIRED_SCOPES: Readonly<Record<Exclude<ZoomOperation, 'token'>, string>> = {
  getPresenceStatus: 'user:read:presence_status:admin',
  getUser: 'user:read:user:admin',
};

export interface ZoomApiErrorDetails {
  readonly operation: ZoomOperation;
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  readonly status: number;
  /** Zoom's `code` from the error body, when present. */
  readonly code?: number;
  /** Zoom's `message` (or OAuth `reason`) from the error body, when present. */
  readonly zoomMessage?: string;
  /** For 429: how long Zoom asked us to wait. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

export class ZoomApiError extends BridgeError {
  override readonly name = 'ZoomApiError';
  readonly operation: ZoomOperation;
  readonly status: number;
  readonly code?: number;
  readonly zoomMessage?: string;
  readonly retryAfterMs?: number;

  constructor(message: string, details: ZoomApiErrorDetails) {
    super(message, { cause: details.cause });
    this.operation = details.operation;
    this.status = details.status;
    this.code = details.code;
    this.zoomMessage = details.zoomMessage;
    this.retryAfterMs = details.retryAfterMs;
  }

  /**
   * True when every other request of the same app will fail the same way (bad credentials, missing scope,
   * exhausted rate limit), so a batch such as a backfill should stop instead of repeating it per user.
   */
  get affectsAllRequests(): boolean {
    if (this.operation === 'token') return true;
    if (this.status === 429) return true;
    if (this.status === 401) return true;
    return this.code === ZOOM_ERROR_CODES.noPermission || this.code === ZOOM_ERROR_CODES.missingScopes;
  }
}

/** A message an operator can act on, for an API (not token) failure. */
export function describeZoomApiFailure(
  operation: Exclude<ZoomOperation, 'token'>,
  target: string,
  status: number,
  code: number | undefined,
  zoomMessage: string | undefined,
): string {
  const said = zoomMessage ? `: ${zoomMessage}` : '';
  const codeText = code === undefined ? '' : ` code ${code}`;
  const prefix = `Zoom ${operation}(${target}) failed with HTTP ${status}${codeText}`;
  if (code === ZOOM_ERROR_CODES.userNotFound || (status === 404 && code === undefined)) {
    return `${prefix}: no such Zoom user (check the email or id belongs to this Zoom account)${said}`;
  }
  if (code === ZOOM_ERROR_CODES.noPermission || code === ZOOM_ERROR_CODES.missingScopes || status === 403) {
    return (
      `${prefix}: the Zoom Server-to-Server OAuth app is missing the scope ${ZOOM_REQUIRED_SCOPES[operation]}; ` +
      `add it in the Zoom App Marketplace (Scopes) and re-activate the app${said}`
    );
  }
  if (status === 401) {
    return `${prefix}: Zoom refused the access token; check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET and that the app is activated${said}`;
  }
  if (status === 429) return `${prefix}: Zoom rate limit reached (limits are per account, shared by all its apps)${said}`;
  if (status === 0) return `Zoom ${operation}(${target}) got no response${said}`;
  return `${prefix}${said}`;
}
