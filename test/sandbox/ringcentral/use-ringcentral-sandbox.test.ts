/**
 * When `npm start` uses the RingCentral sandbox, and what it hands the bridge: the sandbox's server URL,
 * client, JWT and a development verification token kept in BRIDGE_DATA_DIR; never with real credentials.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import type { Logger } from '../../../src/logger';
import { startRingCentralSandbox } from '../../../src/sandbox/ringcentral';
import { shouldUseRingCentralSandbox, useRingCentralSandbox } from '../../../src/sandbox/ringcentral/use-ringcentral-sandbox';

function recordingLogger(): Logger & { lines: Array<{ message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const logger = {
    lines,
    debug: () => undefined,
    info: (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields }),
    warn: () => undefined,
    error: () => undefined,
    child: () => logger,
  };
  return logger;
}

describe('useRingCentralSandbox', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-use-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is used only without RingCentral credentials and with the Genesys sandbox', () => {
    expect(shouldUseRingCentralSandbox(loadConfig({}))).toBe(true);
    expect(shouldUseRingCentralSandbox(loadConfig({ RINGCENTRAL_JWT: 'a-real-jwt' }))).toBe(false);
    expect(shouldUseRingCentralSandbox(loadConfig({ RINGCENTRAL_CLIENT_ID: 'id', RINGCENTRAL_CLIENT_SECRET: 'secret', RINGCENTRAL_JWT: 'jwt' }))).toBe(false);
    expect(shouldUseRingCentralSandbox(loadConfig({ GENESYS_CLIENT_ID: 'id', GENESYS_CLIENT_SECRET: 'secret', GENESYS_REGION: 'mypurecloud.com' }))).toBe(
      false,
    );
  });

  it('points the RingCentral config at the sandbox with a development token kept in the data directory, and logs it', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ BRIDGE_DATA_DIR: dataDir });
    const logger = recordingLogger();
    const first = (await useRingCentralSandbox(config, dataDir, logger))!;
    try {
      const rc = first.config.ringcentral;
      expect(rc).toMatchObject({
        serverUrl: first.sandbox.url,
        clientId: first.sandbox.clientId,
        clientSecret: first.sandbox.clientSecret,
        jwt: first.sandbox.jwt,
        hasApiCredentials: true,
      });
      expect(rc.verificationTokens).toHaveLength(1);
      expect(rc.verificationTokens[0]).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(fs.readFileSync(path.join(dataDir, 'ringcentral-dev-verification-token'), 'utf8').trim()).toBe(rc.verificationTokens[0]);
      expect(first.runtimeInfo).toEqual({ url: first.sandbox.url, adminUrl: `${first.sandbox.url}/sandbox/presence` });
      expect(logger.lines).toEqual([
        { message: 'no RingCentral credentials set: using the built-in RingCentral sandbox', fields: { sandbox: first.sandbox.url } },
      ]);
      expect(first.withPublicUrl(first.config, 'http://127.0.0.1:4321').publicUrl).toBe('http://127.0.0.1:4321');
      const tunnel = loadConfig({ BRIDGE_DATA_DIR: dataDir, BRIDGE_PUBLIC_URL: 'https://tunnel.example.com' });
      expect(first.withPublicUrl(tunnel, 'http://127.0.0.1:4321').publicUrl).toBe('https://tunnel.example.com');
    } finally {
      await first.close();
    }
    const second = (await useRingCentralSandbox(config, dataDir, recordingLogger()))!;
    await second.close();
    expect(second.config.ringcentral.verificationTokens).toEqual(first.config.ringcentral.verificationTokens);
  });

  it('returns nothing with real credentials', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ BRIDGE_DATA_DIR: dataDir, RINGCENTRAL_CLIENT_ID: 'id', RINGCENTRAL_CLIENT_SECRET: 's', RINGCENTRAL_JWT: 'j' });
    expect(await useRingCentralSandbox(config, dataDir, recordingLogger())).toBeUndefined();
    expect(fs.existsSync(path.join(dataDir, 'ringcentral-dev-verification-token'))).toBe(false);
  });

  it('refuses a damaged state file, saying how to start afresh', async () => {
    const file = path.join(tempDir(), 'ringcentral-sandbox.json');
    fs.writeFileSync(file, '{"version": 1, "subscriptions": 3}');
    await expect(startRingCentralSandbox({ stateFile: file })).rejects.toThrow(
      /has an unexpected shape \(subscriptions: Invalid input: expected array, received number; presence: .*\); delete it to start afresh$/,
    );
  });
});
