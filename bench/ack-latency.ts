/**
 * Benchmark 1 — acknowledgement latency: how long a vendor waits for our 2xx.
 *
 * Measured with the open-loop load client (load-client.ts, its own process): at a steady rate, then on
 * a ramp of rising rates to find the highest sustainable one. Targets, side by side in one run:
 * - the real local server (`startLocalBridge`: express → verify → zod → durable record (fsync) →
 *   enqueue → 200), Zoom events;
 * - the bridge's Lambda adapter (`createHttpApiHandler`, same core, same embedded store) behind a
 *   minimal Function-URL host (lambda-host.ts);
 * - Zoom's own Lambda receiver (`@zoom/rivet` AwsLambdaReceiver) behind the same host: the reference;
 * - a Microsoft Graph batch of 100 notifications through the local server — only once the Teams
 *   source is wired into src/runtime/bridge.ts; until then it is reported as pending, not faked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildSourcePlugins, buildWebhookDeps } from '../src/runtime/bridge';
import { TEAMS_DOCUMENTS } from '../src/sources/teams/documents';
import { createHttpApiHandler } from '../src/webhooks/adapters/lambda';
import { handleWebhook } from '../src/webhooks/handle-webhook';
import { BENCH_ZOOM_SECRET, startBenchBridge, type BenchBridge } from './bridge-harness';
import { startLambdaHost, type LambdaHttpHandler } from './lambda-host';
import { forkLoadClient, type BodySpec, type LoadClient, type LoadResult } from './load-client';
import type { BenchReport, Row } from './results';
import { loadRivet, withConsoleDebugSilenced } from './rivet';
import { round, sleep, summarize, type Summary } from './stats';

export interface AckOptions {
  /** Requests per second of the steady phase. */
  readonly steadyRate: number;
  readonly steadySeconds: number;
  /** Rates tried on the ramp, lowest first; the ramp stops at the first unsustainable one. */
  readonly rampRates: readonly number[];
  readonly rampStepSeconds: number;
  /** Graph batches per second: steady rate and ramp. */
  readonly graphSteadyRate: number;
  readonly graphRampRates: readonly number[];
  /** Distinct users the events cycle through (all exist in the sandbox). */
  readonly users: number;
}

export const DEFAULT_ACK_OPTIONS: AckOptions = {
  steadyRate: 100,
  steadySeconds: 10,
  rampRates: [250, 500, 1000, 1500, 2000, 3000, 4000, 6000],
  rampStepSeconds: 3,
  graphSteadyRate: 10,
  graphRampRates: [20, 40, 80, 160, 320],
  users: 2000,
};

/** The issue's target: p99 under 50 ms, far inside the vendors' 3 s deadlines. */
export const ACK_P99_TARGET_MS = 50;
/** A step is sustainable when every request got a 2xx, answers kept pace, and p99 stayed under this. */
const SUSTAINABLE_P99_MS = 1000;
const WARMUP_MS = 1000;
const RAMP_WARMUP_MS = 500;
const MAX_SOCKETS = 64;

interface StepFigures {
  readonly rate: number;
  readonly latencyMs: Summary;
  readonly serviceLatencyMs: Summary;
  readonly completedRate: number;
  readonly statuses: Record<string, number>;
  readonly errors: number;
  readonly firstError?: string;
  readonly maxSendLagMs: number;
  readonly sustainable: boolean;
  readonly why?: string;
}

export interface TargetFigures {
  readonly name: string;
  readonly label: string;
  readonly unit: string;
  readonly steady: StepFigures;
  readonly ramp: StepFigures[];
  /** Highest ramp rate that was sustainable, with its latencies. */
  readonly highestSustainable?: StepFigures;
  /** Highest rate (steady or ramp) whose p99 met the 50 ms target. */
  readonly highestUnderTarget?: StepFigures;
}

function stepFigures(rate: number, result: LoadResult): StepFigures {
  const latencyMs = summarize(result.latencies);
  const non2xx = Object.entries(result.statuses)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  let why: string | undefined;
  if (result.errors > 0) why = `${result.errors} transport errors (${result.firstError})`;
  else if (non2xx > 0) why = `${non2xx} non-2xx answers (${JSON.stringify(result.statuses)})`;
  else if (result.completedRate < rate * 0.95) why = `answers kept pace with only ${round(result.completedRate, 0)}/s`;
  else if (!(latencyMs.p99 <= SUSTAINABLE_P99_MS)) why = `p99 ${latencyMs.p99} ms: a queue is building`;
  return {
    rate,
    latencyMs,
    serviceLatencyMs: summarize(result.serviceLatencies),
    completedRate: round(result.completedRate, 1),
    statuses: result.statuses,
    errors: result.errors,
    firstError: result.firstError,
    maxSendLagMs: round(result.maxSendLagMs, 1),
    sustainable: why === undefined,
    why,
  };
}

