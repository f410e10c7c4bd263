/**
 * Event filters as RingCentral keeps them: `~` is expanded to the numeric account id and the token owner's
 * extension id, in subscription answers and in delivered `event`s
 * (`/restapi/v1.0/account/643711048/extension/643716048/presence`,
 * https://github.com/ringcentral/RingCentral.Net/issues/58).
 */

export interface RingCentralSandboxIds {
  readonly accountId: string;
  readonly ownerExtensionId: string;
}

/** A filter as RingCentral stores and returns it. */
export function expandRingCentralFilter(filter: string, ids: RingCentralSandboxIds): string {
  return filter.replace(/^(\/restapi\/v1\.0\/account\/)~(?=[/?]|$)/, `$1${ids.accountId}`).replace(/(\/extension\/)~(?=[/?]|$)/, `$1${ids.ownerExtensionId}`);
}

/** True for the account-wide presence filter (`/restapi/v1.0/account/{id}/presence[?…]`). */
export function isAccountPresenceFilter(filter: string): boolean {
  return /^\/restapi\/v1\.0\/account\/[^/]+\/presence(\?|$)/.test(filter);
}

/**
 * The (expanded) filter of `filters` that covers a presence change of `extensionId`: the account presence
 * filter or that extension's presence filter. Undefined when none does.
 */
export function presenceFilterCovering(filters: readonly string[], accountId: string, extensionId: string): string | undefined {
  const account = `/restapi/v1.0/account/${accountId}`;
  return filters.find((f) => {
    const path = f.split('?')[0];
    return path === `${account}/presence` || path === `${account}/extension/${extensionId}/presence`;
  });
}

/** The `event` RingCentral sends for that change: the extension's presence path with the filter's query. */
export function presenceEventFor(filter: string, accountId: string, extensionId: string): string {
  const query = filter.includes('?') ? filter.slice(filter.indexOf('?')) : '';
  return `/restapi/v1.0/account/${accountId}/extension/${extensionId}/presence${query}`;
}
