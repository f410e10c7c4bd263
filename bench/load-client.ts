/**
 * Open-loop HTTP load generator, run in its own process (`forkLoadClient`) so the sender never shares
 * an event loop with the server it measures. Requests go out at their scheduled times whether or not
 * earlier ones were answered, and latency is measured from the *scheduled* time to the end of the
 * response: a server that stalls is charged for the requests that queued behind the stall
 * (no "coordinated omission"). Everything is sent to 127.0.0.1 only, and every run ends by itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { signZoomRequest } from '../src/sources/zoom/verify';
import { graphBatchBody, graphRichBatchBody, zoomPresenceBody, ZOOM_STATUSES } from './webhook-bodies';

/** What each request carries. */
export type BodySpec =
  | {
      /** One Zoom event per request, users round-robin, each event newer than the previous one of its user. */
      readonly kind: 'zoom';
      readonly secret: string;
      readonly users: number;
    }
  | {
      /** A Graph batch of `batchSize` basic notifications per request. */
      readonly kind: 'graph-batch';
      readonly subscriptionId: string;
      readonly clientState: string;
      readonly tenantId: string;
      readonly batchSize: number;
      readonly users: number;
    }
  | {
      /** A Graph batch of `batchSize` rich notifications per request (encrypted per item, one validation token). */
      readonly kind: 'graph-rich-batch';
      readonly subscriptionId: string;
      readonly clientState: string;
      readonly tenantId: string;
      readonly batchSize: number;
      readonly users: number;
      readonly certificatePem: string;
      readonly certificateId: string;
      readonly validationToken: string;
    }
  | {
      /** An explicit schedule of Zoom events (the budget benchmark's flaps). */
      readonly kind: 'zoom-schedule';
      readonly secret: string;
      /** Per event: [send offset ms from the start, user index, index into ZOOM_STATUSES]. */
      readonly events: ReadonlyArray<readonly [number, number, number]>;
      /** Epoch ms that offsets are added to for the events' own timestamps. */
      readonly baseAtMs: number;
    };

export interface LoadSpec {
  /** Full URL on 127.0.0.1, e.g. `http://127.0.0.1:3000/webhooks/zoom`. */
  readonly url: string;
  /** Requests per second (ignored for `zoom-schedule`, which carries its own times). */
  readonly rate?: number;
  readonly durationMs?: number;
  /** Requests in the first `warmupMs` are sent but not counted. */
  readonly warmupMs?: number;
  /** Concurrent connections (keep-alive); vendors deliver over several at once. */
  readonly maxSockets?: number;
  /** Per-request timeout. */
  readonly timeoutMs?: number;
  readonly body: BodySpec;
}

export interface LoadResult {
  /** Counted requests: ms from scheduled time to the end of the response. */
  readonly latencies: number[];
  /** Counted requests: ms from when the request was handed to the socket pool to the end of the response. */
  readonly serviceLatencies: number[];
  readonly statuses: Record<string, number>;
  readonly errors: number;
  readonly firstError?: string;
  readonly sent: number;
  readonly counted: number;
  /** Requests per second actually scheduled in the counted phase, and answered per second. */
  readonly offeredRate: number;
  readonly completedRate: number;
  /** Worst lateness of the sender itself (ms past a scheduled time); large values mean the client lagged. */
  readonly maxSendLagMs: number;
  /** From the first scheduled send to the last response. */
  readonly elapsedMs: number;
  /** Epoch ms of the first scheduled send. */
  readonly startedAtMs: number;
}

interface Planned {
  readonly atMs: number;
  readonly body: () => { body: Buffer; headers: Record<string, string> };
}

function plan(spec: LoadSpec, baseAtMs: number): Planned[] {
  const body = spec.body;
  if (body.kind === 'zoom-schedule') {
    return body.events.map(([offsetMs, user, status]) => ({
      atMs: offsetMs,
      body: () => {
        const raw = zoomPresenceBody(user, ZOOM_STATUSES[status]!, body.baseAtMs + offsetMs);
        return { body: raw, headers: { ...signZoomRequest(body.secret, raw, Math.floor(Date.now() / 1000)) } };
      },
    }));
  }
  const rate = spec.rate ?? 100;
  const count = Math.max(1, Math.floor(((spec.durationMs ?? 1000) * rate) / 1000));
  const planned: Planned[] = [];
  // Encrypting 100 items takes a few ms: built before the run (and reused) so the sender never lags. The
  // bridge orders rich notifications by arrival, so a reused batch is still a new state for each user.
  const richPool =
    body.kind === 'graph-rich-batch'
      ? Array.from({ length: 32 }, (_, j) => graphRichBatchBody({ ...body, firstUser: (j * body.batchSize) % Math.max(body.batchSize, body.users) }, j))
      : [];
  for (let i = 0; i < count; i += 1) {
    const atMs = (i * 1000) / rate;
    if (body.kind === 'zoom') {
      planned.push({
        atMs,
        body: () => {
          // +i ms keeps every event newer than the previous one of the same user.
          const raw = zoomPresenceBody(i % body.users, ZOOM_STATUSES[i % ZOOM_STATUSES.length]!, baseAtMs + i);
          return { body: raw, headers: { ...signZoomRequest(body.secret, raw, Math.floor(Date.now() / 1000)) } };
        },
      });
    } else if (body.kind === 'graph-batch') {
      planned.push({
        atMs,
        body: () => ({
          body: graphBatchBody({ ...body, firstUser: (i * body.batchSize) % Math.max(body.batchSize, body.users) }),
          headers: {},
        }),
      });
    } else {
      const pooled = richPool[i % richPool.length]!;
      planned.push({ atMs, body: () => ({ body: pooled, headers: {} }) });
    }
  }
  return planned;
}

