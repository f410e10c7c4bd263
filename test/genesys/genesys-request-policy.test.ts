import type { LoopReply } from '../../src/http/request-loop';
import { GenesysApiError, GenesysParkedError } from '../../src/genesys/genesys-errors';
import { createGenesysRequestPolicy, DEFAULT_RETRY_AFTER_MS, PARK_THRESHOLD_MS } from '../../src/genesys/genesys-rate-limit';
import { silentLogger } from '../../src/logger';
import { noopMetrics } from '../../src/metrics/metrics';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function policy(method: 'GET' | 'POST' | 'PATCH' = 'PATCH', holds: number[] = []) {
  return createGenesysRequestPolicy({
    request: { method, path: '/api/v2/users/u1/presences/s1' },
    budget: { reserve: async () => NOW, holdUntil: async (epochMs) => void holds.push(epochMs - NOW) },
    maxAttempts: 5,
    parkAfterMs: PARK_THRESHOLD_MS,
    now: () => NOW,
    sleep: async () => undefined,
    deadline: () => undefined,
    logger: silentLogger,
    metrics: noopMetrics,
  });
}

const reply = (status: number, headers: Record<string, string> = {}): LoopReply => ({ status, headers, data: undefined });

describe('Genesys policy', () => {
  it.each<[string, 'GET' | 'POST' | 'PATCH', LoopReply, unknown]>([
    ['200 is done', 'PATCH', reply(200), { kind: 'done' }],
    ['401 logs in again', 'PATCH', reply(401), { kind: 'unauthorized' }],
    ['429 with Retry-After waits it', 'PATCH', reply(429, { 'retry-after': '7' }), { kind: 'rate-limited', waitMs: 7000 }],
    ['429 without Retry-After waits the Java SDK default', 'POST', reply(429), { kind: 'rate-limited', waitMs: DEFAULT_RETRY_AFTER_MS }],
    ['503 with Retry-After is a rate limit', 'GET', reply(503, { 'retry-after': '2' }), { kind: 'rate-limited', waitMs: 2000 }],
    ['503 without Retry-After backs off', 'POST', reply(503), { kind: 'retry', minWaitMs: undefined }],
    ['500 on a PATCH backs off, at least Retry-After', 'PATCH', reply(500, { 'retry-after': '4' }), { kind: 'retry', minWaitMs: 4000 }],
    ['500 on a POST is not repeated', 'POST', reply(500), { kind: 'fail' }],
    ['no answer on a GET backs off', 'GET', reply(0), { kind: 'retry', minWaitMs: undefined }],
    ['403 fails at once', 'PATCH', reply(403), { kind: 'fail' }],
  ])('%s', (_name, method, answer, expected) => {
    expect(policy(method).classify(answer, 1)).toEqual(expected);
  });

  it('parks with GenesysParkedError and shares a wait through the budget only while retrying', async () => {
    const holds: number[] = [];
    const p = policy('PATCH', holds);
    expect(p.park(reply(429), 3_600_000)).toBeInstanceOf(GenesysParkedError);
    await p.share!(NOW + 5000, true);
    await p.share!(NOW + 9000, false);
    expect(holds).toEqual([5000]);
  });

  it('marks a 401 after the re-login, so the message says to check credentials and region', () => {
    const error = policy().fail(reply(401), { attempts: 1, reloggedIn: true });
    expect(error).toBeInstanceOf(GenesysApiError);
    expect(error).toMatchObject({ status: 401 });
    expect(error.message).toMatch(/even right after a fresh login/);
  });
});
