/**
 * The only reader of `process.env`. Parses and validates every variable of the README's configuration
 * table (README.md#configuration), and fails with a message that names the variable and says what is
 * wrong with it.
 */
import path from 'node:path';
import { LEGACY_PUBLIC_URL_VARIABLE, publicUrlVariable, readInteger, readList, readText, readUrl, type Env } from './env-values';
import { ConfigError } from './errors';
import { regionHost } from './genesys/regions';
import { LOG_LEVELS, type LogLevel } from './logger';
import { SYSTEM_LABELS, type SystemName } from './systems';
import { readRingCentralSettings, type RingCentralSettings } from './sources/ringcentral/ringcentral-settings';
import { readTeamsSettings, type TeamsSettings } from './sources/teams/teams-settings';
import { readZoomSettings, type ZoomSettings } from './sources/zoom/zoom-settings';

export type { Env };

export interface GenesysConfig {
  /** `sandbox` when no client credentials are set: the built-in Genesys Cloud sandbox is used. */
  readonly mode: 'live' | 'sandbox';
  readonly region?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Set in live mode (from the region or the override); in sandbox mode the sandbox's URL is used. */
  readonly apiBaseUrl?: string;
  readonly loginBaseUrl?: string;
  readonly requestsPerMinute: number;
  readonly sourceNames: Readonly<Record<SystemName, string>>;
  /**
   * GENESYS_DIRECTORY_REFRESH_MINUTES: how often the maintainer lists the Genesys users, to retry
   * unmatched users when the directory changed (default 60).
   */
  readonly directoryRefreshMinutes?: number;
}

/** Zoom's variables (src/sources/zoom/zoom-settings.ts). */
export type ZoomConfig = ZoomSettings;

export interface TeamsConfig {
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly clientStates: readonly string[];
  /** The deployment's public base URL (same as `BridgeConfig.publicUrl`). */
  readonly notificationUrl?: string;
  readonly encryptionPrivateKey?: string;
  readonly encryptionCertificate?: string;
  readonly encryptionCertificateId?: string;
  readonly graphApiBaseUrl: string;
  readonly microsoftLoginBaseUrl: string;
  readonly graphJwksUrl?: string;
  /** Mode, polling interval, token-vault keys, subscription timing (TEAMS_MODE, TEAMS_POLL_INTERVAL_SECONDS, …). */
  readonly settings: TeamsSettings;
  /** True when the Entra app can call Graph app-only (directory, presence reads, polling). */
  readonly hasApiCredentials: boolean;
}

export interface RingCentralConfig {
  readonly serverUrl: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly jwt?: string;
  readonly verificationTokens: readonly string[];
  /** Rate-limit groups, subscription scope and paging (RINGCENTRAL_RATE_LIMIT_*, RINGCENTRAL_SUBSCRIPTION_*). */
  readonly settings: RingCentralSettings;
  /** True when the JWT-flow app is configured (subscriptions, directory, backfill). */
  readonly hasApiCredentials: boolean;
}

/** Names of AWS resources, set by serverless.yml; absent when running locally. */
export interface AwsConfig {
  readonly tableName?: string;
  readonly queueUrl?: string;
  readonly dynamoDbEndpoint?: string;
  readonly sqsEndpoint?: string;
  /**
   * CloudWatch namespace and `service` dimension of the EMF metrics (src/metrics/emf-metrics.ts), under
   * Powertools' own variable names; serverless.yml sets the service to `presence-bridge-<stage>`.
   */
  readonly metricsNamespace: string;
  readonly metricsService: string;
}

export interface BridgeConfig {
  /**
   * The deployment's public base URL (BRIDGE_PUBLIC_URL, or the older TEAMS_NOTIFICATION_URL): where Teams
   * and RingCentral deliver, `…/webhooks/teams`, `…/webhooks/ringcentral`.
   */
  readonly publicUrl?: string;
  /** Things the operator should change, logged once at startup (e.g. a deprecated variable name). */
  readonly notices: readonly string[];
  readonly port: number;
  /** The local server's listen address: loopback unless BIND_ADDRESS opens it (e.g. for a tunnel). */
  readonly bindAddress: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly presenceMappingFile?: string;
  readonly userMappingFile?: string;
  readonly genesys: GenesysConfig;
  readonly zoom: ZoomConfig;
  readonly teams: TeamsConfig;
  readonly ringcentral: RingCentralConfig;
  readonly aws: AwsConfig;
  /**
   * STATUS_PAGE_TOKEN (comma-separated for rotation): the bearer token(s) `GET /status` asks for. On AWS
   * the page is off without one; locally it is needed only when BIND_ADDRESS is not loopback.
   */
  readonly statusPageTokens: readonly string[];
}

