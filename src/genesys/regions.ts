/**
 * Genesys Cloud regions and the base URLs derived from them. The SDK builds `https://api.{host}` and
 * `https://login.{host}` (platform-client-sdk-javascript `configuration.js`, `setEnvironment`); the
 * region table is the SDK's `PureCloudRegionHosts.js` at 259.0.0
 * (https://github.com/MyPureCloud/platform-client-sdk-javascript/blob/master/build/src/purecloud-platform-client-v2/PureCloudRegionHosts.js),
 * keyed by the AWS region each Genesys Cloud region runs in
 * (https://help.mypurecloud.com/articles/aws-regions-for-genesys-cloud-deployment/,
 * https://developer.genesys.cloud/platform/api/). See docs/genesys.md.
 *
 * GENESYS_REGION accepts, for every region: the region host (`mypurecloud.ie`), the API or login host
 * (`api.mypurecloud.ie`, `login.mypurecloud.ie`) and the AWS region name (`eu-west-1`, also the SDK
 * spelling `eu_west_1`). Anything else is refused with the list of valid values: a guessed host would
 * only fail later, at the first login, with a far less helpful error.
 */
import type { GenesysConfig } from '../config';
import { ConfigError } from '../errors';

/** One Genesys Cloud region: the AWS region it runs in and its region host. */
export interface GenesysRegion {
  /** AWS region name, e.g. `eu-west-1`. */
  readonly awsRegion: string;
  /** Region host, e.g. `mypurecloud.ie`; the API is `api.{host}`, the login `login.{host}`. */
  readonly host: string;
}

/** Every Genesys Cloud region (SDK `PureCloudRegionHosts.js`, 259.0.0). */
export const GENESYS_REGIONS: readonly GenesysRegion[] = [
  { awsRegion: 'us-east-1', host: 'mypurecloud.com' },
  { awsRegion: 'eu-west-1', host: 'mypurecloud.ie' },
  { awsRegion: 'ap-southeast-2', host: 'mypurecloud.com.au' },
  { awsRegion: 'ap-northeast-1', host: 'mypurecloud.jp' },
  { awsRegion: 'eu-central-1', host: 'mypurecloud.de' },
  { awsRegion: 'us-west-2', host: 'usw2.pure.cloud' },
  { awsRegion: 'ca-central-1', host: 'cac1.pure.cloud' },
  { awsRegion: 'ap-northeast-2', host: 'apne2.pure.cloud' },
  { awsRegion: 'eu-west-2', host: 'euw2.pure.cloud' },
  { awsRegion: 'ap-south-1', host: 'aps1.pure.cloud' },
  { awsRegion: 'us-east-2', host: 'use2.us-gov-pure.cloud' },
  { awsRegion: 'sa-east-1', host: 'sae1.pure.cloud' },
  { awsRegion: 'me-central-1', host: 'mec1.pure.cloud' },
  { awsRegion: 'ap-northeast-3', host: 'apne3.pure.cloud' },
  { awsRegion: 'eu-central-2', host: 'euc2.pure.cloud' },
  { awsRegion: 'mx-central-1', host: 'mxc1.pure.cloud' },
  { awsRegion: 'ap-southeast-1', host: 'apse1.pure.cloud' },
  { awsRegion: 'eusc-de-east-1', host: 'edee1.eusc-pure.cloud' },
];

/** SDK region key (`eu_west_1`) → region host, as the SDK spells it. */
export const GENESYS_REGION_HOSTS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(GENESYS_REGIONS.map((region) => [region.awsRegion.replace(/-/g, '_'), region.host])),
);

const BY_HOST = new Map(GENESYS_REGIONS.map((region) => [region.host, region]));
const BY_AWS_NAME = new Map(GENESYS_REGIONS.map((region) => [region.awsRegion, region]));

/** True for a region host of the table (e.g. `mypurecloud.ie`). */
export function isKnownRegionHost(host: string): boolean {
  return BY_HOST.has(host.trim().toLowerCase());
}

/** The region a GENESYS_REGION value names, or undefined when it names none. */
export function findGenesysRegion(value: string): GenesysRegion | undefined {
  const text = value.trim().toLowerCase().replace(/\.$/, '');
  const byName = BY_AWS_NAME.get(text.replace(/_/g, '-'));
  if (byName) return byName;
  // The API and login hosts name the same region as the bare region host.
  const host = text.replace(/^(api|login)\./, '');
  return BY_HOST.get(host);
}

/** The valid GENESYS_REGION values, for error messages: `us-east-1 (mypurecloud.com), …`. */
export function describeValidRegions(): string {
  return GENESYS_REGIONS.map((region) => `${region.awsRegion} (${region.host})`).join(', ');
}

/**
 * The region host for a GENESYS_REGION value: `mypurecloud.ie`, `api.mypurecloud.ie`,
 * `login.mypurecloud.ie`, `eu-west-1` and `eu_west_1` all give `mypurecloud.ie`. Throws a ConfigError
 * listing the valid values for anything else.
 */
export function regionHost(region: string): string {
  const found = findGenesysRegion(region);
  if (!found) {
    throw new ConfigError(
      `GENESYS_REGION "${region.trim()}" is not a Genesys Cloud region. Use a region host, its api./login. host, ` +
        `or the AWS region name; valid values: ${describeValidRegions()}. ` +
        'For any other endpoint, set GENESYS_API_BASE_URL and GENESYS_LOGIN_BASE_URL instead',
    );
  }
  return found.host;
}

export interface GenesysBaseUrls {
  readonly apiBaseUrl: string;
  readonly loginBaseUrl: string;
}

/**
 * The API and login base URLs (no trailing slash). Explicit overrides win over the region, so tests
 * and the sandbox can point anywhere (GENESYS_API_BASE_URL / GENESYS_LOGIN_BASE_URL, README).
 */
export function genesysBaseUrls(config: Pick<GenesysConfig, 'region' | 'apiBaseUrl' | 'loginBaseUrl'>): GenesysBaseUrls {
  const host = config.region ? regionHost(config.region) : undefined;
  const apiBaseUrl = config.apiBaseUrl ?? (host ? `https://api.${host}` : undefined);
  const loginBaseUrl = config.loginBaseUrl ?? (host ? `https://login.${host}` : undefined);
  if (!apiBaseUrl || !loginBaseUrl) {
    throw new ConfigError(
      'GENESYS_REGION must be set (e.g. mypurecloud.com, eu-west-1, usw2.pure.cloud), ' + 'or both GENESYS_API_BASE_URL and GENESYS_LOGIN_BASE_URL',
    );
  }
  return { apiBaseUrl: stripSlash(apiBaseUrl), loginBaseUrl: stripSlash(loginBaseUrl) };
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
