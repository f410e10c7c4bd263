/**
 * Fault injection during a burst (docs/architecture.md: primary never written, latest state wins, nothing
 * lost, the budget holds), end to end through the real HTTP route, store, queue, worker and Genesys client
 * against the sandbox:
 *
 *   50 users × 4 rounds of Zoom events (plus replays of older events) are posted while a fault script
 *   runs twice: 5xx spell → 429 storm with Retry-After → every token expires → latency spike → clear.
 *
 * Afterwards: every user's final state is the one of its latest event; no state is written twice in a
 * row (duplicates come only from retried, failed requests); every request — the token endpoint
 * included — kept to the local budget's pacing, so no window exceeds GENESYS_REQUESTS_PER_MINUTE;
 * nothing touched a primary source.
 */
import { mapPresence } from '../../src/presence';
import { createLocalBudget } from '../../src/genesys/local-budget';
import type { SandboxFaults } from '../../src/sandbox';
import type { LocalBridge } from '../../src/server';
import { ZOOM_PRESENCE_STATUSES } from '../../src/sources/zoom/schema';
import { postZoom, startTestBridge, waitFor, zoomPresenceBody } from '../helpers/local-bridge';
import {
  checkPacing,
  customSourceId,
  forEachLimit,
  heldPresence,
  maxInWindow,
  presencePatchOf,
  primarySourceOffences,
  seededRandom,
  shuffle,
  sleep,
} from './support';

const BUDGET_PER_MINUTE = 1200;
const USERS = 50;
const ROUNDS = 4;
const ROUND_INTERVAL_MS = 1500;
/**
 * Stalls of the shared event loop on a loaded 2-core machine bunch a few paced requests together
 * (the sandbox stamps arrivals, not slots): up to ~8 requests' worth of spacing is forgiven per span.
 */
const PACING_TOLERANCE_MS = 400;
/** What the contract allows on average: N requests per 60 s, i.e. one per 60 000/N ms. */
const CONTRACT_SPACING_MS = 60_000 / BUDGET_PER_MINUTE;

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 100_000);

interface SentEvent {
  email: string;
  status: string;
  at: number;
  round: number;
}

