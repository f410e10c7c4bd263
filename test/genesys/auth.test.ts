import { GenesysApiError } from '../../src/genesys/genesys-errors';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { clientFor, startSandboxClient, type SandboxClientSetup } from './helpers/sandbox-client';

function tokenRequests(sandbox: GenesysSandbox): number {
  return sandbox.requests.filter((request) => request.path === '/oauth/token').length;
}

describe('Genesys client-credentials login (against the sandbox)', () => {
  let setup: SandboxClientSetup;

  beforeEach(async () => {
    setup = await startSandboxClient({ sandbox: { seedDemoUsers: true } });
  });
  afterEach(async () => {
    await setup.close();
  });

  it('logs in with Basic auth and a form body, once, for many concurrent callers', async () => {
    const { client, sandbox } = setup;

    const tokens = await Promise.all(Array.from({ length: 10 }, () => client.auth.getToken()));
    await Promise.all(Array.from({ length: 5 }, () => client.definitions.list(true)));

    expect(new Set(tokens).size).toBe(1);
    expect(tokenRequests(sandbox)).toBe(1);
    const login = sandbox.requests.find((request) => request.path === '/oauth/token');
    expect(login?.method).toBe('POST');
    expect(login?.body).toEqual({ grant_type: 'client_credentials' });
    const api = sandbox.requests.filter((request) => request.path.startsWith('/api/v2/'));
    expect(api.every((request) => request.token === tokens[0])).toBe(true);
  });

  it('re-logs in exactly once when every token is expired, then succeeds', async () => {
    const { client, sandbox } = setup;
    await client.definitions.list();
    sandbox.expireAllTokens();

    await Promise.all(Array.from({ length: 5 }, () => client.definitions.list(true)));

    expect(tokenRequests(sandbox)).toBe(2);
    expect(sandbox.requests.filter((request) => request.status === 401).length).toBeGreaterThanOrEqual(1);
    expect(sandbox.violations).toEqual([]);
  });
});

describe('Genesys login failures', () => {
  it('names the credentials and region when the secret is wrong', async () => {
    const sandbox = await startGenesysSandbox();
    const { client } = clientFor(sandbox, { clientSecret: 'wrong-secret' });
    try {
      const failure = await client.definitions.list().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(GenesysApiError);
      const error = failure as GenesysApiError;
      expect(error.status).toBe(401);
      expect(error.path).toBe('/oauth/token');
      expect(error.message).toMatch(/GENESYS_CLIENT_ID/);
      expect(error.message).toMatch(/GENESYS_REGION/);
      expect(error.retryable).toBe(false);
    } finally {
      await client.close();
      await sandbox.close();
    }
  });

  it('renews the token shortly before expires_in', async () => {
    let now = Date.now();
    const sandbox = await startGenesysSandbox({ tokenTtlSeconds: 300, now: () => now });
    const { client } = clientFor(sandbox, { client: { now: () => now } });
    try {
      const first = await client.auth.getToken();
      now += 250_000; // before 300 s − 30 s (10 % of a short lifetime)
      expect(await client.auth.getToken()).toBe(first);
      now += 25_000; // 275 s: inside the renewal margin
      const second = await client.auth.getToken();
      expect(second).not.toBe(first);
      expect(sandbox.requests.filter((request) => request.path === '/oauth/token')).toHaveLength(2);
    } finally {
      await client.close();
      await sandbox.close();
    }
  });
});
