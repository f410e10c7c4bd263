import { backoffCeilingMs, backoffMs } from '../../src/http/backoff';

describe('backoffCeilingMs', () => {
  it.each([
    [1, 500],
    [2, 1000],
    [7, 30_000],
    [1000, 30_000],
    [0, 500],
  ])('attempt %d → %d ms (base 500, cap 30 s)', (attempt, expected) => {
    expect(backoffCeilingMs(attempt)).toBe(expected);
  });

  it('honours custom base and cap', () => {
    expect(backoffCeilingMs(3, { baseMs: 1000, capMs: 30_000 })).toBe(4000);
    expect(backoffCeilingMs(10, { baseMs: 1000, capMs: 30_000 })).toBe(30_000);
  });
});

describe('backoffMs', () => {
  it('draws uniformly below the ceiling (full jitter)', () => {
    expect(backoffMs(3, () => 0)).toBe(0);
    expect(backoffMs(3, () => 0.5)).toBe(1000);
    expect(backoffMs(3, () => 0.999999)).toBe(1999);
  });
});

// Moved from test/genesys/retry-policy.test.ts: the Genesys defaults (base 500 ms, cap 30 s) are the shared ones.
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
