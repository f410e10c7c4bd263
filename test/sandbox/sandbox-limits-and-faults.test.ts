import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { apiWith, loginTo, manualClock, tokenFor } from './sandbox-test-helpers';

const SOURCES = '/api/v2/presence/sources';

describe('sandbox per-token rate limit', () => {
  let sandbox: GenesysSandbox;
  const clock = manualClock();

  beforeAll(async () => {
    sandbox = await startGenesysSandbox({ requestsPerMinutePerToken: 3, now: clock.now });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('answers 429 too.many.requests with Retry-After once a token used its budget', async () => {
    const api = await loginTo(sandbox);
    for (let i = 0; i < 3; i += 1) {
      expect((await api('GET', SOURCES)).status).toBe(200);
      clock.advance(10_000);
    }

    const answer = await api('GET', SOURCES);

    expect(answer.status).toBe(429);
    expect(answer.body.code).toBe('too.many.requests');
    // The first request left the window 60 s after it was made: 30 s from now.
    expect(answer.headers.get('retry-after')).toBe('30');
  });

  it('counts each token on its own', async () => {
    const first = await loginTo(sandbox);
    for (let i = 0; i < 3; i += 1) await first('GET', SOURCES);
    const second = await loginTo(sandbox);

    expect((await first('GET', SOURCES)).status).toBe(429);
    expect((await second('GET', SOURCES)).status).toBe(200);
  });

  it('admits requests again once the sliding window has moved on', async () => {
    const api = await loginTo(sandbox);
    for (let i = 0; i < 3; i += 1) await api('GET', SOURCES);
    expect((await api('GET', SOURCES)).status).toBe(429);

    clock.advance(60_001);

    expect((await api('GET', SOURCES)).status).toBe(200);
  });
});

describe('sandbox faults', () => {
  let sandbox: GenesysSandbox;
  let token: string;

  beforeAll(async () => {
    sandbox = await startGenesysSandbox();
    token = await tokenFor(sandbox);
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('answers 503 with a Genesys error body when errorRate is 1', async () => {
    sandbox.setFaults({ errorRate: 1 });

    const answer = await apiWith(sandbox, token)('GET', SOURCES);

    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 503, code: expect.any(String), message: expect.any(String), contextId: expect.any(String) });
  });

  it('answers errorStatus for exactly the next failNextRequests requests', async () => {
    sandbox.setFaults({ failNextRequests: 2, errorStatus: 502 });
    const api = apiWith(sandbox, token);

    const statuses = [(await api('GET', SOURCES)).status, (await api('GET', SOURCES)).status, (await api('GET', SOURCES)).status];

    expect(statuses).toEqual([502, 502, 200]);
  });

  it('answers 429 with the given Retry-After during a 429 storm', async () => {
    sandbox.setFaults({ rateLimitRetryAfterSeconds: 7 });

    const answer = await apiWith(sandbox, token)('GET', SOURCES);

    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
  });

  it('adds latencyMs before answering', async () => {
    sandbox.setFaults({ latencyMs: 150 });
    const started = Date.now();

    const answer = await apiWith(sandbox, token)('GET', SOURCES);

    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('never faults /oauth/token', async () => {
    sandbox.setFaults({ errorRate: 1 });

    await expect(tokenFor(sandbox)).resolves.toEqual(expect.any(String));
  });

  it('clears faults with setFaults({})', async () => {
    sandbox.setFaults({ errorRate: 1 });
    sandbox.setFaults({});

    expect((await apiWith(sandbox, token)('GET', SOURCES)).status).toBe(200);
  });

  it('clears faults, requests, violations and writes on reset', async () => {
    sandbox.setFaults({ errorRate: 1 });
    const requests = sandbox.requests;
    await apiWith(sandbox, token)('GET', SOURCES);

    sandbox.reset();

    expect(requests).toHaveLength(0);
    expect((await apiWith(sandbox, token)('GET', SOURCES)).status).toBe(200);
  });
});
