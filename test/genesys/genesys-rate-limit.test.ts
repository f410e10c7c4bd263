import {
  backoffMs,
  classifyRetryAfter,
  DEFAULT_MAX_ATTEMPTS,
  parseRetryAfter,
  shouldRetry,
} from '../../src/genesys/genesys-rate-limit';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['delta seconds', '1', 1000],
    ['zero', '0', 0],
    ['large delta', '3600', 3_600_000],
    ['fractional seconds are rounded up', '1.5', 1500],
    ['surrounding spaces', ' 7 ', 7000],
    ['HTTP date 30 s ahead', 'Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
    ['HTTP date in the past is 0', 'Sun, 01 Mar 2026 11:59:00 GMT', 0],
    ['first of repeated headers', ['2', '9'], 2000],
  ] as const)('%s: %j → %d ms', (_name, header, expected) => {
    expect(parseRetryAfter(header as string | readonly string[], NOW)).toBe(expected);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['negative', '-5'],
    ['exponent', '1e3'],
    ['garbage', 'soon'],
  ] as const)('%s → undefined', (_name, header) => {
    expect(parseRetryAfter(header, NOW)).toBeUndefined();
  });
});

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

describe('backoffMs (full jitter)', () => {
  it.each([
    // attempt, random, expected with base 500 and cap 30 000
    [1, 0.999999, 499],
    [1, 0.5, 250],
    [2, 0.5, 500],
    [3, 0.5, 1000],
    [6, 0.5, 8000],
    [7, 0.999999, 29_999],
    [20, 0.5, 15_000],
    [1000, 0.5, 15_000],
    [3, 0, 0],
  ] as const)('attempt %d, random %d → %d ms', (attempt, random, expected) => {
    expect(backoffMs(attempt, () => random)).toBe(expected);
  });

  it('honours custom base and cap', () => {
    expect(backoffMs(3, () => 0.5, { baseMs: 10, capMs: 30 })).toBe(15);
    expect(backoffMs(1, () => 0.5, { baseMs: 10, capMs: 30 })).toBe(5);
  });

  it('clamps a misbehaving random source', () => {
    expect(backoffMs(1, () => 7)).toBe(500);
    expect(backoffMs(1, () => -1)).toBe(0);
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
