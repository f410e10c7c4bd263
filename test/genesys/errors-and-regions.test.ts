import { ConfigError } from '../../src/errors';
import { GenesysApiError, GenesysParkedError, GenesysPrimarySourceGuardError, classifyGenesysFailure } from '../../src/genesys/genesys-errors';
import { GENESYS_REGIONS, genesysBaseUrls, isKnownRegionHost, regionHost } from '../../src/genesys/regions';
import { loadConfig } from '../../src/config';
import { BridgeError } from '../../src/errors';

describe('GenesysApiError messages', () => {
  it.each([
    ['PATCH', '/api/v2/users/u/presences/s', 'presence:userPresence:edit'],
    ['POST', '/api/v2/presence/sources', 'presence:source:add'],
    ['GET', '/api/v2/presence/definitions', 'presence:presenceDefinition:view'],
    ['POST', '/api/v2/users/search', 'directory:user:view'],
  ])('a 403 on %s %s names %s', (method, path, permission) => {
    const error = new GenesysApiError({ status: 403, method, path, retryable: false, permission, requestId: 'corr-1' });
    expect(error.message).toContain(permission);
    expect(error.message).toContain('corr-1');
    expect(error).toBeInstanceOf(BridgeError);
  });

  it('keeps the cause and the Genesys code and message', () => {
    const cause = new Error('socket hang up');
    const error = new GenesysApiError({
      status: 400,
      method: 'PATCH',
      path: '/x',
      retryable: false,
      code: 'bad.request',
      genesysMessage: 'nope',
      cause,
    });
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('bad.request');
    expect(error.message).toContain('nope');
  });

  it('withDetails rebuilds the message', () => {
    const error = new GenesysApiError({ status: 404, method: 'PATCH', path: '/x', retryable: false });
    expect(error.withDetails({ gone: 'user' }).message).toMatch(/user no longer exists/);
  });
});

describe('classifyGenesysFailure', () => {
  const retryAt = new Date('2026-03-01T13:00:00Z');
  it.each([
    [new GenesysParkedError({ retryAt, method: 'PATCH', path: '/x', status: 429 }), 'parked'],
    [new GenesysApiError({ status: 503, method: 'PATCH', path: '/x', retryable: true }), 'retryable'],
    [new GenesysApiError({ status: 404, method: 'PATCH', path: '/x', retryable: false, gone: 'source' }), 'source-gone'],
    [new GenesysApiError({ status: 404, method: 'PATCH', path: '/x', retryable: false, gone: 'user' }), 'user-gone'],
    [new GenesysApiError({ status: 403, method: 'PATCH', path: '/x', retryable: false }), 'permanent'],
    [new GenesysPrimarySourceGuardError('no'), 'permanent'],
    [new Error('boom'), 'retryable'],
  ])('%s → %s', (error, kind) => {
    expect(classifyGenesysFailure(error).kind).toBe(kind);
  });

  it('uses the Retry-After of a retryable error', () => {
    const error = new GenesysApiError({ status: 429, method: 'GET', path: '/x', retryable: true, retryAfterMs: 4000 });
    expect(classifyGenesysFailure(error)).toMatchObject({ kind: 'retryable', afterMs: 4000 });
  });
});

