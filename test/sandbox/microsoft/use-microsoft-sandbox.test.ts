/**
 * When `npm start` uses the Microsoft sandbox, and what it hands the Teams source: only without Teams
 * and Genesys credentials; the sandbox's app and URLs, subscription mode, the bridge's own URL as the
 * notification base, development secrets kept in BRIDGE_DATA_DIR, and an MSAL network client that
 * trusts the sandbox's CA (the default client, Node's CAs only, is refused: TLS checks stay on).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import { silentLogger } from '../../../src/logger';
import { useMicrosoftSandbox } from '../../../src/sandbox/microsoft/use-microsoft-sandbox';
import { createMsalNetworkClient } from '../../../src/sources/teams/msal-setup';

describe('useMicrosoftSandbox', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'use-ms-sandbox-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['Teams credentials are set', { TEAMS_TENANT_ID: 'contoso.onmicrosoft.com', TEAMS_CLIENT_ID: 'app', TEAMS_CLIENT_SECRET: 'secret' }],
    ['only a Teams client id is set', { TEAMS_CLIENT_ID: 'app' }],
    ['Genesys credentials are set', { GENESYS_CLIENT_ID: 'g', GENESYS_CLIENT_SECRET: 's', GENESYS_REGION: 'mypurecloud.com' }],
  ])('is not used when %s', async (_name, env) => {
    const config = loadConfig({ BRIDGE_DATA_DIR: dataDir, ...env });
    expect(await useMicrosoftSandbox(config, dataDir, silentLogger)).toBeUndefined();
    expect(fs.existsSync(path.join(dataDir, 'microsoft-sandbox'))).toBe(false);
  });

  it('points the Teams source at the sandbox as at Microsoft, and keeps its secrets across restarts', async () => {
    const config = loadConfig({ BRIDGE_DATA_DIR: dataDir });
    const lines: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const logger = { ...silentLogger, info: (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields }) };
    const first = (await useMicrosoftSandbox(config, dataDir, logger as typeof silentLogger))!;
    try {
      expect(lines.find((line) => line.message.includes('Microsoft sandbox'))?.fields).toMatchObject({ microsoftSandbox: first.sandbox.adminUrl });
      expect(first.teams).toMatchObject({
        tenantId: first.sandbox.tenantId,
        clientId: first.sandbox.clientId,
        clientSecret: first.sandbox.clientSecret,
        microsoftLoginBaseUrl: first.sandbox.loginBaseUrl,
        graphApiBaseUrl: first.sandbox.graphBaseUrl,
        graphJwksUrl: first.sandbox.jwksUrl,
        hasApiCredentials: true,
      });
      expect(first.teams.settings.mode).toBe('subscription');
      expect(first.teams.settings.tokenEncryptionKeys).toHaveLength(1);
      expect(first.teams.clientStates).toHaveLength(1);
      expect(first.teams.encryptionCertificate).toContain('BEGIN CERTIFICATE');
      expect(first.teams.notificationUrl).toBeUndefined();
      first.setBridgeUrl('http://127.0.0.1:3000');
      expect(first.teams.notificationUrl).toBe('http://127.0.0.1:3000');
      expect(first.runtimeInfo.adminUrl).toBe(first.sandbox.adminUrl);

      const openId = `${first.sandbox.loginBaseUrl}/${first.sandbox.tenantId}/v2.0/.well-known/openid-configuration`;
      const trusted = await first.teamsRuntime.msalNetworkClient.sendGetRequestAsync<{ issuer: string }>(openId);
      expect(trusted.body.issuer).toBe(`${first.sandbox.loginBaseUrl}/${first.sandbox.tenantId}/v2.0`);
      await expect(createMsalNetworkClient().sendGetRequestAsync(openId)).rejects.toThrow(/certificate/i);
    } finally {
      await first.close();
    }
    const second = (await useMicrosoftSandbox(config, dataDir, silentLogger))!;
    try {
      expect(second.teams).toMatchObject({ tenantId: first.teams.tenantId, clientId: first.teams.clientId, clientStates: first.teams.clientStates });
      expect(second.teams.settings.tokenEncryptionKeys).toEqual(first.teams.settings.tokenEncryptionKeys);
      expect(second.sandbox.caPem).toBe(first.sandbox.caPem);
    } finally {
      await second.close();
    }
  });
});
