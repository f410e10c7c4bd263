/**
 * RingCentral event filters compared by meaning, not by text. Pure.
 *
 * The bridge asks for `/restapi/v1.0/account/~/presence?detailedTelephonyState=true`, but RingCentral
 * answers (create, get, list, update, renew) with `~` expanded to numbers — `eventFilters` like
 * `/restapi/v1.0/account/130829004/extension/130829004/presence` — and notifications carry numeric ids in
 * `event` (`/restapi/v1.0/account/643711048/extension/643716048/presence`,
 * https://github.com/ringcentral/RingCentral.Net/issues/58). In RingCentral's paths `~` means "the current
 * account" in the account position and "the current (token owner's) extension" in the extension position
 * (https://ringcentral.github.io/ringcentral-faq/looking-up-ids). So two filters mean the same when their paths
 * are equal after `~` is replaced by those ids, and their query strings hold the same parameters in any
 * order.
 *
 * An id the bridge does not know yet (e.g. the account id when `GET /restapi/v1.0/account/~` was refused)
 * is treated as "whatever this filter says" in the ACCOUNT position only: `GET /restapi/v1.0/subscription`
 * lists the caller's own subscriptions, whose filters can only name the caller's own account. An unknown
 * extension id is never guessed: `extension/~` then equals only `extension/~`.
 */

/** The ids `~` stands for. */
export interface RingCentralFilterIds {
  /** This account's numeric id (`id` of `GET /restapi/v1.0/account/~`). */
  readonly accountId?: string;
  /** The token owner's extension id (`owner_id` of the token response). */
  readonly extensionId?: string;
}

/** A filter as a comparable value: the path with `~` resolved, and its query parameters sorted. */
export interface CanonicalRingCentralFilter {
  readonly path: string;
  /** `name=value` pairs, decoded and sorted. */
  readonly query: readonly string[];
  /** The account position held `~` and the account id is unknown: any account id matches. */
  readonly anyAccount: boolean;
}

const ACCOUNT_SEGMENT = /^(\/restapi\/v1\.0\/account\/)([^/?#]+)/;
const EXTENSION_SEGMENT = /(\/extension\/)([^/?#]+)/;

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Splits a filter into path and query; a full URL (`https://…/restapi/…`) is reduced to path and query. */
function split(filter: string): { path: string; query: string } {
  let text = filter.trim();
  const absolute = /^https?:\/\/[^/]+(\/.*)?$/i.exec(text);
  if (absolute) text = absolute[1] ?? '/';
  const hash = text.indexOf('#');
  if (hash >= 0) text = text.slice(0, hash);
  const mark = text.indexOf('?');
  const path = (mark >= 0 ? text.slice(0, mark) : text).replace(/\/+$/, '') || '/';
  return { path, query: mark >= 0 ? text.slice(mark + 1) : '' };
}

/** The canonical form of one filter under `ids`. */
export function canonicalRingCentralFilter(filter: string, ids: RingCentralFilterIds = {}): CanonicalRingCentralFilter {
  const { path: rawPath, query } = split(filter);
  let anyAccount = false;
  let path = rawPath.replace(ACCOUNT_SEGMENT, (_match, prefix: string, id: string) => {
    const value = decode(id);
    if (value !== '~') return `${prefix}${value}`;
    if (ids.accountId === undefined) {
      anyAccount = true;
      return `${prefix}~`;
    }
    return `${prefix}${ids.accountId}`;
  });
  path = path.replace(EXTENSION_SEGMENT, (_match, prefix: string, id: string) => {
    const value = decode(id);
    return `${prefix}${value === '~' && ids.extensionId !== undefined ? ids.extensionId : value}`;
  });
  const params = query
    .split('&')
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decode((eq >= 0 ? pair.slice(0, eq) : pair).replace(/\+/g, ' '));
      const value = decode((eq >= 0 ? pair.slice(eq + 1) : '').replace(/\+/g, ' '));
      return `${name}=${value}`;
    })
    .sort();
  return { path, query: [...new Set(params)], anyAccount };
}

/** The path with the account segment blanked, for comparing when one side may be any account. */
function withoutAccount(path: string): string {
  return path.replace(ACCOUNT_SEGMENT, '$1*');
}

/** True when the two filters ask RingCentral for the same events. */
export function sameRingCentralFilter(a: string, b: string, ids: RingCentralFilterIds = {}): boolean {
  const x = canonicalRingCentralFilter(a, ids);
  const y = canonicalRingCentralFilter(b, ids);
  if (x.query.length !== y.query.length || x.query.some((pair, i) => pair !== y.query[i])) return false;
  if (x.anyAccount || y.anyAccount) return withoutAccount(x.path) === withoutAccount(y.path);
  return x.path === y.path;
}

/** True when both lists hold the same filters by meaning, ignoring order and repeats. */
export function sameRingCentralFilterSet(a: readonly string[], b: readonly string[], ids: RingCentralFilterIds = {}): boolean {
  return a.every((x) => b.some((y) => sameRingCentralFilter(x, y, ids))) && b.every((y) => a.some((x) => sameRingCentralFilter(x, y, ids)));
}

/** True when `filters` holds `filter` by meaning. */
export function includesRingCentralFilter(filters: readonly string[], filter: string, ids: RingCentralFilterIds = {}): boolean {
  return filters.some((candidate) => sameRingCentralFilter(candidate, filter, ids));
}

/** The account-wide presence filter (`/restapi/v1.0/account/{accountId}/presence`, any query). */
export function isRingCentralAccountPresenceFilter(filter: string): boolean {
  return /^\/restapi\/v1\.0\/account\/[^/]+\/presence$/.test(split(filter).path);
}

/** A per-extension presence filter (`/restapi/v1.0/account/{accountId}/extension/{extensionId}/presence`, any query). */
export function isRingCentralExtensionPresenceFilter(filter: string): boolean {
  return /^\/restapi\/v1\.0\/account\/[^/]+\/extension\/[^/]+\/presence$/.test(split(filter).path);
}
