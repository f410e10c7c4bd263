/**
 * Benchmark 4 — store throughput: desired-state writes per second (`recordDesired`, the write on the
 * webhook's acknowledgement path), each one a new state for its user, at several numbers of concurrent
 * writers, for:
 * - the embedded store (src/store/embedded.ts) in a fresh temp directory: every write is fsynced
 *   before it resolves; concurrent writers share fsyncs (group commit), which is what one local
 *   process sustains under load;
 * - the DynamoDB store (src/store/dynamodb.ts) over HTTP against dynalite, an in-process JavaScript
 *   stand-in: its figures are the client's and dynalite's CPU cost, NOT real DynamoDB latency
 *   (single-digit ms per write in-region) or DynamoDB's throughput (per-partition limits).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableIfMissing, DynamoDbStateStore } from '../src/store/dynamodb';
import { openEmbeddedStore } from '../src/store/embedded';
import type { DesiredState, StateStore } from '../src/store/state-store';
import { makeTempDir } from './bridge-harness';
import type { BenchReport, Row } from './results';
import { round, summarize, type Summary } from './stats';

export interface StoreOptions {
  /** Concurrent writers per measurement. */
  readonly concurrency: readonly number[];
  /** Length of each measurement. */
  readonly seconds: number;
  /** Distinct users the writes cycle through. */
  readonly users: number;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = { concurrency: [1, 16, 64], seconds: 3, users: 10_000 };

interface Measurement {
  readonly concurrency: number;
  readonly writes: number;
  readonly writesPerSecond: number;
  readonly latencyMs: Summary;
}

/** Runs `concurrency` writers for `seconds`; every write is a newer desired state of some user. */
async function measure(store: StateStore, concurrency: number, options: StoreOptions, counter: { order: number }): Promise<Measurement> {
  const latencies: number[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  const writer = async (): Promise<void> => {
    while (performance.now() < deadline) {
      counter.order += 1;
      const order = counter.order;
      const user = order % options.users;
      const desired: DesiredState = {
        target: 'Busy',
        message: 'On a phone call',
        values: { presence_status: 'On_Phone_Call' },
        order: 1_750_000_000_000 + order,
        tiebreak: 0,
        recordedAt: new Date().toISOString(),
      };
      const t0 = performance.now();
      const outcome = await store.recordDesired({ system: 'zoom', externalUserId: `bench${user}` }, desired, `bench-user-${user}@example.com`);
      latencies.push(performance.now() - t0);
      if (outcome !== 'recorded') throw new Error(`expected a recorded write, got ${outcome}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => writer()));
  const elapsed = (performance.now() - started) / 1000;
  return { concurrency, writes: latencies.length, writesPerSecond: round(latencies.length / elapsed, 0), latencyMs: summarize(latencies) };
}

type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

async function withDynalite<T>(work: (client: DynamoDBClient) => Promise<T>): Promise<T> {
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    // Fake credentials: dynalite checks the signature's shape only; the environment is never read.
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    return await work(client);
  } finally {
    client.destroy();
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function runStoreThroughput(report: BenchReport, options: StoreOptions, log: (line: string) => void): Promise<void> {
  const embedded: Measurement[] = [];
  const dir = makeTempDir('store');
  try {
    const store = await openEmbeddedStore(path.join(dir, 'state'));
    const counter = { order: 0 };
    try {
      for (const concurrency of options.concurrency) {
        const m = await measure(store, concurrency, options, counter);
        embedded.push(m);
        log(`  embedded, ${concurrency} writer(s): ${m.writesPerSecond} writes/s (p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms)`);
      }
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const dynamo = await withDynalite(async (client) => {
    const tableName = 'bench-state';
    await createTableIfMissing(client, tableName);
    const store = new DynamoDbStateStore({ client, tableName });
    const counter = { order: 0 };
    const results: Measurement[] = [];
    for (const concurrency of options.concurrency) {
      const m = await measure(store, concurrency, options, counter);
      results.push(m);
      log(`  DynamoDB (dynalite), ${concurrency} writer(s): ${m.writesPerSecond} writes/s (p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms)`);
    }
    return results;
  });

  report.setFigures('storeThroughput', {
    method:
      `recordDesired of a newer state, users cycling over ${options.users}, ${options.seconds} s per measurement; ` +
      'embedded: fresh directory under the OS temp dir, every write fsynced before it resolves (group commit across concurrent writers); ' +
      'DynamoDB: the real DynamoDbStateStore over HTTP to dynalite (in-process JS stand-in, same machine) — not real DynamoDB latency',
    options,
    embedded,
    dynamodbLocalStandIn: dynamo,
  });
  const rows: Row[] = [];
  for (const m of embedded) {
    rows.push([
      `embedded store, ${m.concurrency} writer(s)`,
      `${m.writesPerSecond} writes/s  (per write p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms)`,
    ]);
  }
  for (const m of dynamo) {
    rows.push([
      `DynamoDB via dynalite, ${m.concurrency} writer(s)`,
      `${m.writesPerSecond} writes/s  (per write p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms)`,
    ]);
  }
  report.addSection('4. Store throughput: desired-state writes per second (dynalite is a local stand-in, not DynamoDB)', rows);
}
