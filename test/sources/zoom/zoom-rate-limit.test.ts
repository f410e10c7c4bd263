import {
  createZoomRateLimiter as createRateLimiter,
  createZoomRequestPolicy,
  isZoomDailyLimit,
  ZOOM_RATE_LIMIT_WAIT,
  zoomRateLimitWaitMs,
} from '../../../src/sources/zoom/zoom-rate-limit';
import { fakeClock } from './zoom-rest-stand-in';

describe('createRateLimiter', () => {
  it('spaces requests evenly at the configured rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ requestsPerSecond: 4, now: clock.now, sleep: clock.sleep });
    const sentAt: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      sentAt.push(clock.now());
    }
    expect(sentAt.map((t) => t - sentAt[0])).toEqual([0, 250, 500, 750, 1000]);
  });

  it('queues concurrent callers in call order', async () => {
    // A clock that stands still while callers wait, as when they all arrive in the same instant.
    const waits: number[] = [];
    const limiter = createRateLimiter({
      requestsPerSecond: 10,
      now: () => 1_000_000,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    expect(waits).toEqual([100, 200]);
  });

  it('holds every caller until a pause ends', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ requestsPerSecond: 10, now: clock.now, sleep: clock.sleep });
    await limiter.acquire();
    const start = clock.now();
    limiter.pauseUntil(start + 2000);
    await limiter.acquire();
    expect(clock.now() - start).toBeGreaterThanOrEqual(2000);
  });

  it('refuses a non-positive rate', () => {
    expect(() => createRateLimiter({ requestsPerSecond: 0 })).toThrow(RangeError);
  });
});

// Moved from retry-policy.test.ts: the same tables, against the Zoom policy of the outbound loop.
const NOW = Date.parse('2024-03-27T04:00:00Z');

function zoomPolicy(maxAttempts: number) {
  return createZoomRequestPolicy({
    maxAttempts,
    maxRetryAfterMs: 60_000,
    now: () => NOW,
    authenticated: false,
    messageOf: () => undefined,
    error: (reply) => new Error(`HTTP ${reply.status}`),
  });
}

describe('Zoom policy: which answers are retried', () => {
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
    const policy = zoomPolicy(max);
    const verdict = policy.classify({ status, headers: {}, data: '' }, attempt);
    const retried = (verdict.kind === 'rate-limited' || verdict.kind === 'retry') && attempt < policy.maxAttempts;
    expect(retried).toBe(expected);
  });
});

describe('zoomRateLimitWaitMs', () => {
  it.each<[number, number | undefined, number]>([
    [1, undefined, 1000],
    [2, undefined, 2000],
    [3, undefined, 4000],
    [10, undefined, ZOOM_RATE_LIMIT_WAIT.capMs],
    [1, 7000, 7000],
    [3, 0, 0],
  ])('attempt %p with Retry-After %p ms → %p ms', (attempt, retryAfter, expected) => {
    expect(zoomRateLimitWaitMs(attempt, retryAfter)).toBe(expected);
  });

  it('reads Retry-After (seconds or HTTP date) from a 429', () => {
    const verdict = zoomPolicy(4).classify({ status: 429, headers: { 'retry-after': 'Wed, 27 Mar 2024 04:00:05 GMT' }, data: '' }, 1);
    expect(verdict).toEqual({ kind: 'rate-limited', waitMs: 5000 });
  });

  it('fails a daily-limit 429 at once instead of waiting', () => {
    const policy = createZoomRequestPolicy({
      maxAttempts: 4,
      maxRetryAfterMs: 60_000,
      now: () => NOW,
      authenticated: true,
      messageOf: () => 'You have reached the maximum daily rate limit for this API.',
      error: () => new Error('daily'),
    });
    expect(policy.classify({ status: 429, headers: {}, data: '' }, 1)).toEqual({ kind: 'fail' });
  });
});

describe('isZoomDailyLimit', () => {
  it.each<[string | undefined, boolean]>([
    ['You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request.', true],
    ['You have reached the maximum per-second rate limit for this API. Try again later.', false],
    [undefined, false],
  ])('%p → %p', (message, expected) => {
    expect(isZoomDailyLimit(message)).toBe(expected);
  });
});
