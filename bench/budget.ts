/**
 * Benchmark 2 — budget efficiency under a burst.
 *
 * N users each flap k times within a few seconds (signed Zoom events, sent open-loop from the load
 * client's own process) into the real local bridge, whose Genesys budget GENESYS_REQUESTS_PER_MINUTE
 * is fixed and matches the sandbox's per-token limit. We watch the sandbox until every user shows the
 * state of their last event, then report:
 * - convergence time (first event sent → every user's final state in the sandbox) against the ideal,
 *   distinct users ÷ budget (the ideal counts presence writes only: one per user, nothing else);
 * - Genesys presence writes per user (ideal 1.0) and how many wrote an intermediate state;
 * - every other Genesys request (token, sources, definitions, user search), before and during the burst;
 * - 429s received (target 0);
 * - freshness: for how many users the final sandbox state is the last event sent (must be 100%).
 */
import { loadPresenceMapping, mapPresence } from '../src/presence';
import type { SandboxRequestRecord } from '../src/sandbox';
import { normalizeZoomPresenceEvent } from '../src/sources/zoom/normalize';
import { ZoomPresenceEventSchema } from '../src/sources/zoom/schema';
import { BENCH_ZOOM_SECRET, startBenchBridge } from './bridge-harness';
import { forkLoadClient, type LoadResult } from './load-client';
import type { BenchReport, Row } from './results';
import { round, sleep } from './stats';
import { benchUserEmail, ZOOM_STATUSES, zoomPresenceBody } from './webhook-bodies';

export interface BudgetOptions {
  /** N: distinct users. */
  readonly users: number;
  /** k: events per user. */
  readonly flaps: number;
  /** GENESYS_REQUESTS_PER_MINUTE, and the sandbox's requests per minute per token. */
  readonly requestsPerMinute: number;
  /** Users start flapping spread evenly over this window. */
  readonly burstSeconds: number;
  /** Time between two flaps of one user. */
  readonly flapGapMs: number;
}

export const DEFAULT_BUDGET_OPTIONS: BudgetOptions = {
  users: 2000,
  flaps: 5,
  requestsPerMinute: 6000,
  burstSeconds: 5,
  flapGapMs: 400,
};

/** The issue's target: convergence within 10% of the ideal. */
export const BUDGET_RATIO_TARGET = 1.1;

/** A deterministic PRNG (mulberry32), so every run sends the same schedule. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FlapSchedule {
  /** [send offset ms, user index, status index], sorted by offset. */
  readonly events: Array<[number, number, number]>;
  /** Status index of each user's last event. */
  readonly finalStatus: number[];
}

/**
 * User i starts at a random moment of the burst window and flaps every `flapGapMs`; consecutive
 * statuses always differ (and map to a different Genesys state or message), so every flap is a real change.
 */
export function flapSchedule(options: BudgetOptions, seed = 20_250_101): FlapSchedule {
  const random = prng(seed);
  const events: Array<[number, number, number]> = [];
  const finalStatus: number[] = [];
  const burstMs = options.burstSeconds * 1000;
  for (let user = 0; user < options.users; user += 1) {
    const start = Math.floor(random() * burstMs);
    let status = Math.floor(random() * ZOOM_STATUSES.length);
    for (let flap = 0; flap < options.flaps; flap += 1) {
      if (flap > 0) status = (status + 1 + Math.floor(random() * (ZOOM_STATUSES.length - 1))) % ZOOM_STATUSES.length;
      events.push([start + flap * options.flapGapMs, user, status]);
    }
    finalStatus.push(status);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { events, finalStatus };
}

type RequestKind = 'presence write' | 'token' | 'sources' | 'definitions' | 'user search' | 'user listing' | 'other';

function kindOf(request: SandboxRequestRecord): RequestKind {
  const { method, path } = request;
  if (path === '/oauth/token') return 'token';
  if (method === 'PATCH' && /^\/api\/v2\/users\/[^/]+\/presences\/[^/]+$/.test(path)) return 'presence write';
  if (path.startsWith('/api/v2/presence/sources')) return 'sources';
  if (path.startsWith('/api/v2/presence/definitions') || path.startsWith('/api/v2/presencedefinitions')) return 'definitions';
  if (path === '/api/v2/users/search') return 'user search';
  if (path === '/api/v2/users') return 'user listing';
  return 'other';
}

function countByKind(requests: readonly SandboxRequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) counts[kindOf(request)] = (counts[kindOf(request)] ?? 0) + 1;
  return counts;
}

