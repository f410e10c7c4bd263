import { classifyRetryAfter, DEFAULT_MAX_ATTEMPTS, shouldRetry } from '../../src/genesys/genesys-rate-limit';

describe('shouldRetry', () => {
  it.each([
    // status, method, attempt, idempotent, expected
    [429, 'POST', 1, undefined, true],
    [429, 'PATCH', 4, undefined, true],
    [429, 'PATCH', 5, undefined, false],
    [503, 'POST', 1, undefined, true],
    [502, 'GET', 1, undefined, true],
    [504, 'PUT', 2, undefined, true],
    [408, 'POST', 1, undefined, true],
    [500, 'GET', 1, undefined, true],
    [500, 'PATCH', 1, undefined, true],
    [500, 'POST', 1, undefined, false],
    [500, 'POST', 1, true, true],
    [400, 'GET', 1, undefined, false],
    [401, 'GET', 1, undefined, false],
    [403, 'PATCH', 1, undefined, false],
    [404, 'GET', 1, undefined, false],
    [409, 'POST', 1, true, false],
  ] as const)('%d %s attempt %d (idempotent %s) → %s', (status, method, attempt, idempotent, expected) => {
    expect(shouldRetry({ status, method, attempt, idempotent })).toBe(expected);
  });

  it.each([
    ['GET', undefined, true],
    ['PATCH', undefined, true],
    ['POST', undefined, false],
    ['POST', true, true],
    ['get', undefined, true],
  ] as const)('network error on %s (idempotent %s) → %s', (method, idempotent, expected) => {
    expect(shouldRetry({ networkError: true, method, attempt: 1, idempotent })).toBe(expected);
  });

  it('stops at maxAttempts (default and custom)', () => {
    expect(shouldRetry({ status: 503, method: 'GET', attempt: DEFAULT_MAX_ATTEMPTS - 1 })).toBe(true);
    expect(shouldRetry({ status: 503, method: 'GET', attempt: DEFAULT_MAX_ATTEMPTS })).toBe(false);
    expect(shouldRetry({ status: 503, method: 'GET', attempt: 2, maxAttempts: 2 })).toBe(false);
  });

  it('does not retry a missing status without a network error', () => {
    expect(shouldRetry({ method: 'GET', attempt: 1 })).toBe(false);
  });
});

describe('classifyRetryAfter', () => {
  it.each([
    [0, 'wait'],
    [1000, 'wait'],
    [180_000, 'wait'],
    [180_001, 'park'],
    [3_600_000, 'park'],
  ] as const)('%d ms → %s', (ms, expected) => {
    expect(classifyRetryAfter(ms)).toBe(expected);
  });

  it('accepts a custom threshold', () => {
    expect(classifyRetryAfter(5000, 1000)).toBe('park');
  });
});
