import {
  isZoomDailyLimit,
  parseRetryAfterMs,
  shouldRetryZoomRequest,
  ZOOM_MAX_BACKOFF_MS,
  zoomBackoffMs,
} from '../../../src/sources/zoom/retry-policy';

const NOW = Date.parse('2024-03-27T04:00:00Z');

describe('parseRetryAfterMs', () => {
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
    expect(parseRetryAfterMs(header, NOW)).toBe(expected);
  });
});

describe('shouldRetryZoomRequest', () => {
  it.each<[number, number, number, boolean]>([
    [429, 1, 4, true],
    [500, 1, 4, true],
    [503, 3, 4, true],
    [0, 2, 4, true],
    [429, 4, 4, false],
    [400, 1, 4, false],
    [401, 1, 4, false],
    [404, 1, 4, false],
    [200, 1, 4, false],
  ])('status %p after attempt %p of %p → %p', (status, attempt, max, expected) => {
    expect(shouldRetryZoomRequest(status, attempt, max)).toBe(expected);
  });
});

describe('zoomBackoffMs', () => {
  it.each<[number, number | undefined, number]>([
    [1, undefined, 1000],
    [2, undefined, 2000],
    [3, undefined, 4000],
    [10, undefined, ZOOM_MAX_BACKOFF_MS],
    [1, 7000, 7000],
    [3, 0, 0],
  ])('attempt %p with Retry-After %p ms → %p ms', (attempt, retryAfter, expected) => {
    expect(zoomBackoffMs(attempt, retryAfter)).toBe(expected);
  });
});

describe('isZoomDailyLimit', () => {
  it.each<[string | undefined, boolean]>([
    ['You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.', true],
    ["You have reached the maximum per-second rate limit for this API. Try again later.", false],
    [undefined, false],
  ])('%p → %p', (message, expected) => {
    expect(isZoomDailyLimit(message)).toBe(expected);
  });
});