const text = readText;
const list = readList;
const integer = readInteger;

const url = readUrl;

/**
 * GENESYS_REGION: a region host (`mypurecloud.ie`), its API/login host (`api.mypurecloud.ie`) or the
 * AWS region name (`eu-west-1`); stored as the region host. Anything else is a startup error listing
 * the valid values (src/genesys/regions.ts, docs/genesys.md).
 */
function region(env: Env): string | undefined {
  const raw = text(env, 'GENESYS_REGION');
  if (raw === undefined) return undefined;
  return regionHost(raw);
}

function requirePair(env: Env, a: string, b: string): void {
  if (Boolean(text(env, a)) !== Boolean(text(env, b))) {
    const missing = text(env, a) ? b : a;
    throw new ConfigError(`${missing} must be set together with ${missing === a ? b : a}`);
  }
}

function loadGenesys(env: Env): GenesysConfig {
  requirePair(env, 'GENESYS_CLIENT_ID', 'GENESYS_CLIENT_SECRET');
  const clientId = text(env, 'GENESYS_CLIENT_ID');
  const host = region(env);
  const apiOverride = url(env, 'GENESYS_API_BASE_URL');
  const loginOverride = url(env, 'GENESYS_LOGIN_BASE_URL');
  const live = clientId !== undefined;
  if (live && !host && !(apiOverride && loginOverride)) {
    throw new ConfigError(
      'GENESYS_REGION must be set (e.g. mypurecloud.com) when GENESYS_CLIENT_ID is set, ' +
        'or both GENESYS_API_BASE_URL and GENESYS_LOGIN_BASE_URL must be given',
    );
  }
  return {
    mode: live ? 'live' : 'sandbox',
    region: host,
    clientId,
    clientSecret: text(env, 'GENESYS_CLIENT_SECRET'),
    apiBaseUrl: apiOverride ?? (host ? `https://api.${host}` : undefined),
    loginBaseUrl: loginOverride ?? (host ? `https://login.${host}` : undefined),
    requestsPerMinute: integer(env, 'GENESYS_REQUESTS_PER_MINUTE', 300, 1, 100000),
    directoryRefreshMinutes: integer(env, 'GENESYS_DIRECTORY_REFRESH_MINUTES', 60, 1, 10080),
    sourceNames: {
      teams: text(env, 'GENESYS_SOURCE_NAME_TEAMS') ?? SYSTEM_LABELS.teams,
      zoom: text(env, 'GENESYS_SOURCE_NAME_ZOOM') ?? SYSTEM_LABELS.zoom,
      ringcentral: text(env, 'GENESYS_SOURCE_NAME_RINGCENTRAL') ?? SYSTEM_LABELS.ringcentral,
    },
  };
}

/** PEM values often arrive with literal `\n` when set through a shell or a console form. */
function pem(env: Env, name: string): string | undefined {
  return text(env, name)?.replace(/\\n/g, '\n');
}

function loadTeams(env: Env): TeamsConfig {
  return {
    tenantId: text(env, 'TEAMS_TENANT_ID'),
    clientId: text(env, 'TEAMS_CLIENT_ID'),
    clientSecret: text(env, 'TEAMS_CLIENT_SECRET'),
    clientStates: list(env, 'TEAMS_CLIENT_STATE'),
    notificationUrl: publicUrl(env),
    encryptionPrivateKey: pem(env, 'TEAMS_ENCRYPTION_PRIVATE_KEY'),
    encryptionCertificate: pem(env, 'TEAMS_ENCRYPTION_CERTIFICATE'),
    encryptionCertificateId: text(env, 'TEAMS_ENCRYPTION_CERTIFICATE_ID'),
    graphApiBaseUrl: url(env, 'GRAPH_API_BASE_URL') ?? 'https://graph.microsoft.com/v1.0',
    microsoftLoginBaseUrl: url(env, 'MICROSOFT_LOGIN_BASE_URL') ?? 'https://login.microsoftonline.com',
    graphJwksUrl: url(env, 'GRAPH_JWKS_URL'),
    settings: readTeamsSettings(env),
    hasApiCredentials: Boolean(text(env, 'TEAMS_TENANT_ID') && text(env, 'TEAMS_CLIENT_ID') && text(env, 'TEAMS_CLIENT_SECRET')),
  };
}