describe('fault injection during a burst', () => {
  let bridge: LocalBridge;
  const emails = Array.from({ length: USERS }, (_, i) => `fault-${String(i).padStart(2, '0')}@reliability.example`);

  beforeAll(async () => {
    bridge = await startTestBridge(
      { GENESYS_REQUESTS_PER_MINUTE: String(BUDGET_PER_MINUTE) },
      {
        // The sandbox's own per-token limit must not be what slows the bridge down here: the budget is.
        sandboxOptions: { users: emails.map((email) => ({ email })), requestsPerMinutePerToken: BUDGET_PER_MINUTE },
        genesysRetry: { maxAttempts: 2, backoff: { baseMs: 10, capMs: 50 } },
        workerRetryMs: 100,
        settleMs: 50,
      },
    );
  });

  afterAll(async () => {
    await bridge?.stop();
  });

  it('applies every final state, writes nothing twice, keeps the budget and never touches a primary source', async () => {
    const random = seededRandom(SEED);
    const sandbox = bridge.sandbox!;
    const base = Math.floor(Date.now() / 1000);

    // Round r gives every user an event dated base + r seconds (+ a per-user offset so events differ).
    const sent: SentEvent[] = [];
    const rounds: SentEvent[][] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const events = emails.map((email, u) => ({
        email,
        status: ZOOM_PRESENCE_STATUSES[Math.floor(random() * ZOOM_PRESENCE_STATUSES.length)],
        at: base + round * 10 + (u % 7),
        round,
      }));
      sent.push(...events);
      // Replays of the previous round (older, already acknowledged) interleaved with the new events.
      const replays = round === 0 ? [] : rounds[round - 1].filter(() => random() < 0.25);
      rounds.push(shuffle([...events, ...replays], random));
    }

    const phases: Array<{ name: string; at: number }> = [];
    const setFaults = (name: string, faults: SandboxFaults) => {
      phases.push({ name, at: Date.now() });
      sandbox.setFaults(faults);
    };
    const faultScript = async () => {
      for (const [cycle, spellMs, storyMs] of [
        [0, 1000, 1200],
        [1, 600, 600],
      ] as const) {
        setFaults(`5xx spell ${cycle}`, cycle === 0 ? { errorRate: 1, errorStatus: 503 } : { errorRate: 0.6, errorStatus: 500 });
        await sleep(spellMs);
        setFaults(`429 storm ${cycle}`, { rateLimitRetryAfterSeconds: 1 });
        await sleep(storyMs);
        setFaults(`tokens expired ${cycle}`, {});
        sandbox.expireAllTokens();
        await sleep(300);
        setFaults(`latency spike ${cycle}`, { latencyMs: 300 });
        await sleep(storyMs);
        setFaults(`clear ${cycle}`, {});
        await sleep(300);
      }
    };

    const answers: number[] = [];
    const burst = async () => {
      for (const [index, round] of rounds.entries()) {
        const startedAt = Date.now();
        await forEachLimit(round, 10, async (event) => {
          const answer = await postZoom(bridge, zoomPresenceBody({ email: event.email, status: event.status, at: event.at }));
          answers.push(answer.status);
        });
        if (index < rounds.length - 1) await sleep(Math.max(0, ROUND_INTERVAL_MS - (Date.now() - startedAt)));
      }
    };

    const startedAt = Date.now();
    await Promise.all([faultScript(), burst()]);
    sandbox.setFaults({});

    // Every delivery is acknowledged: the webhook path never waits for Genesys.
    expect(answers.filter((status) => status !== 200)).toEqual([]);

    // The latest event of each user, by its own time: what Genesys must end up showing.
    const latest = new Map<string, SentEvent>();
    for (const event of sent) if ((latest.get(event.email)?.at ?? -1) < event.at) latest.set(event.email, event);
    const users = new Map(sandbox.listUsers().map((u) => [u.email, u.id]));
    const expected = emails.map((email) => {
      const event = latest.get(email)!;
      const state = mapPresence({ system: 'zoom', externalUserId: email, values: { presence_status: event.status }, order: 0 });
      return { email, userId: users.get(email)!, target: state.target, message: state.message, order: event.at * 1000 };
    });

    let sourceId: string | undefined;
    const converged = () => {
      sourceId ??= customSourceId(sandbox, bridge.parts.config.genesys.sourceNames.zoom);
      if (!sourceId) return false;
      return expected.every((e) => {
        const held = heldPresence(sandbox, e.userId, sourceId!);
        return held?.systemPresence === e.target && held.message === e.message;
      });
    };
    await waitFor(converged, 40_000, 'every user to show its latest state');
    const convergedAfterMs = Date.now() - startedAt;
    await bridge.queue.whenIdle();

    // The store agrees: applied is the latest desired state, nothing is left pending.
    for (const e of expected) {
      const record = await bridge.parts.store.get({ system: 'zoom', externalUserId: `zoom-${e.email}` });
      expect({ email: e.email, status: record?.status, desired: record?.desired.order, applied: record?.applied?.order }).toEqual({
        email: e.email,
        status: 'applied',
        desired: e.order,
        applied: e.order,
      });
    }

    const requests = sandbox.requests.filter((r) => r.at >= startedAt - 60_000);
    const statuses = (filter: (s: number) => boolean) => requests.filter((r) => filter(r.status)).length;

    // The faults really happened to the bridge's traffic.
    const tokenRequests = requests.filter((r) => r.path === '/oauth/token').length;
    expect(statuses((s) => s >= 500)).toBeGreaterThan(0);
    expect(statuses((s) => s === 429)).toBeGreaterThan(0);
    expect(statuses((s) => s === 401)).toBeGreaterThan(0);
    expect(tokenRequests).toBeGreaterThanOrEqual(2);

    // No write lost or duplicated: per user, successful PATCHes never repeat the state just written
    // (a repeat would be a duplicate beyond retries), there are at most as many as distinct events, and
    // the last one is the final state.
    const writesByUser = new Map<string, Array<{ definitionId: string; message: string }>>();
    for (const r of sandbox.requests) {
      const patch = presencePatchOf(r);
      if (!patch || r.status !== 200) continue;
      const body = r.body as { presenceDefinition: { id: string }; message: string };
      const list = writesByUser.get(patch.userId) ?? [];
      list.push({ definitionId: body.presenceDefinition.id, message: body.message });
      writesByUser.set(patch.userId, list);
    }
    const histogram: Record<number, number> = {};
    for (const e of expected) {
      const writes = writesByUser.get(e.userId) ?? [];
      histogram[writes.length] = (histogram[writes.length] ?? 0) + 1;
      expect(writes.length).toBeGreaterThanOrEqual(1);
      expect(writes.length).toBeLessThanOrEqual(ROUNDS);
      const repeats = writes.filter((w, i) => i > 0 && w.definitionId === writes[i - 1].definitionId && w.message === writes[i - 1].message);
      expect({ email: e.email, repeats }).toEqual({ email: e.email, repeats: [] });
      expect(writes[writes.length - 1].message).toBe(e.message);
    }
    expect([...writesByUser.values()].reduce((n, w) => n + w.length, 0)).toBe(sandbox.presenceWrites.length);

    // The budget: every request (logins included) is paced at least 60 000/N ms apart, so no
    // 60-second window can hold more than N; the run is shorter than a minute, so its whole log is
    // one window too. (src/genesys/local-budget.ts spaces slots slightly wider, by its margin.)
    const budget = createLocalBudget(BUDGET_PER_MINUTE);
    expect(budget.spacingMs).toBeGreaterThanOrEqual(CONTRACT_SPACING_MS);
    const times = sandbox.requests.map((r) => r.at);
    const pacing = checkPacing(times, CONTRACT_SPACING_MS, PACING_TOLERANCE_MS);
    expect(pacing.worstExcess).toBeLessThanOrEqual(0);
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(BUDGET_PER_MINUTE);

    // Guarantee 1, over every request sent (faulted ones included) and the sandbox's own record.
    expect(primarySourceOffences(sandbox.requests)).toEqual([]);
    expect(sandbox.violations).toEqual([]);

    console.log(
      JSON.stringify({
        seed: SEED,
        events: sent.length,
        deliveries: answers.length,
        convergedAfterMs,
        requests: requests.length,
        tokenRequests,
        byStatus: Object.fromEntries([...new Set(requests.map((r) => r.status))].map((s) => [s, statuses((x) => x === s)])),
        presenceWrites: sandbox.presenceWrites.length,
        usersByWriteCount: histogram,
        spacingMs: budget.spacingMs,
        minGapMs: pacing.minGapMs,
        // How close the busiest stretches came to the budget (1000/spacing ≈ 19.6 per second).
        maxPerSecond: maxInWindow(times, 1000),
        maxPer5Seconds: maxInWindow(times, 5000),
        excessWithoutTolerance: checkPacing(times, CONTRACT_SPACING_MS, 0).worstExcess,
        phases: phases.map((p) => `${p.name}@${p.at - startedAt}ms`),
      }),
    );
  }, 60_000);
});
