/**
 * Genesys Cloud regions and the base URLs derived from them. The SDK builds `https://api.{host}` and
 * `https://login.{host}` (platform-client-sdk-javascript `configuration.js`, `setEnvironment`);
 * the host table is `PureCloudRegionHosts.js` at 259.0.0 (vendor-facts/genesys.md §3).
 */
import type { GenesysConfig } from '../config';
import { ConfigError } from '../errors';

/** SDK region key → region host. */
export const GENESYS_REGION_HOSTS = {
  us_east_1: 'mypurecloud.com',
  eu_west_1: 'mypurecloud.ie',
  ap_southeast_2: 'mypurecloud.com.au',
  ap_northeast_1: 'mypurecloud.jp',
  eu_central_1: 'mypurecloud.de',
  us_west_2: 'usw2.pure.cloud',
  ca_central_1: 'cac1.pure.cloud',
  ap_northeast_2: 'apne2.pure.cloud',
  eu_west_2: 'euw2.pure.cloud',
  ap_south_1: 'aps1.pure.cloud',
  us_east_2: 'use2.us-gov-pure.cloud',
  sa_east_1: 'sae1.pure.cloud',
  me_central_1: 'mec1.pure.cloud',
  ap_northeast_3: 'apne3.pure.cloud',
  eu_central_2: 'euc2.pure.cloud',
  mx_central_1: 'mxc1.pure.cloud',
  ap_southeast_1: 'apse1.pure.cloud',
  eusc_de_east_1: 'edee1.eusc-pure.cloud',
} as const;

export type GenesysRegionKey = keyof typeof GENESYS_REGION_HOSTS;

const KNOWN_HOSTS: ReadonlySet<string> = new Set(Object.values(GENESYS_REGION_HOSTS));

/** True for a host of the table above (e.g. `mypurecloud.ie`). */
export function isKnownRegionHost(host: string): boolean {
  return KNOWN_HOSTS.has(host.trim().toLowerCase());
}

/**
 * The region host for a host or an SDK key: `mypurecloud.ie`, `eu_west_1` and `eu-west-1` all give
 * `mypurecloud.ie`. Unknown hosts are returned as given (new regions appear before this table knows them).
 */
export function regionHost(region: string): string {
  const value = region.trim().toLowerCase();
  const key = value.replace(/-/g, '_');
  if (Object.prototype.hasOwnProperty.call(GENESYS_REGION_HOSTS, key)) {
    return GENESYS_REGION_HOSTS[key as GenesysRegionKey];
  }
  return value;
}

export interface GenesysBaseUrls {
  readonly apiBaseUrl: string;
  readonly loginBaseUrl: string;
}

/**
 * The API and login base URLs (no trailing slash). Explicit overrides win over the region, so tests
 * and the sandbox can point anywhere (CONTRACT.md, GENESYS_API_BASE_URL / GENESYS_LOGIN_BASE_URL).
 */
export function genesysBaseUrls(
  config: Pick<GenesysConfig, 'region' | 'apiBaseUrl' | 'loginBaseUrl'>,
): GenesysBaseUrls {
  const host = config.region ? regionHost(config.region) : undefined;
  const apiBaseUrl = config.apiBaseUrl ?? (host ? `https://api.${host}` : undefined);
  const loginBaseUrl = config.loginBaseUrl ?? (host ? `https://login.${host}` : undefined);
  if (!apiBaseUrl || !loginBaseUrl) {
    throw new ConfigError(
      'GENESYS_REGION must be set (e.g. mypurecloud.com, mypurecloud.ie, usw2.pure.cloud), ' +
        'or both GENESYS_API_BASE_URL and GENESYS_LOGIN_BASE_URL',
    );
  }
  return { apiBaseUrl: stripSlash(apiBaseUrl), loginBaseUrl: stripSlash(loginBaseUrl) };
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