/** Runs one load spec in this process. Used by the child; exported for completeness. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    return Promise.reject(new Error(`the load client only targets loopback, not ${url.hostname}`));
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.maxSockets ?? 64 });
  const warmupMs = spec.warmupMs ?? 0;
  const timeoutMs = spec.timeoutMs ?? 10_000;
  const startedAtMs = Date.now();
  const planned = plan(spec, startedAtMs);
  const lastAt = planned.length > 0 ? planned[planned.length - 1]!.atMs : 0;
  const latencies: number[] = [];
  const serviceLatencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let firstError: string | undefined;
  let sent = 0;
  let done = 0;
  let counted = 0;
  let maxSendLagMs = 0;
  let lastResponseMs = 0;
  const start = performance.now();

  return new Promise((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      agent.destroy();
      const firstCountedAt = planned.find((item) => item.atMs >= warmupMs)?.atMs ?? 0;
      const offeredRate = spec.body.kind === 'zoom-schedule' ? counted / Math.max(0.001, (lastAt - firstCountedAt) / 1000) : (spec.rate ?? 0);
      resolve({
        latencies,
        serviceLatencies,
        statuses,
        errors,
        firstError,
        sent,
        counted,
        offeredRate,
        completedRate: latencies.length / Math.max(0.001, (lastResponseMs - firstCountedAt) / 1000),
        maxSendLagMs,
        elapsedMs: lastResponseMs,
        startedAtMs,
      });
    };
    // Bounded: whatever happens, the run ends a little after the last scheduled send.
    const deadline = setTimeout(finish, lastAt + timeoutMs + 2_000);

    const send = (item: Planned): void => {
      const countIt = item.atMs >= warmupMs;
      if (countIt) counted += 1;
      const { body, headers } = item.body();
      const issuedAt = performance.now();
      sent += 1;
      const request = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length), ...headers },
        },
        (response) => {
          response.on('data', () => undefined);
          response.on('end', () => {
            const end = performance.now();
            lastResponseMs = end - start;
            const status = String(response.statusCode ?? 0);
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (countIt) {
              latencies.push(end - start - item.atMs);
              serviceLatencies.push(end - issuedAt);
            }
            done += 1;
            if (done === planned.length) finish();
          });
        },
      );
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on('error', (error) => {
        errors += 1;
        firstError ??= error.message;
        lastResponseMs = performance.now() - start;
        done += 1;
        if (done === planned.length) finish();
      });
      request.end(body);
    };

    let next = 0;
    const tick = (): void => {
      const now = performance.now() - start;
      while (next < planned.length && planned[next]!.atMs <= now) {
        maxSendLagMs = Math.max(maxSendLagMs, now - planned[next]!.atMs);
        send(planned[next]!);
        next += 1;
      }
      if (next < planned.length) setTimeout(tick, Math.max(0, planned[next]!.atMs - (performance.now() - start) - 0.5));
    };
    if (planned.length === 0) finish();
    else tick();
  });
}

/** A load client running in a child process. */
export interface LoadClient {
  run(spec: LoadSpec): Promise<LoadResult>;
  close(): void;
}

/** Forks the load client (this file) with tsx, so it runs on its own core and event loop. */
export function forkLoadClient(): LoadClient {
  const child: ChildProcess = fork(path.join(__dirname, 'load-client.ts'), ['--child'], {
    execArgv: ['--require', require.resolve('tsx/cjs')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  child.on('message', (message: { id: number; result?: LoadResult; error?: string }) => {
    const waiter = waiting.get(message.id);
    waiting.delete(message.id);
    if (!waiter) return;
    if (message.result) waiter.resolve(message.result);
    else waiter.reject(new Error(message.error ?? 'load client failed'));
  });
  child.on('exit', (code) => {
    for (const waiter of waiting.values()) waiter.reject(new Error(`load client exited (${code})`));
    waiting.clear();
  });
  return {
    run(spec) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, spec });
      });
    },
    close() {
      if (child.connected) child.disconnect();
      if (child.exitCode === null) child.kill();
    },
  };
}

if (require.main === module && process.argv.includes('--child')) {
  process.on('message', (message: { id: number; spec: LoadSpec }) => {
    runLoad(message.spec).then(
      (result) => process.send?.({ id: message.id, result }),
      (error: Error) => process.send?.({ id: message.id, error: error.message }),
    );
  });
  // The parent going away ends the client.
  process.on('disconnect', () => process.exit(0));
}
