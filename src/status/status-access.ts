/**
 * Who may see `GET /status`. The page shows emails and presence, so it is never public:
 * - locally on a loopback address (the default BIND_ADDRESS) it is open: only this machine reaches it;
 * - locally on another address, it needs STATUS_PAGE_TOKEN as a bearer token, or without one it
 *   answers loopback clients only;
 * - on AWS (a public HTTP API) it does not exist (404) unless STATUS_PAGE_TOKEN is set, and then needs
 *   `Authorization: Bearer <token>` (RFC 6750, https://www.rfc-editor.org/rfc/rfc6750#section-2.1).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type StatusAccessPolicy =
  { readonly kind: 'open' } | { readonly kind: 'off' } | { readonly kind: 'loopback-only' } | { readonly kind: 'token'; readonly tokens: readonly string[] };

export type StatusAccessDecision = { readonly allowed: true } | { readonly allowed: false; readonly status: 401 | 403 | 404; readonly reason: string };

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (`::ffff:127.0.0.1`), and the name `localhost`. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.toLowerCase().replace(/^::ffff:/, '');
  return plain === 'localhost' || plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

/** The local server's policy: open on loopback, else the token if one is set, else loopback clients only. */
export function localStatusAccess(bindAddress: string, tokens: readonly string[]): StatusAccessPolicy {
  if (isLoopbackAddress(bindAddress)) return { kind: 'open' };
  return tokens.length > 0 ? { kind: 'token', tokens } : { kind: 'loopback-only' };
}

/** The AWS policy: off without STATUS_PAGE_TOKEN. */
export function awsStatusAccess(tokens: readonly string[]): StatusAccessPolicy {
  return tokens.length > 0 ? { kind: 'token', tokens } : { kind: 'off' };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * True when `presented` equals one of `tokens`. Both sides are hashed to equal length before
 * `timingSafeEqual`, and every token is compared (no early exit), so neither the length nor which
 * token matched leaks through timing.
 */
export function matchesBearerToken(presented: string, tokens: readonly string[]): boolean {
  const received = digest(presented);
  let matched = false;
  for (const token of tokens) {
    if (timingSafeEqual(received, digest(token))) matched = true;
  }
  return matched;
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or undefined. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Decides one request. `remoteAddress` is the TCP peer (local server only). */
export function decideStatusAccess(
  policy: StatusAccessPolicy,
  request: { readonly headers: Readonly<Record<string, string>>; readonly remoteAddress?: string },
): StatusAccessDecision {
  switch (policy.kind) {
    case 'open':
      return { allowed: true };
    case 'off':
      return { allowed: false, status: 404, reason: 'the status page is off: set STATUS_PAGE_TOKEN to enable it' };
    case 'loopback-only':
      return isLoopbackAddress(request.remoteAddress)
        ? { allowed: true }
        : {
            allowed: false,
            status: 403,
            reason: 'the status page answers loopback clients only while BIND_ADDRESS is not loopback; set STATUS_PAGE_TOKEN to open it with a bearer token',
          };
    case 'token': {
      const presented = bearerTokenOf(request.headers.authorization);
      if (presented === undefined) return { allowed: false, status: 401, reason: 'no bearer token' };
      if (!matchesBearerToken(presented, policy.tokens)) return { allowed: false, status: 401, reason: 'wrong bearer token' };
      return { allowed: true };
    }
  }
}