describe('regions', () => {
  it.each([
    ['mypurecloud.com', 'https://api.mypurecloud.com', 'https://login.mypurecloud.com'],
    ['eu_west_1', 'https://api.mypurecloud.ie', 'https://login.mypurecloud.ie'],
    ['us-west-2', 'https://api.usw2.pure.cloud', 'https://login.usw2.pure.cloud'],
    ['euc2.pure.cloud', 'https://api.euc2.pure.cloud', 'https://login.euc2.pure.cloud'],
  ])('%s → %s, %s', (region, api, login) => {
    expect(genesysBaseUrls({ region })).toEqual({ apiBaseUrl: api, loginBaseUrl: login });
  });

  it('lets explicit base URLs win and strips trailing slashes', () => {
    expect(genesysBaseUrls({ region: 'mypurecloud.com', apiBaseUrl: 'http://127.0.0.1:9/', loginBaseUrl: 'http://127.0.0.1:8' })).toEqual({
      apiBaseUrl: 'http://127.0.0.1:9',
      loginBaseUrl: 'http://127.0.0.1:8',
    });
  });

  it('throws a ConfigError naming GENESYS_REGION when nothing is set', () => {
    expect(() => genesysBaseUrls({})).toThrow(ConfigError);
    expect(() => genesysBaseUrls({})).toThrow(/GENESYS_REGION/);
  });

  it('knows the region hosts of the SDK table', () => {
    expect(isKnownRegionHost('mypurecloud.jp')).toBe(true);
    expect(isKnownRegionHost('example.com')).toBe(false);
    expect(regionHost('eusc_de_east_1')).toBe('edee1.eusc-pure.cloud');
  });

  // Every region Genesys lists, under every accepted spelling (docs/genesys.md, "Regions").
  const EXPECTED: ReadonlyArray<[string, string]> = [
    ['us-east-1', 'mypurecloud.com'],
    ['eu-west-1', 'mypurecloud.ie'],
    ['ap-southeast-2', 'mypurecloud.com.au'],
    ['ap-northeast-1', 'mypurecloud.jp'],
    ['eu-central-1', 'mypurecloud.de'],
    ['us-west-2', 'usw2.pure.cloud'],
    ['ca-central-1', 'cac1.pure.cloud'],
    ['ap-northeast-2', 'apne2.pure.cloud'],
    ['eu-west-2', 'euw2.pure.cloud'],
    ['ap-south-1', 'aps1.pure.cloud'],
    ['us-east-2', 'use2.us-gov-pure.cloud'],
    ['sa-east-1', 'sae1.pure.cloud'],
    ['me-central-1', 'mec1.pure.cloud'],
    ['ap-northeast-3', 'apne3.pure.cloud'],
    ['eu-central-2', 'euc2.pure.cloud'],
    ['mx-central-1', 'mxc1.pure.cloud'],
    ['ap-southeast-1', 'apse1.pure.cloud'],
    ['eusc-de-east-1', 'edee1.eusc-pure.cloud'],
  ];

  it('has exactly the listed regions', () => {
    expect(GENESYS_REGIONS.map((r) => [r.awsRegion, r.host])).toEqual(EXPECTED);
  });

  describe.each(EXPECTED)('%s (%s)', (aws, host) => {
    it.each([host, `api.${host}`, `login.${host}`, aws, aws.replace(/-/g, '_'), ` ${aws.toUpperCase()} `, `API.${host.toUpperCase()}`])(
      'accepts %j',
      (value) => {
        expect(regionHost(value)).toBe(host);
        const config = loadConfig({ GENESYS_CLIENT_ID: 'id', GENESYS_CLIENT_SECRET: 's', GENESYS_REGION: value });
        expect(config.genesys).toMatchObject({ region: host, apiBaseUrl: `https://api.${host}`, loginBaseUrl: `https://login.${host}` });
      },
    );
  });

  it.each([
    'example.com',
    'mypurecloud.co.uk',
    'us-east-9',
    'https://api.mypurecloud.com',
    'apps.mypurecloud.com',
    'api.api.mypurecloud.com',
    'usw2',
    'pure.cloud',
  ])('refuses %j at startup, listing every valid value', (value) => {
    const load = () => loadConfig({ GENESYS_CLIENT_ID: 'id', GENESYS_CLIENT_SECRET: 's', GENESYS_REGION: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/is not a Genesys Cloud region/);
    let message = '';
    try {
      load();
    } catch (error) {
      message = (error as Error).message;
    }
    for (const [aws, host] of EXPECTED) {
      expect(message).toContain(aws);
      expect(message).toContain(host);
    }
  });
});
