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
