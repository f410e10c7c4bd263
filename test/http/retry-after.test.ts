import { parseRetryAfter } from '../../src/http/retry-after';

// Moved from test/sources/zoom/retry-policy.test.ts (Zoom's wrapper `parseRetryAfterMs` is gone; this is the one parser).
const NOW = Date.parse('2024-03-27T04:00:00Z');

describe('parseRetryAfter', () => {
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['0', 0],
    ['3', 3000],
    [' 12 ', 12000],
    ['Wed, 27 Mar 2024 04:00:05 GMT', 5000],
    ['Wed, 27 Mar 2024 03:59:00 GMT', 0],
    ['-1', undefined],
    ['1.5', 1500],
    ['soon', undefined],
    ['', undefined],
  ])('%p → %p ms', (header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });
});

// Moved from test/genesys/retry-policy.test.ts (Genesys re-exported this parser; the re-export is gone).
const GENESYS_NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseRetryAfter (Genesys table)', () => {
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
    expect(parseRetryAfter(header as string | readonly string[], GENESYS_NOW)).toBe(expected);
  });

  it.each([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['negative', '-5'],
    ['exponent', '1e3'],
    ['garbage', 'soon'],
  ] as const)('%s → undefined', (_name, header) => {
    expect(parseRetryAfter(header, GENESYS_NOW)).toBeUndefined();
  });
});
