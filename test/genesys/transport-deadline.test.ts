/**
 * With a deadline (a Lambda invocation's end), no Genesys wait outlasts it: a Retry-After or a budget
 * slot beyond it parks the work, a backoff beyond it gives up with the retryable error.
 */
import { GenesysApiError, GenesysParkedError } from '../../src/genesys/genesys-errors';
import type { RequestBudget } from '../../src/genesys/request-budget';
import { classifyGenesysFailure } from '../../src/genesys/genesys-errors';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { clientFor, DEFAULT_SOURCE_NAMES } from './helpers/sandbox-client';

describe('Genesys transport with a deadline', () => {
  let sandbox: GenesysSandbox;
  let sourceId: string;
  let busyId: string;
  let userId: string;

  beforeEach(async () => {
    sandbox = await startGenesysSandbox();
    userId = sandbox.addUser({ email: 'agent@example.com' }).id;
    const { client } = clientFor(sandbox);
    sourceId = (await client.sources.ensureSources(DEFAULT_SOURCE_NAMES)).zoom.id;
    busyId = (await client.definitions.resolve('Busy'))!.id;
    await client.close();
    sandbox.reset();
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('parks a Retry-After that would outlast the deadline instead of sleeping on it', async () => {
    const { client } = clientFor(sandbox, { client: { deadline: () => Date.now() + 2000 } });
    try {
      await client.auth.getToken();
      sandbox.setFaults({ rateLimitRetryAfterSeconds: 30 });
      const started = Date.now();

      const error = await client.presence.setSourcePresence(userId, sourceId, busyId, 'Busy').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GenesysParkedError);
      const parked = error as GenesysParkedError;
      expect(parked.status).toBe(429);
      expect(parked.retryAt.getTime()).toBeGreaterThanOrEqual(started + 29_000);
      expect(parked.message).toMatch(/longer than this worker invocation has left/);
      expect(classifyGenesysFailure(parked).kind).toBe('parked');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('parks before sending when the budget has no slot before the deadline', async () => {
    const later = Date.now() + 60_000;
    const budget: RequestBudget = { reserve: async () => later, holdUntil: async () => undefined };
    const { client } = clientFor(sandbox, { budget, client: { deadline: () => Date.now() + 2000 } });
    try {
      const error = await client.presence.setSourcePresence(userId, sourceId, busyId, 'Busy').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GenesysParkedError);
      expect((error as GenesysParkedError).retryAt.getTime()).toBe(later);
      expect((error as GenesysParkedError).message).toMatch(/GENESYS_REQUESTS_PER_MINUTE/);
      expect(sandbox.requests).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('gives up with the retryable error when a backoff would outlast the deadline', async () => {
    const { client } = clientFor(sandbox, {
      client: { deadline: () => Date.now() + 2000, random: () => 0.99, retry: { backoff: { baseMs: 60_000, capMs: 60_000 } } },
    });
    try {
      await client.auth.getToken();
      sandbox.setFaults({ failNextRequests: 1, errorStatus: 500 });
      const started = Date.now();

      const error = await client.presence.setSourcePresence(userId, sourceId, busyId, 'Busy').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(GenesysApiError);
      expect(error).toMatchObject({ status: 500, retryable: true });
      expect(sandbox.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await client.close();
    }
  });

  it('still waits out a short Retry-After that ends before the deadline', async () => {
    const { client } = clientFor(sandbox, { client: { deadline: () => Date.now() + 10_000 } });
    try {
      await client.auth.getToken();
      sandbox.setFaults({ failNextRequests: 1, errorStatus: 429 });

      await client.presence.setSourcePresence(userId, sourceId, busyId, 'Busy');

      expect(sandbox.presenceWrites).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
