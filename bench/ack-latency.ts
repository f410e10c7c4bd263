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
 * - Microsoft Graph batches of 100 notifications through the local server, basic (ids only) and rich
 *   (each item's resource encrypted, plus a validation token) — only when the Teams source is wired
 *   into src/sources/index.ts (the Teams module); otherwise reported as pending, not faked.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { TEAMS_DOCUMENTS } from '../src/sources/teams/documents';
import { GRAPH_CHANGE_TRACKING_APP_ID } from '../src/sources/teams/teams-settings';
import { createHttpApiHandler } from '../src/webhooks/adapters/lambda';
import { handleWebhook } from '../src/webhooks/handle-webhook';
import { BENCH_ZOOM_SECRET, makeTempDir, startBenchBridge, type BenchBridge } from './bridge-harness';
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

/** True when src/sources/index.ts lists the Teams module (checked in the source, then by a probe). */
function teamsWiredInSource(): boolean {
  const file = path.join(__dirname, '..', 'src', 'sources', 'index.ts');
  const text = fs.readFileSync(file, 'utf8');
  return /teamsModule/.test(text);
}

const GRAPH = {
  clientState: 'bench-client-state',
  subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
  tenantId: '11111111-2222-4333-8444-555555555555',
  batchSize: 100,
} as const;

/**
 * TEAMS_TENANT_ID (a GUID, so no lookup) because validation tokens must be for this tenant; no
 * TEAMS_CLIENT_SECRET: the webhook does not need it, and without API credentials the bridge starts no
 * Teams polling or maintenance. Graph and login URLs point at the discard port on
 * loopback, and the JWKS at the bench's own server, so nothing can leave the machine.
 */
const TEAMS_BENCH_ENV = {
  TEAMS_TENANT_ID: GRAPH.tenantId,
  TEAMS_CLIENT_ID: '99999999-8888-4777-8666-555555555555',
  TEAMS_CLIENT_STATE: GRAPH.clientState,
  GRAPH_API_BASE_URL: 'http://127.0.0.1:9/v1.0',
  MICROSOFT_LOGIN_BASE_URL: 'https://127.0.0.1:9',
};
const CERTIFICATE_ID = 'bench-encryption';

interface RichSetup {
  readonly env: Record<string, string>;
  readonly certificatePem: string;
  readonly validationToken: string;
  close(): Promise<void>;
}

/**
 * What rich notifications need: an encryption certificate and key (openssl, as Microsoft's docs make
 * one), and validation tokens signed by a key the bridge finds in a JWKS (served here on 127.0.0.1).
 * Undefined, with the reason logged, when openssl is not available.
 */
async function setUpRich(log: (line: string) => void): Promise<RichSetup | undefined> {
  const dir = makeTempDir('teams-cert');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-subj',
        '/CN=presence-bridge-bench',
      ],
      { stdio: 'ignore', timeout: 30_000 },
    );
  } catch (error) {
    log(`  rich Graph notifications skipped: cannot make a certificate with openssl (${(error as Error).message.split('\n')[0]})`);
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  const certificatePem = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  const privateKeyPem = fs.readFileSync(path.join(dir, 'key.pem'), 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });

  const kid = 'bench-signing-key';
  const signing = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = JSON.stringify({ keys: [{ ...signing.publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const now = Math.floor(Date.now() / 1000);
  // The claims of the docs' v2 sample token: our app as audience, Graph Change Tracking as the caller.
  const validationToken = jwt.sign(
    {
      aud: TEAMS_BENCH_ENV.TEAMS_CLIENT_ID,
      iss: `https://login.microsoftonline.com/${GRAPH.tenantId}/v2.0`,
      iat: now - 60,
      nbf: now - 60,
      exp: now + 3600,
      azp: GRAPH_CHANGE_TRACKING_APP_ID,
      azpacr: '2',
      tid: GRAPH.tenantId,
      ver: '2.0',
    },
    signing.privateKey,
    { algorithm: 'RS256', keyid: kid, noTimestamp: true },
  );
  return {
    env: {
      TEAMS_ENCRYPTION_PRIVATE_KEY: privateKeyPem,
      TEAMS_ENCRYPTION_CERTIFICATE: certificatePem,
      TEAMS_ENCRYPTION_CERTIFICATE_ID: CERTIFICATE_ID,
      GRAPH_JWKS_URL: `http://127.0.0.1:${port}/keys`,
    },
    certificatePem,
    validationToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type GraphOutcome =
  | { readonly status: 'pending'; readonly reason: string }
  | { readonly status: 'measured'; readonly basic: TargetFigures; readonly rich?: TargetFigures; readonly richNote?: string };

async function measureGraph(client: LoadClient, options: AckOptions, log: (line: string) => void): Promise<GraphOutcome> {
  if (!teamsWiredInSource()) {
    return {
      status: 'pending',
      reason:
        'pending: Teams source not wired yet — src/sources/index.ts answers /webhooks/teams with 503 ' +
        '(createTeamsWebhookSource exists in src/sources/teams/webhook.ts but is not mounted), so there is nothing real to measure',
    };
  }
  const rich = await setUpRich(log);
  let bench: BenchBridge | undefined;
  try {
    bench = await startBenchBridge({ users: 0, env: { ...TEAMS_BENCH_ENV, ...(rich?.env ?? {}) } });
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
    const url = `${bridge.url}/webhooks/teams`;
    const basic = await measureTarget(
      client,
      {
        name: 'graph-basic-local-server',
        label: `Graph batch of ${GRAPH.batchSize} basic notifications → local server`,
        unit: 'batches',
        url,
        body: { kind: 'graph-batch', ...GRAPH, users: options.users },
      },
      options.graphSteadyRate,
      options.graphRampRates,
      options,
      log,
    );
    if (!Object.keys(basic.steady.statuses).every((status) => status.startsWith('2'))) {
      return { status: 'pending', reason: `pending: the Teams route did not accept the bench batch (${JSON.stringify(basic.steady.statuses)})` };
    }
    if (!rich) return { status: 'measured', basic, richNote: 'skipped: openssl is needed to make the encryption certificate' };
    const richFigures = await measureTarget(
      client,
      {
        name: 'graph-rich-local-server',
        label: `Graph batch of ${GRAPH.batchSize} rich (encrypted) notifications → local server`,
        unit: 'batches',
        url,
        body: {
          kind: 'graph-rich-batch',
          ...GRAPH,
          users: options.users,
          certificatePem: rich.certificatePem,
          certificateId: CERTIFICATE_ID,
          validationToken: rich.validationToken,
        },
      },
      options.graphSteadyRate,
      options.graphRampRates,
      options,
      log,
    );
    if (!Object.keys(richFigures.steady.statuses).every((status) => status.startsWith('2'))) {
      return { status: 'measured', basic, richNote: `skipped: the bridge refused the bench's rich batches (${JSON.stringify(richFigures.steady.statuses)})` };
    }
    return { status: 'measured', basic, rich: richFigures };
  } finally {
    await bench?.stop();
    await rich?.close();
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

/** Zoom events through the local server, then through the bridge's Lambda adapter on the same bridge. */
async function measureBridgeZoom(client: LoadClient, options: AckOptions, log: (line: string) => void): Promise<TargetFigures[]> {
  const bench = await startBenchBridge({ users: options.users });
  try {
    const { bridge } = bench;
    const local = await measureTarget(
      client,
      {
        name: 'bridge-local-server',
        label: 'Zoom event → bridge local server (express)',
        unit: 'events',
        url: `${bridge.url}/webhooks/zoom`,
        body: zoomBody(options.users),
      },
      options.steadyRate,
      options.rampRates,
      options,
      log,
    );
    const deps = bridge.assembled.webhook;
    const adapter = createHttpApiHandler((request) => handleWebhook(request, deps), bridge.parts.now);
    const host = await startLambdaHost((event) => adapter(event));
    try {
      const lambda = await measureTarget(
        client,
        {
          name: 'bridge-lambda-adapter',
          label: 'Zoom event → bridge Lambda adapter (same core + embedded store)',
          unit: 'events',
          url: `${host.url}/webhooks/zoom`,
          body: zoomBody(options.users),
        },
        options.steadyRate,
        options.rampRates,
        options,
        log,
      );
      return [local, lambda];
    } finally {
      await host.close();
    }
  } finally {
    await bench.stop();
  }
}

/** Parts of this benchmark; BENCH_ACK_PARTS=zoom,rivet,graph (default all) runs a subset while working on one. */
const ACK_PARTS = ['zoom', 'rivet', 'graph'] as const;

export async function runAckLatency(report: BenchReport, options: AckOptions, log: (line: string) => void): Promise<void> {
  const parts = new Set((process.env.BENCH_ACK_PARTS ?? ACK_PARTS.join(',')).split(',').map((part) => part.trim()));
  const client = forkLoadClient();
  const targets: TargetFigures[] = [];
  let rivetNote: string | undefined;
  let graph: GraphOutcome = { status: 'pending', reason: 'not run (BENCH_ACK_PARTS)' };
  try {
    // 1. The real local server, then the bridge's Lambda adapter on the same core and store.
    if (parts.has('zoom')) targets.push(...(await measureBridgeZoom(client, options, log)));

    // 2. The vendor's Lambda receiver, behind the same host, with the same events.
    const rivet = parts.has('rivet') ? loadRivet() : { ok: false as const, reason: 'not run (BENCH_ACK_PARTS)' };
    if (rivet.ok) {
      const handler: LambdaHttpHandler = await rivet.createHandler(BENCH_ZOOM_SECRET);
      const host = await startLambdaHost(handler);
      try {
        targets.push(
          await withConsoleDebugSilenced(() =>
            measureTarget(
              client,
              {
                name: 'zoom-rivet-lambda',
                label: `Zoom event → @zoom/rivet ${rivet.version} AwsLambdaReceiver (reference)`,
                unit: 'events',
                url: `${host.url}/webhooks/zoom`,
                body: zoomBody(options.users),
              },
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

    // 3. The Graph batches, if the Teams source is wired.
    if (parts.has('graph')) graph = await measureGraph(client, options, log);
    if (graph.status === 'pending') log(`  Graph batch: ${graph.reason}`);
  } finally {
    client.close();
  }

  report.setFigures('ackLatency', {
    method:
      'open-loop load from a separate process over loopback keep-alive connections (64 sockets); latency = scheduled send time → end of response; ' +
      `steady phase after ${WARMUP_MS} ms warm-up; ramp steps of ${options.rampStepSeconds} s after ${RAMP_WARMUP_MS} ms warm-up; ` +
      `a step is sustainable when all answers are 2xx, answers keep pace (≥95% of offered) and p99 ≤ ${SUSTAINABLE_P99_MS} ms; ` +
      'the sandbox keeps no state file (it stands in for the remote Genesys Cloud)',
    options,
    targets,
    rivet: rivetNote ?? 'measured',
    graphBatch:
      graph.status === 'measured'
        ? { basic: graph.basic, rich: graph.rich ?? { status: 'skipped', reason: graph.richNote } }
        : { status: 'pending', reason: graph.reason },
  });

  const rows: Row[] = [];
  for (const figures of targets) rows.push(...rowsFor(figures));
  if (rivetNote) rows.push(['@zoom/rivet reference', rivetNote]);
  if (graph.status === 'measured') {
    rows.push(...rowsFor(graph.basic));
    if (graph.rich) rows.push(...rowsFor(graph.rich));
    else rows.push(['Graph batch of 100 rich notifications', graph.richNote ?? 'skipped']);
  } else rows.push(['Graph batch of 100 notifications', graph.reason]);
  report.addSection('1. Acknowledgement latency (vendor deadline 3 s; target p99 < 50 ms)', rows);

  const local = targets.find((t) => t.name === 'bridge-local-server');
  if (local) addLatencyTargets(report, 'ack.zoom', 'Zoom event ack through the local server', local);
  if (graph.status === 'measured') {
    addLatencyTargets(report, 'ack.graph100.basic', 'Graph batch of 100 basic notifications through the local server', graph.basic);
    if (graph.rich)
      addLatencyTargets(report, 'ack.graph100.rich', 'Graph batch of 100 rich notifications through the local server', graph.rich, richNote(graph.rich));
    else {
      report.addTarget({
        id: 'ack.graph100.rich.p99',
        benchmark: 'ack-latency',
        description: 'Graph batch of 100 rich notifications through the local server',
        target: `p99 < ${ACK_P99_TARGET_MS} ms`,
        actual: '',
        verdict: 'skipped',
        note: graph.richNote,
      });
    }
  } else {
    report.addTarget({
      id: 'ack.graph100.p99',
      benchmark: 'ack-latency',
      description: 'Graph batch of 100 notifications through the local server',
      target: `p99 < ${ACK_P99_TARGET_MS} ms`,
      actual: '',
      verdict: graph.reason.startsWith('pending') ? 'pending' : 'skipped',
      note: graph.reason,
    });
  }
}

/**
 * What a rich batch costs beyond a basic one, for a missed target: its items are queued still encrypted
 * (decrypt-presence tasks; docs/teams.md "Decryption in the worker"), so the RSA unwrap measured here is
 * the worker's cost, not the acknowledgement's.
 */
function richNote(figures: TargetFigures): string {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const wrapped = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, crypto.randomBytes(32));
  const runs = 200;
  const started = process.hrtime.bigint();
  for (let i = 0; i < runs; i += 1) {
    crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, wrapped);
  }
  const perDecryptMs = Number(process.hrtime.bigint() - started) / 1e6 / runs;
  return (
    `The acknowledgement does no RSA work: rich items are authenticated (clientState, subscription id, a validation token checked once ` +
    `per distinct token) and recorded still encrypted as durable decrypt tasks; the worker unwraps each item's key ` +
    `(${round(perDecryptMs, 2)} ms here, ~${round(perDecryptMs * 100, 0)} ms per 100 items). Over the basic batch the ack pays the larger body ` +
    `and the task write (steady p50 ${figures.steady.latencyMs.p50} ms); a p99 miss with a low p50 is queueing on the shared 2 cores.`
  );
}

function addLatencyTargets(report: BenchReport, id: string, description: string, figures: TargetFigures, whyMissed?: string): void {
  const steady = figures.steady;
  const steadyMet = steady.sustainable && steady.latencyMs.p99 < ACK_P99_TARGET_MS;
  report.addTarget({
    id: `${id}.steady.p99`,
    benchmark: 'ack-latency',
    description: `${description} at a steady ${steady.rate} ${figures.unit}/s`,
    target: `p99 < ${ACK_P99_TARGET_MS} ms`,
    actual: `p99 ${steady.latencyMs.p99} ms (p50 ${steady.latencyMs.p50} ms)`,
    verdict: steadyMet ? 'met' : 'missed',
    note: steadyMet ? undefined : [steady.why, whyMissed].filter(Boolean).join('; '),
  });
  const top = figures.highestSustainable;
  const under = figures.highestUnderTarget;
  const topMet = top !== undefined && top.latencyMs.p99 < ACK_P99_TARGET_MS;
  const saturated = figures.ramp.find((step) => !step.sustainable);
  report.addTarget({
    id: `${id}.max.p99`,
    benchmark: 'ack-latency',
    description: `${description} at the highest sustainable rate`,
    target: `p99 < ${ACK_P99_TARGET_MS} ms`,
    actual: top ? `${top.rate} ${figures.unit}/s: p99 ${top.latencyMs.p99} ms (p50 ${top.latencyMs.p50} ms)` : 'no ramp rate was sustainable',
    verdict: topMet ? 'met' : 'missed',
    note: topMet
      ? saturated
        ? undefined
        : `the ramp ended at its highest rate without saturating; the true limit is higher`
      : (whyMissed ??
        (top
          ? `over by ${round(top.latencyMs.p99 - ACK_P99_TARGET_MS, 1)} ms at ${top.rate} ${figures.unit}/s. Near saturation the one process is CPU-bound ` +
            `and latency is queueing (server and load client share the 2 cores, with other work on the machine); p99 stays under ` +
            `${ACK_P99_TARGET_MS} ms up to ${under ? `${under.rate} ${figures.unit}/s` : 'no tested rate'}, and every answer stays far inside the 3 s deadline up to ` +
            `${top.rate} ${figures.unit}/s. Closing it at that rate needs more CPU than one local process has (the AWS deployment scales the webhook Lambda out).`
          : undefined)),
  });
}
