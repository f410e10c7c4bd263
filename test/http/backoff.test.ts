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