async function measureTarget(
  client: LoadClient,
  target: { name: string; label: string; unit: string; url: string; body: BodySpec },
  steadyRate: number,
  rampRates: readonly number[],
  options: AckOptions,
  log: (line: string) => void,
): Promise<TargetFigures> {
  log(`  ${target.label}: steady ${steadyRate} ${target.unit}/s for ${options.steadySeconds} s`);
  const steadyResult = await client.run({
    url: target.url,
    rate: steadyRate,
    durationMs: WARMUP_MS + options.steadySeconds * 1000,
    warmupMs: WARMUP_MS,
    maxSockets: MAX_SOCKETS,
    body: target.body,
  });
  const steady = stepFigures(steadyRate, steadyResult);
  log(`    p50 ${steady.latencyMs.p50} ms, p99 ${steady.latencyMs.p99} ms, max ${steady.latencyMs.max} ms ${steady.why ? `(${steady.why})` : ''}`);
  const ramp: StepFigures[] = [];
  for (const rate of rampRates) {
    await sleep(1000);
    const result = await client.run({
      url: target.url,
      rate,
      durationMs: RAMP_WARMUP_MS + options.rampStepSeconds * 1000,
      warmupMs: RAMP_WARMUP_MS,
      maxSockets: MAX_SOCKETS,
      body: target.body,
    });
    const step = stepFigures(rate, result);
    ramp.push(step);
    log(
      `    ramp ${rate}/s: p50 ${step.latencyMs.p50} ms, p99 ${step.latencyMs.p99} ms, answered ${step.completedRate}/s` +
        (step.sustainable ? '' : ` — not sustainable: ${step.why}`),
    );
    if (!step.sustainable) break;
  }
  const sustainable = ramp.filter((step) => step.sustainable);
  const underTarget = [steady, ...ramp].filter((step) => step.sustainable && step.latencyMs.p99 < ACK_P99_TARGET_MS);
  return {
    name: target.name,
    label: target.label,
    unit: target.unit,
    steady,
    ramp,
    highestSustainable: sustainable[sustainable.length - 1],
    highestUnderTarget: underTarget.sort((a, b) => a.rate - b.rate)[underTarget.length - 1],
  };
}

function zoomBody(users: number): BodySpec {
  return { kind: 'zoom', secret: BENCH_ZOOM_SECRET, users };
}

