import path from 'node:path';
import { loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('runs with no configuration at all: sandbox mode and the contract defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe(path.resolve('./.data'));
    expect(config.logLevel).toBe('info');
    expect(config.genesys.mode).toBe('sandbox');
    expect(config.genesys.requestsPerMinute).toBe(300);
    expect(config.genesys.directoryRefreshMinutes).toBe(60);
    expect(config.genesys.sourceNames).toEqual({ teams: 'Microsoft Teams', zoom: 'Zoom', ringcentral: 'RingCentral' });
    // Covers Zoom's retries (about 5, 20 and 60 minutes after a failed delivery).
    expect(config.zoom.signatureToleranceSeconds).toBe(7200);
    expect(config.zoom.apiBaseUrl).toBe('https://api.zoom.us/v2');
    expect(config.zoom.oauthBaseUrl).toBe('https://zoom.us');
    expect(config.teams.graphApiBaseUrl).toBe('https://graph.microsoft.com/v1.0');
    expect(config.teams.microsoftLoginBaseUrl).toBe('https://login.microsoftonline.com');
    expect(config.ringcentral.serverUrl).toBe('https://platform.ringcentral.com');
  });

  it('derives Genesys URLs from the region, and lets overrides win', () => {
    const live = loadConfig({ GENESYS_CLIENT_ID: 'id', GENESYS_CLIENT_SECRET: 's', GENESYS_REGION: 'mypurecloud.ie' });
    expect(live.genesys).toMatchObject({ mode: 'live', apiBaseUrl: 'https://api.mypurecloud.ie', loginBaseUrl: 'https://login.mypurecloud.ie' });
    const overridden = loadConfig({
      GENESYS_CLIENT_ID: 'id',
      GENESYS_CLIENT_SECRET: 's',
      GENESYS_API_BASE_URL: 'http://127.0.0.1:9/',
      GENESYS_LOGIN_BASE_URL: 'http://127.0.0.1:8',
    });
    expect(overridden.genesys).toMatchObject({ apiBaseUrl: 'http://127.0.0.1:9', loginBaseUrl: 'http://127.0.0.1:8' });
  });

  it('splits comma-separated secrets for rotation', () => {
    const config = loadConfig({ ZOOM_WEBHOOK_SECRET_TOKEN: 'new, old,', TEAMS_CLIENT_STATE: 'a,b', RINGCENTRAL_VERIFICATION_TOKEN: 'x' });
    expect(config.zoom.webhookSecretTokens).toEqual(['new', 'old']);
    expect(config.teams.clientStates).toEqual(['a', 'b']);
    expect(config.ringcentral.verificationTokens).toEqual(['x']);
  });

  it('reads the public base URL from BRIDGE_PUBLIC_URL, and still from TEAMS_NOTIFICATION_URL with a notice', () => {
    const current = loadConfig({ BRIDGE_PUBLIC_URL: 'https://bridge.example.com/' });
    expect(current.publicUrl).toBe('https://bridge.example.com');
    expect(current.teams.notificationUrl).toBe('https://bridge.example.com');
    expect(current.teams.settings.mode).toBe('subscription');
    expect(current.notices).toEqual([]);

    const legacy = loadConfig({ TEAMS_NOTIFICATION_URL: 'https://old.example.com' });
    expect(legacy.publicUrl).toBe('https://old.example.com');
    expect(legacy.notices).toEqual([expect.stringMatching(/TEAMS_NOTIFICATION_URL is deprecated: rename it to BRIDGE_PUBLIC_URL/)]);

    const both = loadConfig({ BRIDGE_PUBLIC_URL: 'https://new.example.com', TEAMS_NOTIFICATION_URL: 'https://old.example.com' });
    expect(both.publicUrl).toBe('https://new.example.com');
    expect(() => loadConfig({ BRIDGE_PUBLIC_URL: 'bridge.example.com' })).toThrow(/BRIDGE_PUBLIC_URL must be an absolute URL/);
    expect(() => loadConfig({ TEAMS_MODE: 'subscription' })).toThrow(/BRIDGE_PUBLIC_URL must be set/);
  });

  it('binds to loopback unless BIND_ADDRESS says otherwise', () => {
    expect(loadConfig({}).bindAddress).toBe('127.0.0.1');
    expect(loadConfig({ BIND_ADDRESS: '0.0.0.0' }).bindAddress).toBe('0.0.0.0');
    expect(loadConfig({ BIND_ADDRESS: '::1' }).bindAddress).toBe('::1');
    expect(() => loadConfig({ BIND_ADDRESS: 'http://0.0.0.0' })).toThrow(/BIND_ADDRESS must be an IP address or host name/);
  });

  it('is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.genesys.sourceNames)).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of debug, info, warn, error'],
    [{ GENESYS_CLIENT_ID: 'id' }, 'GENESYS_CLIENT_SECRET must be set together with GENESYS_CLIENT_ID'],
    [{ GENESYS_CLIENT_ID: 'id', GENESYS_CLIENT_SECRET: 's' }, 'GENESYS_REGION must be set'],
    [{ GENESYS_REGION: 'https://api.mypurecloud.com' }, 'is not a Genesys Cloud region'],
    [{ GENESYS_REGION: 'mypurecloud.example' }, 'valid values: us-east-1 (mypurecloud.com)'],
    [{ GENESYS_REQUESTS_PER_MINUTE: '0' }, 'GENESYS_REQUESTS_PER_MINUTE must be between'],
    [{ GENESYS_API_BASE_URL: 'not a url' }, 'GENESYS_API_BASE_URL must be an absolute URL'],
    [{ ZOOM_API_BASE_URL: 'ftp://zoom.example' }, 'ZOOM_API_BASE_URL must use http or https'],
    [{ ZOOM_SIGNATURE_TOLERANCE_SECONDS: '-5' }, 'ZOOM_SIGNATURE_TOLERANCE_SECONDS must be a whole number'],
    [{ TEAMS_MODE: 'sometimes' }, 'TEAMS_MODE'],
    [{ RINGCENTRAL_SUBSCRIPTION_SCOPE: 'galaxy' }, 'RINGCENTRAL_SUBSCRIPTION_SCOPE'],
  ])('names the bad variable: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
