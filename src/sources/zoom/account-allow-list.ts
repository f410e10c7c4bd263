/**
 * Which Zoom accounts may send events to this bridge (ZOOM_ACCOUNT_ID, comma-separated). A Zoom app can be
 * installed on several accounts and every delivery is signed with the same Secret Token, so the signature
 * alone does not say whose users an event is about. Every Zoom event names its account in
 * `payload.account_id` (https://developers.zoom.us/docs/api/users/events/); `endpoint.url_validation`
 * carries none and is not checked.
 *
 * Account ids are compared exactly: like user ids they are case-sensitive base64url-like strings.
 */

/** The `payload.account_id` of a parsed notification, when it is a non-empty string. */
export function readZoomAccountId(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const payload = (json as { payload?: unknown }).payload;
  if (typeof payload !== 'object' || payload === null) return undefined;
  const accountId = (payload as { account_id?: unknown }).account_id;
  return typeof accountId === 'string' && accountId.length > 0 ? accountId : undefined;
}

/** True when no allow-list is configured, or the account is on it (exact match). */
export function isZoomAccountAllowed(allowed: readonly string[], accountId: string | undefined): boolean {
  if (allowed.length === 0) return true;
  return accountId !== undefined && allowed.includes(accountId);
}
