/**
 * The outbound loop with a table of vendor answers: what it sends, how long it waits, what it throws.
 * The vendor policies' own rules are tested in each vendor's *-rate-limit test; here a small policy in the
 * shape every vendor uses (429 → rate limit, 5xx/lost answer → backoff, 401 → re-login, else fail).
 */
import { backoffCeilingMs } from '../../src/http/backoff';
import { runRequestLoop, type LoopReply, type RequestPolicy, type Verdict } from '../../src/http/request-loop';
import { parseRetryAfter } from '../../src/http/retry-after';

const T0 = Date.parse('2026-03-01T12:00:00Z');

class ParkedError extends Error {
  constructor(readonly waitMs: number) {
    super(`parked for ${waitMs} ms`);
  }
}
class VendorError extends Error {
  constructor(
    readonly status: number,
    readonly attempts: number,
    readonly reloggedIn: boolean,
  ) {
    super(`HTTP ${status}`);
  }
}

type Scripted = Partial<LoopReply> & { readonly status: number };

function harness(script: Scripted[], options: { maxAttempts?: number; parkAfterMs?: number; deadline?: number } = {}) {
  let now = T0;
  const sleeps: number[] = [];
  const sent: { attempt: number; at: number; timeoutMs: number; authorization?: string }[] = [];
  const shared: number[] = [];
  const renewed: string[] = [];
  let token = 1;
  const policy: RequestPolicy = {
    maxAttempts: options.maxAttempts ?? 4,
    backoff: { baseMs: 1000, capMs: 8000 },
    parkAfterMs: options.parkAfterMs,
    classify(reply): Verdict {
      if (reply.status >= 200 && reply.status < 300) return { kind: 'done' };
      if (reply.status === 401) return { kind: 'unauthorized' };
      if (reply.status === 429) return { kind: 'rate-limited', waitMs: parseRetryAfter(reply.headers['retry-after'], now) ?? 3000 };
      if (reply.status === 0 || reply.status >= 500) return { kind: 'retry' };
      return { kind: 'fail' };
    },
    share: (epochMs) => {
      shared.push(epochMs - T0);
    },
    park: (_reply, waitMs) => new ParkedError(waitMs),
    fail: (reply, context) => new VendorError(reply.status, context.attempts, context.reloggedIn),
  };
  const run = () =>
    runRequestLoop(
      async ({ attempt, timeoutMs, authorization }) => {
        sent.push({ attempt, at: now - T0, timeoutMs, authorization });
        const next = script.shift() ?? { status: 200 };
        return { headers: {}, data: undefined, ...next };
      },
      policy,
      {
        now: () => now,
        sleep: async (ms) => {
          sleeps.push(ms);
          now += ms;
        },
        random: () => 0.999,
        timeoutMs: 10_000,
        deadline: options.deadline === undefined ? undefined : () => T0 + options.deadline!,
      },
      {
        authorize: async () => `Bearer t${token}`,
        renew: (rejected) => {
          renewed.push(rejected);
          token += 1;
        },
      },
    );
  return { run, sleeps, sent, shared, renewed };
}

describe('runRequestLoop', () => {
  it.each<[string, Scripted[], number[], number]>([
    ['429 with Retry-After in seconds waits that long', [{ status: 429, headers: { 'retry-after': '7' } }], [7000], 2],
    ['429 with Retry-After as an HTTP date waits until then', [{ status: 429, headers: { 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' } }], [30_000], 2],
    ['429 without Retry-After waits the policy default', [{ status: 429 }], [3000], 2],
    ['503 backs off with jitter under the ceiling, doubling', [{ status: 503 }, { status: 503 }], [999, 1998], 3],
    ['a lost answer (timeout, reset) is retried with backoff', [{ status: 0, error: new Error('timeout of 10000ms exceeded') }], [999], 2],
  ])('%s', async (_name, script, expectedSleeps, expectedSends) => {
    const h = harness(script);
    await expect(h.run()).resolves.toMatchObject({ status: 200 });
    expect(h.sleeps).toEqual(expectedSleeps);
    expect(h.sent).toHaveLength(expectedSends);
  });

  it('caps the backoff: never more than the cap, however many attempts', async () => {
    const h = harness(
      Array.from({ length: 9 }, () => ({ status: 503 })),
      { maxAttempts: 10 },
    );
    await h.run();
    expect(Math.max(...h.sleeps)).toBe(7992); // 0.999 of the 8 s cap
    expect(h.sleeps.every((ms, i) => ms <= backoffCeilingMs(i + 1, { baseMs: 1000, capMs: 8000 }))).toBe(true);
  });

  it('shares a rate-limit wait with everyone behind the same limit, and sends after it', async () => {
    const h = harness([{ status: 429, headers: { 'retry-after': '5' } }]);
    await h.run();
    expect(h.shared).toEqual([5000]);
    expect(h.sent[1]!.at).toBe(5000);
  });

  it('401 → exactly one re-login with a fresh token, not counted as an attempt', async () => {
    const h = harness([{ status: 401 }], { maxAttempts: 1 });
    await expect(h.run()).resolves.toMatchObject({ status: 200 });
    expect(h.renewed).toEqual(['Bearer t1']);
    expect(h.sent.map((s) => s.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('a second 401 after the re-login is the typed error, marked as such', async () => {
    const h = harness([{ status: 401 }, { status: 401 }]);
    const error = await h.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VendorError);
    expect(error).toMatchObject({ status: 401, reloggedIn: true });
    expect(h.renewed).toHaveLength(1);
  });

  it('parks a Retry-After over the threshold instead of sleeping on it', async () => {
    const h = harness([{ status: 429, headers: { 'retry-after': '3600' } }], { parkAfterMs: 180_000 });
    const error = await h.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParkedError);
    expect((error as ParkedError).waitMs).toBe(3_600_000);
    expect(h.sleeps).toEqual([]);
    expect(h.sent).toHaveLength(1);
  });

  it('waits a Retry-After at the threshold', async () => {
    const h = harness([{ status: 429, headers: { 'retry-after': '180' } }], { parkAfterMs: 180_000 });
    await expect(h.run()).resolves.toMatchObject({ status: 200 });
  });

  it.each([400, 403, 404, 409])('non-retryable %d → the typed error at once', async (status) => {
    const h = harness([{ status }]);
    const error = await h.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VendorError);
    expect(error).toMatchObject({ status, attempts: 1 });
    expect(h.sent).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });

  it('gives up after maxAttempts with the typed error', async () => {
    const h = harness([{ status: 503 }, { status: 503 }, { status: 503 }], { maxAttempts: 3 });
    await expect(h.run()).rejects.toMatchObject({ status: 503, attempts: 3 });
    expect(h.sent).toHaveLength(3);
  });

  it('the last 429 is still shared (the limit holds for the others), then fails', async () => {
    const h = harness([{ status: 429, headers: { 'retry-after': '2' } }], { maxAttempts: 1 });
    await expect(h.run()).rejects.toMatchObject({ status: 429, attempts: 1 });
    expect(h.shared).toEqual([2000]);
  });

  it('with a deadline: cuts the attempt timeout to the time left, and does not back off past it', async () => {
    const h = harness([{ status: 503 }], { deadline: 900 });
    await expect(h.run()).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(h.sent[0]!.timeoutMs).toBe(1000);
    expect(h.sleeps).toEqual([]);
  });
});
