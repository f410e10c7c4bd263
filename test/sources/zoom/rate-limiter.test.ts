import { createRateLimiter } from '../../../src/sources/zoom/rate-limiter';
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