/** Normalizes a systemPresence name the way the contract matches them ("On Queue" = "ON_QUEUE"). */
function normalizePresence(name: string | undefined): string {
  return (name ?? '').replace(/[\s_]/g, '').toLowerCase();
}

export interface BudgetFigures {
  readonly options: BudgetOptions;
  readonly events: number;
  readonly idealSeconds: number;
  readonly sendSeconds: number;
  readonly convergenceSeconds?: number;
  readonly ratioToIdeal?: number;
  readonly converged: boolean;
  readonly writes: number;
  readonly writesPerUser: number;
  readonly usersWithIntermediateWrites: number;
  readonly intermediateWrites: number;
  readonly otherRequestsDuringBurst: Record<string, number>;
  readonly requestsBeforeBurst: Record<string, number>;
  readonly requestsDuringBurst: number;
  readonly requestsPerMinuteAchieved?: number;
  /** Convergence time if every request of the burst (writes and the rest) went out at the budget's pace. */
  readonly budgetBoundSeconds: number;
  readonly status429: number;
  readonly freshnessPercent: number;
  readonly staleUsers: number;
  readonly ackStatuses: Record<string, number>;
  readonly ackErrors: number;
  readonly ackLatencyP99Ms?: number;
}

export async function runBudget(report: BenchReport, options: BudgetOptions, log: (line: string) => void): Promise<BudgetFigures> {
  const schedule = flapSchedule(options);
  const rpm = options.requestsPerMinute;
  const idealSeconds = (options.users * 60) / rpm;
  log(
    `  N=${options.users} users × k=${options.flaps} flaps (${schedule.events.length} events; users start within ${options.burstSeconds} s, ` +
      `${options.flapGapMs} ms between flaps), budget ${rpm}/min → ideal ${round(idealSeconds, 1)} s`,
  );

  const bench = await startBenchBridge({
    users: options.users,
    env: { GENESYS_REQUESTS_PER_MINUTE: String(rpm) },
    start: { sandboxOptions: { requestsPerMinutePerToken: rpm } },
  });
  const client = forkLoadClient();
  try {
    const { bridge } = bench;
    const sandbox = bridge.sandbox!;
    // Let startup maintenance (token, sources, definitions) finish: production bridges are already running.
    const settleDeadline = Date.now() + 15_000;
    let seen = -1;
    while (Date.now() < settleDeadline) {
      await sleep(500);
      if (sandbox.requests.length > 0 && sandbox.requests.length === seen && sandbox.requests.every((r) => r.status !== 0)) break;
      seen = sandbox.requests.length;
    }
    const baseline = sandbox.requests.length;
    const writesBaseline = sandbox.presenceWrites.length;
    const requestsBeforeBurst = countByKind(sandbox.requests.slice(0, baseline));

    // Expected final state of every user, by the bridge's own mapping.
    const mapping = loadPresenceMapping(undefined);
    const userIds = new Map(sandbox.listUsers().map((user) => [user.email, user.id]));
    const definitionsById = new Map(sandbox.definitions().map((d) => [d.id, d]));
    const sources = await bridge.parts.genesys.sources.getSources(bridge.parts.config.genesys.sourceNames);
    const zoomSourceId = sources.zoom.id;
    const expected = schedule.finalStatus.map((status, user) => {
      // The body the load client sends, through the bridge's own schema, normalizer and mapping.
      const body = JSON.parse(zoomPresenceBody(user, ZOOM_STATUSES[status]!, Date.now()).toString('utf8')) as unknown;
      const state = mapPresence(normalizeZoomPresenceEvent(ZoomPresenceEventSchema.parse(body)), mapping);
      return { genesysUserId: userIds.get(benchUserEmail(user))!, target: normalizePresence(state.target ?? ''), message: state.message };
    });
    const isFinal = (user: number): boolean => {
      const want = expected[user]!;
      const presence = sandbox.getPresence(want.genesysUserId, zoomSourceId);
      if (!presence) return false;
      return normalizePresence(definitionsById.get(presence.definitionId)?.systemPresence) === want.target && presence.message === want.message;
    };

    const startedAt = Date.now();
    const load: Promise<LoadResult> = client.run({
      url: `${bridge.url}/webhooks/zoom`,
      maxSockets: 64,
      timeoutMs: 30_000,
      body: { kind: 'zoom-schedule', secret: BENCH_ZOOM_SECRET, events: schedule.events, baseAtMs: Date.now() },
    });
    let loadResult: LoadResult | undefined;
    void load.then((result) => (loadResult = result));

    // Poll until every user shows its final state (bounded).
    const timeoutMs = options.burstSeconds * 1000 + (options.flaps - 1) * options.flapGapMs + idealSeconds * 4000 + 60_000;
    const pending = new Set(expected.map((_, user) => user));
    let convergedAt: number | undefined;
    let lastProgressLog = Date.now();
    while (Date.now() - startedAt < timeoutMs) {
      await sleep(100);
      for (const user of pending) if (isFinal(user)) pending.delete(user);
      if (pending.size === 0 && loadResult) {
        convergedAt ??= Date.now();
        break;
      }
      if (Date.now() - lastProgressLog > 5000) {
        lastProgressLog = Date.now();
        log(`    ${round((Date.now() - startedAt) / 1000, 0)} s: ${options.users - pending.size}/${options.users} users final, ${sandbox.presenceWrites.length - writesBaseline} writes`);
      }
    }
    const result = loadResult ?? (await load);
    const t0 = result.startedAtMs;
    // Anything still queued would show up as extra writes: wait until the worker is idle (bounded).
    const idleDeadline = Date.now() + 10_000;
    while (bridge.queue.size > 0 && Date.now() < idleDeadline) await sleep(100);
    await sleep(500);

    const burstRequests = sandbox.requests.slice(baseline);
    const writes = sandbox.presenceWrites.slice(writesBaseline);
    const otherRequests = countByKind(burstRequests.filter((request) => kindOf(request) !== 'presence write'));
    const byUser = new Map<string, number>();
    let intermediateWrites = 0;
    const finalByGenesysUser = new Map(expected.map((want) => [want.genesysUserId, want]));
    for (const write of writes) {
      byUser.set(write.userId, (byUser.get(write.userId) ?? 0) + 1);
      const want = finalByGenesysUser.get(write.userId);
      const target = normalizePresence(definitionsById.get(write.definitionId ?? '')?.systemPresence);
      if (!want || target !== want.target || write.message !== want.message) intermediateWrites += 1;
    }
    const usersWithIntermediateWrites = [...byUser.values()].filter((count) => count > 1).length;
    let stale = 0;
    for (let user = 0; user < options.users; user += 1) if (!isFinal(user)) stale += 1;
    const convergenceSeconds = convergedAt !== undefined ? (convergedAt - t0) / 1000 : undefined;
    const ackLatencies = [...result.latencies].sort((a, b) => a - b);
    const figures: BudgetFigures = {
      options,
      events: schedule.events.length,
      idealSeconds: round(idealSeconds, 2),
      sendSeconds: round(result.elapsedMs / 1000, 2),
      convergenceSeconds: convergenceSeconds === undefined ? undefined : round(convergenceSeconds, 2),
      ratioToIdeal: convergenceSeconds === undefined ? undefined : round(convergenceSeconds / idealSeconds, 3),
      converged: convergedAt !== undefined,
      writes: writes.length,
      writesPerUser: round(writes.length / options.users, 3),
      usersWithIntermediateWrites,
      intermediateWrites,
      otherRequestsDuringBurst: otherRequests,
      requestsBeforeBurst,
      requestsDuringBurst: burstRequests.length,
      requestsPerMinuteAchieved: convergenceSeconds ? round((burstRequests.length / convergenceSeconds) * 60, 0) : undefined,
      budgetBoundSeconds: round((burstRequests.length * 60) / rpm, 2),
      status429: sandbox.requests.filter((request) => request.status === 429).length,
      freshnessPercent: round(((options.users - stale) / options.users) * 100, 2),
      staleUsers: stale,
      ackStatuses: result.statuses,
      ackErrors: result.errors,
      ackLatencyP99Ms: ackLatencies.length > 0 ? round(ackLatencies[Math.ceil(0.99 * ackLatencies.length) - 1]!, 1) : undefined,
    };
    log(
      `    converged ${figures.converged ? `in ${figures.convergenceSeconds} s (×${figures.ratioToIdeal} of ideal)` : 'NOT within the time limit'}; ` +
        `${figures.writes} writes (${figures.writesPerUser}/user), other requests ${JSON.stringify(otherRequests)}, 429s ${figures.status429}, fresh ${figures.freshnessPercent}%`,
    );
    return figures;
  } finally {
    client.close();
    await bench.stop();
  }
}