/** True when src/runtime/bridge.ts wires the Teams webhook source (checked in the source, then by a probe). */
function teamsWiredInSource(): boolean {
  const file = path.join(__dirname, '..', 'src', 'runtime', 'bridge.ts');
  const text = fs.readFileSync(file, 'utf8');
  return /createTeamsWebhookSource|createTeamsRuntime|createWebhookSources\(/.test(text);
}

const GRAPH = {
  clientState: 'bench-client-state',
  subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
  tenantId: '11111111-2222-4333-8444-555555555555',
  batchSize: 100,
} as const;

/**
 * Only TEAMS_CLIENT_STATE: enough for the webhook to verify basic notifications, and without API
 * credentials the bridge starts no Teams polling or maintenance. Every Microsoft URL points at the
 * discard port on loopback anyway, so nothing can leave the machine.
 */
const TEAMS_BENCH_ENV = {
  TEAMS_CLIENT_STATE: GRAPH.clientState,
  GRAPH_API_BASE_URL: 'http://127.0.0.1:9/v1.0',
  MICROSOFT_LOGIN_BASE_URL: 'https://127.0.0.1:9',
  GRAPH_JWKS_URL: 'http://127.0.0.1:9/keys',
};

type GraphOutcome = { readonly status: 'pending'; readonly reason: string } | { readonly status: 'measured'; readonly figures: TargetFigures };

async function measureGraph(client: LoadClient, options: AckOptions, log: (line: string) => void): Promise<GraphOutcome> {
  if (!teamsWiredInSource()) {
    return {
      status: 'pending',
      reason:
        'pending: Teams source not wired yet — src/runtime/bridge.ts answers /webhooks/teams with 503 ' +
        '(createTeamsWebhookSource exists in src/sources/teams/webhook.ts but is not mounted), so there is nothing real to measure',
    };
  }
  let bench: BenchBridge | undefined;
  try {
    bench = await startBenchBridge({ users: 0, env: TEAMS_BENCH_ENV });
    const { bridge } = bench;
    // Make the bench subscription one of ours, the way the subscription manager records it.
    await bridge.parts.store.putDocument(TEAMS_DOCUMENTS.subscriptions, {
      accounts: { bench: { subscriptionId: GRAPH.subscriptionId, expiresAt: '2030-01-01T00:00:00.000Z', userCount: options.users } },
    });
    // The ack path never waits for the worker; stopping it keeps Graph reads (to the discard port) out of the figures.
    await bridge.queue.stop();
    const probe = await fetch(`${bridge.url}/webhooks/teams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [] }),
    }).then(async (response) => ({ status: response.status, body: await response.text() }));
    if (probe.status === 503 || probe.status === 404) {
      return { status: 'pending', reason: `pending: Teams source not wired yet (probe answered ${probe.status}: ${probe.body.slice(0, 160)})` };
    }
    const figures = await measureTarget(
      client,
      {
        name: 'graph-local-server',
        label: `Graph batch of ${GRAPH.batchSize} notifications → local server`,
        unit: 'batches',
        url: `${bridge.url}/webhooks/teams`,
        body: { kind: 'graph-batch', ...GRAPH, users: options.users },
      },
      options.graphSteadyRate,
      options.graphRampRates,
      options,
      log,
    );
    const statuses = Object.keys(figures.steady.statuses);
    if (!statuses.every((status) => status.startsWith('2'))) {
      return { status: 'pending', reason: `pending: the Teams route did not accept the bench batch (${JSON.stringify(figures.steady.statuses)})` };
    }
    return { status: 'measured', figures };
  } finally {
    await bench?.stop();
  }
}

function rowsFor(figures: TargetFigures): Row[] {
  const rows: Row[] = [];
  const s = figures.steady;
  rows.push([
    `${figures.label}, steady ${s.rate}/s`,
    `p50 ${s.latencyMs.p50} ms  p99 ${s.latencyMs.p99} ms  max ${s.latencyMs.max} ms  (n=${s.latencyMs.count}${s.why ? `; ${s.why}` : ''})`,
  ]);
  const h = figures.highestSustainable;
  rows.push([
    `  highest sustainable rate`,
    h ? `${h.rate} ${figures.unit}/s: p50 ${h.latencyMs.p50} ms  p99 ${h.latencyMs.p99} ms  max ${h.latencyMs.max} ms` : 'none of the ramp rates',
  ]);
  const u = figures.highestUnderTarget;
  rows.push([`  highest rate with p99 < ${ACK_P99_TARGET_MS} ms`, u ? `${u.rate} ${figures.unit}/s (p99 ${u.latencyMs.p99} ms)` : 'none']);
  const failed = figures.ramp.find((step) => !step.sustainable);
  if (failed) rows.push([`  first unsustainable rate`, `${failed.rate} ${figures.unit}/s: ${failed.why}`]);
  return rows;
}

export async function runAckLatency(report: BenchReport, options: AckOptions, log: (line: string) => void): Promise<void> {
  const client = forkLoadClient();
  const targets: TargetFigures[] = [];
  let rivetNote: string | undefined;
  let graph: GraphOutcome = { status: 'pending', reason: 'not run' };
  try {
    // 1. The real local server, then the bridge's Lambda adapter on the same core and store.
    const bench = await startBenchBridge({ users: options.users });
    try {
      const { bridge } = bench;
      targets.push(
        await measureTarget(
          client,
          { name: 'bridge-local-server', label: 'Zoom event → bridge local server (express)', unit: 'events', url: `${bridge.url}/webhooks/zoom`, body: zoomBody(options.users) },
          options.steadyRate,
          options.rampRates,
          options,
          log,
        ),
      );
      const deps = buildWebhookDeps(bridge.parts, buildSourcePlugins(bridge.parts));
      const adapter = createHttpApiHandler((request) => handleWebhook(request, deps), bridge.parts.now);
      const host = await startLambdaHost((event) => adapter(event));
      try {
        targets.push(
          await measureTarget(
            client,
            { name: 'bridge-lambda-adapter', label: 'Zoom event → bridge Lambda adapter (same core + embedded store)', unit: 'events', url: `${host.url}/webhooks/zoom`, body: zoomBody(options.users) },
            options.steadyRate,
            options.rampRates,
            options,
            log,
          ),
        );
      } finally {
        await host.close();
      }
    } finally {
      await bench.stop();
    }

    // 2. The vendor's Lambda receiver, behind the same host, with the same events.
    const rivet = loadRivet();
    if (rivet.ok) {
      const handler: LambdaHttpHandler = await rivet.createHandler(BENCH_ZOOM_SECRET);
      const host = await startLambdaHost(handler);
      try {
        targets.push(
          await withConsoleDebugSilenced(() =>
            measureTarget(
              client,
              { name: 'zoom-rivet-lambda', label: `Zoom event → @zoom/rivet ${rivet.version} AwsLambdaReceiver (reference)`, unit: 'events', url: `${host.url}/webhooks/zoom`, body: zoomBody(options.users) },
              options.steadyRate,
              options.rampRates,
              options,
              log,
            ),
          ),
        );
      } finally {
        await host.close();
      }
    } else {
      rivetNote = `@zoom/rivet comparison skipped: ${rivet.reason}`;
      log(`  ${rivetNote}`);
    }

    // 3. The Graph batch, if the Teams source is wired.
    graph = await measureGraph(client, options, log);
    if (graph.status === 'pending') log(`  Graph batch: ${graph.reason}`);
  } finally {
    client.close();
  }

  report.setFigures('ackLatency', {
    method:
      'open-loop load from a separate process over loopback keep-alive connections (64 sockets); latency = scheduled send time → end of response; ' +
      `steady phase after ${WARMUP_MS} ms warm-up; ramp steps of ${options.rampStepSeconds} s after ${RAMP_WARMUP_MS} ms warm-up; ` +
      `a step is sustainable when all answers are 2xx, answers keep pace (≥95% of offered) and p99 ≤ ${SUSTAINABLE_P99_MS} ms`,
    options,
    targets,
    rivet: rivetNote ?? 'measured',
    graphBatch: graph.status === 'measured' ? graph.figures : { status: 'pending', reason: graph.reason },
  });

  const rows: Row[] = [];
  for (const figures of targets) rows.push(...rowsFor(figures));
  if (rivetNote) rows.push(['@zoom/rivet reference', rivetNote]);
  if (graph.status === 'measured') rows.push(...rowsFor(graph.figures));
  else rows.push(['Graph batch of 100 notifications', graph.reason]);
  report.addSection('1. Acknowledgement latency (vendor deadline 3 s; target p99 < 50 ms)', rows);

  const local = targets.find((t) => t.name === 'bridge-local-server');
  if (local) {
    const steady = local.steady;
    report.addTarget({
      id: 'ack.zoom.steady.p99',
      benchmark: 'ack-latency',
      description: `Zoom event ack through the local server at a steady ${steady.rate}/s`,
      target: `p99 < ${ACK_P99_TARGET_MS} ms`,
      actual: `p99 ${steady.latencyMs.p99} ms (p50 ${steady.latencyMs.p50} ms)`,
      verdict: steady.sustainable && steady.latencyMs.p99 < ACK_P99_TARGET_MS ? 'met' : 'missed',
      note: steady.why,
    });
    const top = local.highestSustainable;
    const under = local.highestUnderTarget;
    report.addTarget({
      id: 'ack.zoom.max.p99',
      benchmark: 'ack-latency',
      description: 'Zoom event ack through the local server at the highest sustainable rate',
      target: `p99 < ${ACK_P99_TARGET_MS} ms`,
      actual: top ? `${top.rate}/s: p99 ${top.latencyMs.p99} ms (p50 ${top.latencyMs.p50} ms)` : 'no ramp rate was sustainable',
      verdict: top && top.latencyMs.p99 < ACK_P99_TARGET_MS ? 'met' : 'missed',
      note: top
        ? `At the highest sustainable rate the one process is CPU-bound, so latency is queueing; p99 stays under ${ACK_P99_TARGET_MS} ms up to ` +
          `${under ? `${under.rate}/s` : 'no tested rate'}, and under the 3 s vendor deadline up to ${top.rate}/s. ` +
          'Closing it means more CPU per event (another process/core behind a balancer — the embedded store is single-owner, so that means the AWS deployment) or fewer events per request.'
        : undefined,
    });
  }
  if (graph.status === 'measured') {
    const steady = graph.figures.steady;
    report.addTarget({
      id: 'ack.graph100.steady.p99',
      benchmark: 'ack-latency',
      description: `Graph batch of 100 notifications through the local server at ${steady.rate} batches/s`,
      target: `p99 < ${ACK_P99_TARGET_MS} ms`,
      actual: `p99 ${steady.latencyMs.p99} ms (p50 ${steady.latencyMs.p50} ms)`,
      verdict: steady.sustainable && steady.latencyMs.p99 < ACK_P99_TARGET_MS ? 'met' : 'missed',
      note: steady.why,
    });
    const top = graph.figures.highestSustainable;
    report.addTarget({
      id: 'ack.graph100.max.p99',
      benchmark: 'ack-latency',
      description: 'Graph batch of 100 notifications at the highest sustainable rate',
      target: `p99 < ${ACK_P99_TARGET_MS} ms`,
      actual: top ? `${top.rate} batches/s: p99 ${top.latencyMs.p99} ms` : 'no ramp rate was sustainable',
      verdict: top && top.latencyMs.p99 < ACK_P99_TARGET_MS ? 'met' : 'missed',
    });
  } else {
    report.addTarget({
      id: 'ack.graph100.p99',
      benchmark: 'ack-latency',
      description: 'Graph batch of 100 notifications through the local server',
      target: `p99 < ${ACK_P99_TARGET_MS} ms`,
      actual: '',
      verdict: 'pending',
      note: graph.reason,
    });
  }
}