function loadRingCentral(env: Env): RingCentralConfig {
  return {
    serverUrl: url(env, 'RINGCENTRAL_SERVER_URL') ?? 'https://platform.ringcentral.com',
    clientId: text(env, 'RINGCENTRAL_CLIENT_ID'),
    clientSecret: text(env, 'RINGCENTRAL_CLIENT_SECRET'),
    jwt: text(env, 'RINGCENTRAL_JWT'),
    verificationTokens: list(env, 'RINGCENTRAL_VERIFICATION_TOKEN'),
    settings: readRingCentralSettings(env),
    hasApiCredentials: Boolean(text(env, 'RINGCENTRAL_CLIENT_ID') && text(env, 'RINGCENTRAL_CLIENT_SECRET') && text(env, 'RINGCENTRAL_JWT')),
  };
}

/** An IPv4/IPv6 address or a host name; loopback by default so a laptop's bridge is not on the LAN. */
function bindAddress(env: Env): string {
  const raw = text(env, 'BIND_ADDRESS') ?? '127.0.0.1';
  if (!/^[0-9a-z.:-]+$/i.test(raw) || raw.includes('://')) {
    throw new ConfigError(`BIND_ADDRESS must be an IP address or host name such as 127.0.0.1, ::1 or 0.0.0.0, got "${raw}"`);
  }
  return raw;
}

function logLevel(env: Env): LogLevel {
  const raw = (text(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return raw as LogLevel;
}

/** Reads, validates and freezes the whole configuration. Throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env, overrides: Env = {}): BridgeConfig {
  return buildConfig({ ...env, ...overrides });
}

/** Where AWS secrets live: SecureString parameters under this SSM path (set by serverless.yml). */
export function ssmSecretsPrefix(env: Env = process.env): string | undefined {
  return text(env, 'BRIDGE_SSM_PREFIX');
}

/**
 * Where the AWS Parameters and Secrets Lambda Extension listens (its own variable; serverless.yml sets it
 * next to the layer). Unset: no extension, secrets are read with the SDK (src/lambda/cold-start.ts).
 */
export function secretsExtension(env: Env = process.env): { port: number; token: string } | undefined {
  if (text(env, 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT') === undefined) return undefined;
  const port = readInteger(env, 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', 2773, 1, 65535);
  // The extension accepts the function's session token as proof the caller runs in this sandbox.
  return { port, token: text(env, 'AWS_SESSION_TOKEN') ?? '' };
}

/** BRIDGE_PUBLIC_URL, falling back to its older name TEAMS_NOTIFICATION_URL. */
function publicUrl(env: Env): string | undefined {
  const name = publicUrlVariable(env);
  return name === undefined ? undefined : url(env, name);
}

function buildConfig(env: Env): BridgeConfig {
  const notices: string[] = [];
  if (publicUrlVariable(env) === LEGACY_PUBLIC_URL_VARIABLE) {
    notices.push('TEAMS_NOTIFICATION_URL is deprecated: rename it to BRIDGE_PUBLIC_URL (same value; it serves every vendor)');
  }
  const config: BridgeConfig = {
    publicUrl: publicUrl(env),
    notices,
    port: integer(env, 'PORT', 3000, 0, 65535),
    bindAddress: bindAddress(env),
    dataDir: path.resolve(text(env, 'BRIDGE_DATA_DIR') ?? './.data'),
    logLevel: logLevel(env),
    presenceMappingFile: text(env, 'PRESENCE_MAPPING_FILE'),
    userMappingFile: text(env, 'USER_MAPPING_FILE'),
    genesys: loadGenesys(env),
    zoom: readZoomSettings(env),
    teams: loadTeams(env),
    ringcentral: loadRingCentral(env),
    aws: {
      tableName: text(env, 'BRIDGE_TABLE_NAME'),
      queueUrl: text(env, 'BRIDGE_QUEUE_URL'),
      dynamoDbEndpoint: url(env, 'DYNAMODB_ENDPOINT'),
      sqsEndpoint: url(env, 'SQS_ENDPOINT'),
      metricsNamespace: text(env, 'POWERTOOLS_METRICS_NAMESPACE') ?? 'PresenceBridge',
      metricsService: text(env, 'POWERTOOLS_SERVICE_NAME') ?? 'presence-bridge',
    },
    statusPageTokens: list(env, 'STATUS_PAGE_TOKEN'),
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Names of the variables among `values` that are unset, for ConfigError messages that say what to set. */
export function missingVariables(values: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(values)
    .filter(([, value]) => !value)
    .map(([name]) => name);
}

/** The Teams connection settings without the derived parts (what the Teams runtime is given). */
export type TeamsConnection = Omit<TeamsConfig, 'settings' | 'hasApiCredentials'>;