/** Adds the budget figures and targets to the report. */
export function reportBudget(report: BenchReport, figures: BudgetFigures, why: { convergence?: string } = {}): void {
  report.setFigures('budget', {
    method:
      'real local bridge (embedded store, in-process worker, production settle/retry defaults) against the Genesys sandbox with ' +
      'GENESYS_REQUESTS_PER_MINUTE = sandbox requestsPerMinutePerToken; signed Zoom events sent open-loop from a separate process; ' +
      'convergence = first event sent → every user shows the state of their last event; ideal = users ÷ budget (presence writes only)',
    ...figures,
  });
  const o = figures.options;
  const other = Object.entries(figures.otherRequestsDuringBurst)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const before = Object.entries(figures.requestsBeforeBurst)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const rows: Row[] = [
    ['scenario', `N=${o.users} users × k=${o.flaps} flaps = ${figures.events} events, users start within ${o.burstSeconds} s, ${o.flapGapMs} ms between flaps`],
    ['budget', `${o.requestsPerMinute} requests/min (GENESYS_REQUESTS_PER_MINUTE and the sandbox's per-token limit)`],
    ['events sent and acknowledged in', `${figures.sendSeconds} s (acks ${JSON.stringify(figures.ackStatuses)}, p99 ${figures.ackLatencyP99Ms} ms)`],
    ['ideal (users ÷ budget, writes only)', `${figures.idealSeconds} s`],
    [
      'convergence time',
      figures.converged ? `${figures.convergenceSeconds} s = ${figures.ratioToIdeal} × ideal` : 'did not converge within the time limit',
    ],
    ['budget-bound time of all burst requests', `${figures.budgetBoundSeconds} s (${figures.requestsDuringBurst} requests × 60 / budget)`],
    ['Genesys presence writes per user', `${figures.writesPerUser} (${figures.writes} writes; ${figures.intermediateWrites} intermediate, ${figures.usersWithIntermediateWrites} users written more than once)`],
    ['other Genesys requests during the burst', other || 'none'],
    ['Genesys requests at startup (before the burst)', before || 'none'],
    ['429s received', String(figures.status429)],
    ['freshness (final state = last event sent)', `${figures.freshnessPercent}% of users (${figures.staleUsers} stale)`],
  ];
  report.addSection('2. Budget efficiency under a burst', rows);

  report.addTarget({
    id: 'budget.convergence',
    benchmark: 'budget',
    description: `convergence time at N=${o.users}, k=${o.flaps}, ${o.requestsPerMinute}/min vs users ÷ budget`,
    target: `≤ ${BUDGET_RATIO_TARGET} × ideal`,
    actual: figures.converged ? `${figures.ratioToIdeal} × (${figures.convergenceSeconds} s vs ${figures.idealSeconds} s)` : 'did not converge',
    verdict: figures.converged && figures.ratioToIdeal! <= BUDGET_RATIO_TARGET ? 'met' : 'missed',
    note: why.convergence,
  });
  report.addTarget({
    id: 'budget.writes-per-user',
    benchmark: 'budget',
    description: 'Genesys presence writes per user during the burst',
    target: 'ideal 1.0',
    actual: String(figures.writesPerUser),
    verdict: figures.writesPerUser <= 1.1 ? 'met' : 'missed',
    note:
      figures.intermediateWrites > 0
        ? `${figures.intermediateWrites} writes were of a state a later flap replaced: users the worker reached while they were still flapping`
        : undefined,
  });
  report.addTarget({
    id: 'budget.429s',
    benchmark: 'budget',
    description: '429 answers from the sandbox',
    target: '0',
    actual: String(figures.status429),
    verdict: figures.status429 === 0 ? 'met' : 'missed',
  });
  report.addTarget({
    id: 'budget.freshness',
    benchmark: 'budget',
    description: 'users whose final Genesys state is the last event sent',
    target: '100%',
    actual: `${figures.freshnessPercent}%`,
    verdict: figures.freshnessPercent === 100 ? 'met' : 'missed',
  });
}
