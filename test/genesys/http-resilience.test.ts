import { createServer } from 'node:net';
import type { TokenProvider } from '../../src/genesys/auth';
import { GenesysApiError, GenesysParkedError } from '../../src/genesys/genesys-errors';
import { GenesysHttp } from '../../src/genesys/http';
import { createLocalBudget } from '../../src/genesys/local-budget';
import type { RequestBudget } from '../../src/genesys/request-budget';
import { createTransport } from '../../src/genesys/transport';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { clientFor, DEFAULT_SOURCE_NAMES } from './helpers/sandbox-client';
import { maxInWindow } from '../helpers/windows';

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Genesys HTTP: budget, retries, Retry-After (against the sandbox)', () => {
  let sandbox: GenesysSandbox;
  let sourceId: string;
  let busyId: string;
  let userIds: string[];

  beforeEach(async () => {
    sandbox = await startGenesysSandbox();
    userIds = Array.from({ length: 50 }, (_, i) => sandbox.addUser({ email: `agent${i}@example.com` }).id);
    // Set up with a generous budget, then measure only what the test's own client sends.
    const { client } = clientFor(sandbox);
    sourceId = (await client.sources.ensureSources(DEFAULT_SOURCE_NAMES)).zoom.id;
    busyId = (await client.definitions.resolve('Busy'))!.id;
    await client.close();
    sandbox.reset();
  });
  afterEach(async () => {
    expect(sandbox.violations).toEqual([]);
    await sandbox.close();
  });

  it('never sends more than N requests in any window, login included, under 50 concurrent writes', async () => {
    // A compressed minute: 20 requests per 1 000 ms window keeps the test near 3 s. The margin plays
    // the part of the production 300 ms (0.5 % of 60 s): it absorbs the gap between a slot starting
    // here and the sandbox stamping the request, which on a busy test machine (parallel jest
    // workers on two cores) can exceed 100 ms.
    const windowMs = 1000;
    const limit = 20;
    const { client } = clientFor(sandbox, { budget: createLocalBudget(limit, Date.now, { windowMs, marginMs: 250 }) });
    try {
      await Promise.all(userIds.map((userId) => client.presence.setSourcePresence(userId, sourceId, busyId, 'On a phone call')));

      expect(sandbox.requests).toHaveLength(51);
      expect(sandbox.requests[0]!.path).toBe('/oauth/token');
      expect(
        maxInWindow(
          sandbox.requests.map((r) => r.at),
          windowMs,
        ),
      ).toBeLessThanOrEqual(limit);
      expect(sandbox.presenceWrites).toHaveLength(50);
      expect(sandbox.requests.every((r) => r.status === 200)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('waits out a 429 Retry-After, and pauses every other caller too', async () => {
    const local = createLocalBudget(6000);
    const holds: number[] = [];
    // The real budget, recording holds so the test knows when the client has taken in the 429.
    const budget: RequestBudget = {
      reserve: () => local.reserve(),
      holdUntil: async (epochMs) => {
        holds.push(epochMs);
        await local.holdUntil(epochMs);
      },
    };
    const { client } = clientFor(sandbox, { budget });
    try {
      await client.auth.getToken();
      sandbox.setFaults({ rateLimitRetryAfterSeconds: 1 });
      const first = client.presence.setSourcePresence(userIds[0]!, sourceId, busyId, 'Busy');
      await until(() => holds.length > 0);
      sandbox.setFaults({});
      // Started after the 429 and never refused itself: the shared budget holds it back anyway.
      const second = client.presence.setSourcePresence(userIds[1]!, sourceId, busyId, 'Busy');

      await Promise.all([first, second]);

      const limited = sandbox.requests.find((r) => r.status === 429)!;
      const successes = sandbox.requests.filter((r) => r.method === 'PATCH' && r.status === 200);
      expect(successes).toHaveLength(2);
      for (const success of successes) expect(success.at - limited.at).toBeGreaterThanOrEqual(990);
      expect(sandbox.requests.filter((r) => r.status === 429)).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('retries 5xx with backoff and succeeds', async () => {
    const { client } = clientFor(sandbox);
    try {
      await client.auth.getToken();
      sandbox.setFaults({ failNextRequests: 2, errorStatus: 503 });

      await client.presence.setSourcePresence(userIds[0]!, sourceId, busyId, 'Busy');

      const patches = sandbox.requests.filter((r) => r.method === 'PATCH').map((r) => r.status);
      expect(patches).toEqual([503, 503, 200]);
    } finally {
      await client.close();
    }
  });

  it('gives up after the allowed attempts with a retryable GenesysApiError', async () => {
    const { client } = clientFor(sandbox, { client: { retry: { maxAttempts: 3, backoff: { baseMs: 1, capMs: 5 } } } });
    try {
      await client.auth.getToken();
      sandbox.setFaults({ failNextRequests: 10, errorStatus: 500 });

      const error = await client.presence.setSourcePresence(userIds[0]!, sourceId, busyId, 'Busy').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GenesysApiError);
      expect(error).toMatchObject({ status: 500, retryable: true, method: 'PATCH' });
      expect((error as GenesysApiError).requestId).toMatch(/[0-9a-f-]{36}/);
      expect(sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(3);
    } finally {
      await client.close();
    }
  });

  it('parks (GenesysParkedError) instead of sleeping on a Retry-After of an hour', async () => {
    const { client } = clientFor(sandbox);
    try {
      await client.auth.getToken();
      sandbox.setFaults({ rateLimitRetryAfterSeconds: 3600 });
      const before = Date.now();

      const error = await client.presence.setSourcePresence(userIds[0]!, sourceId, busyId, 'Busy').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GenesysParkedError);
      const retryAt = (error as GenesysParkedError).retryAt.getTime();
      expect(retryAt).toBeGreaterThanOrEqual(before + 3_600_000);
      expect(retryAt).toBeLessThan(Date.now() + 3_601_000);
      expect(sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('says to check credentials and region when a token is refused even after a fresh login', async () => {
    let logins = 0;
    const bogus: TokenProvider = {
      async getToken() {
        logins += 1;
        return `not-a-token-${logins}`;
      },
      invalidate() {},
    };
    const transport = createTransport({ budget: createLocalBudget(6000) });
    const http = new GenesysHttp({ apiBaseUrl: sandbox.url, transport, auth: bogus });
    try {
      const error = await http.request({ method: 'GET', path: '/api/v2/presence/sources' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GenesysApiError);
      expect((error as GenesysApiError).status).toBe(401);
      expect((error as GenesysApiError).message).toMatch(/right after a fresh login.*GENESYS_CLIENT_ID.*GENESYS_REGION/);
      expect(logins).toBe(2);
      expect(sandbox.requests).toHaveLength(2);
    } finally {
      http.close();
    }
  });
});

describe('Genesys HTTP without a server', () => {
  it('retries network errors, then names the region and base URL settings', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const transport = createTransport({ budget: createLocalBudget(6000), retry: { maxAttempts: 3, backoff: { baseMs: 1, capMs: 2 } } });
    const auth: TokenProvider = { getToken: async () => 'token', invalidate() {} };
    const http = new GenesysHttp({ apiBaseUrl: `http://127.0.0.1:${port}`, transport, auth });
    try {
      const error = await http.request({ method: 'GET', path: '/api/v2/presence/sources' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GenesysApiError);
      expect(error).toMatchObject({ status: undefined, retryable: true });
      expect((error as GenesysApiError).message).toMatch(/GENESYS_REGION/);
    } finally {
      http.close();
    }
  });
});
