import { ConfigError } from '../../../src/errors';
import { GRAPH_CHANGE_TRACKING_APP_ID, readTeamsSettings } from '../../../src/sources/teams/teams-settings';

describe('readTeamsSettings', () => {
  test('defaults: polling without a notification URL, subscription with one', () => {
    const polling = readTeamsSettings({});
    expect(polling).toMatchObject({
      mode: 'polling',
      pollIntervalSeconds: 60,
      tokenEncryptionKeys: [],
      changeTrackingAppIds: [GRAPH_CHANGE_TRACKING_APP_ID],
      subscriptionLifetimeMinutes: 58,
      renewBeforeMinutes: 25,
      presenceRequestsPer30Seconds: 1500,
    });
    expect(readTeamsSettings({ TEAMS_NOTIFICATION_URL: 'https://bridge.example' }).mode).toBe('subscription');
  });

  test('explicit values, with rotation lists', () => {
    const settings = readTeamsSettings({
      TEAMS_MODE: 'Polling',
      TEAMS_POLL_INTERVAL_SECONDS: '15',
      TEAMS_TOKEN_ENCRYPTION_KEY: 'new-secret-0123456789, old-secret-0123456789',
      TEAMS_GRAPH_CHANGE_TRACKING_APP_ID: 'a,b',
    });
    expect(settings.mode).toBe('polling');
    expect(settings.pollIntervalSeconds).toBe(15);
    expect(settings.tokenEncryptionKeys).toEqual(['new-secret-0123456789', 'old-secret-0123456789']);
    expect(settings.changeTrackingAppIds).toEqual(['a', 'b']);
  });

  test.each([
    [{ TEAMS_MODE: 'webhooks' }, /TEAMS_MODE/],
    [{ TEAMS_MODE: 'subscription' }, /BRIDGE_PUBLIC_URL/],
    [{ TEAMS_POLL_INTERVAL_SECONDS: '5' }, /TEAMS_POLL_INTERVAL_SECONDS must be between 10/],
    [{ TEAMS_SUBSCRIPTION_LIFETIME_MINUTES: '61' }, /TEAMS_SUBSCRIPTION_LIFETIME_MINUTES/],
    [{ TEAMS_TOKEN_ENCRYPTION_KEY: 'short' }, /TEAMS_TOKEN_ENCRYPTION_KEY/],
    [{ TEAMS_CLIENT_STATE: 'x'.repeat(129) }, /128 characters/],
    [{ TEAMS_USER_GROUP_ID: 'Contact Center Agents' }, /TEAMS_USER_GROUP_ID must be the Entra group's object id/],
  ])('%j is refused with a message naming the variable', (env, message) => {
    expect(() => readTeamsSettings(env)).toThrow(ConfigError);
    expect(() => readTeamsSettings(env)).toThrow(message);
  });

  test('TEAMS_USER_GROUP_ID: unset means the whole directory; a group object id is kept (lower-cased)', () => {
    expect(readTeamsSettings({}).userGroupId).toBeUndefined();
    expect(readTeamsSettings({ TEAMS_USER_GROUP_ID: ' 0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0 ' }).userGroupId).toBe('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
  });
});
