/**
 * The worker and maintainer Lambdas during a Genesys outage, on dynalite and the SQS stand-in:
 * - a Genesys wait longer than the invocation has left parks that key, and the rest of the batch finishes;
 * - the maintainer does not add a second message for a key whose message is still in the queue.
 */
import { maintainer, useBridgeForTests, worker } from '../../src/lambda';
import { silentLogger } from '../../src/logger';
import { applyMessage } from '../../src/queue/key-queue';
import type { RetrySettings } from '../../src/genesys/transport';
import { createAwsBridge, type AwsBridge } from '../../src/runtime/aws-bridge';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { createTableIfMissing } from '../../src/store/dynamodb';
import type { DesiredState, StateKey } from '../../src/store/state-store';
import { createTestClient, startDynalite } from '../helpers/dynalite';
import { startSqsStandIn, type SqsStandIn } from '../helpers/sqs-stand-in';
import { awsTestConfig, receiveRecords } from '../helpers/aws-test-bridge';

function desired(order: number, target: string): DesiredState {
  return { target, message: target, values: { presence_status: target }, order, tiebreak: 0, recordedAt: new Date(order).toISOString() };
}

describe('worker and maintainer Lambdas during a Genesys outage', () => {
  let dynalite: Awaited<ReturnType<typeof startDynalite>>;
  let sqs: SqsStandIn;
  let sandbox: GenesysSandbox;
  const bridges: AwsBridge[] = [];
  let tables = 0;

  beforeAll(async () => {
    dynalite = await startDynalite();
    sandbox = await startGenesysSandbox({ seedDemoUsers: true });
  });

  beforeEach(async () => {
    // A fresh queue per test, so message counts belong to the test.
    sqs = await startSqsStandIn();
    sandbox.setFaults({});
  });

  afterEach(async () => {
    useBridgeForTests(undefined);
    for (const bridge of bridges.splice(0)) {
      await bridge.parts.genesys.close();
      (bridge.parts.store as unknown as { client: { destroy(): void } }).client.destroy();
    }
    await sqs.close();
  });

  afterAll(async () => {
    await sandbox.close();
    await dynalite.close();
  });

  /** A bridge on its own table (the shared Genesys budget lives in the table, so tests do not share holds). */
  async function newBridge(genesysRetry: RetrySettings): Promise<AwsBridge> {
    tables += 1;
    const tableName = `bridge-outage-${tables}`;
    await createTableIfMissing(dynalite.client, tableName);
    const config = awsTestConfig(tableName, sqs, sandbox);
    const bridge = createAwsBridge(config, silentLogger, {
      dynamo: createTestClient(dynalite.endpoint),
      sqs: sqs.client,
      workerRetryMs: 1000,
      genesysRetry,
    });
    bridges.push(bridge);
    useBridgeForTests(bridge);
    return bridge;
  }

  /** What the webhook does: record, then enqueue the key. */
  async function recordAndEnqueue(bridge: AwsBridge, key: StateKey, state: DesiredState, email: string): Promise<void> {
    await bridge.parts.store.recordDesired(key, state, email);
    await bridge.parts.queue.enqueue([applyMessage(key)]);
  }

  const receiveAll = () => receiveRecords(sqs);

  const messagesFor = (key: StateKey) => sqs.bodies().filter((body) => body.includes(`"${key.externalUserId}"`)).length;

  it('parks a key whose Genesys wait would outlast the invocation, and finishes the rest of the batch', async () => {
    const bridge = await newBridge({ maxAttempts: 2, backoff: { baseMs: 5, capMs: 50 } });
    const slow: StateKey = { system: 'zoom', externalUserId: 'zoom-bob' };
    const settled: StateKey = { system: 'zoom', externalUserId: 'zoom-carol' };
    // Both applied once, so sources, definitions and users are known.
    await recordAndEnqueue(bridge, slow, desired(1000, 'Busy'), 'bob@example.com');
    await recordAndEnqueue(bridge, settled, desired(1000, 'Busy'), 'carol@example.com');
    expect((await worker({ Records: await receiveAll() })).batchItemFailures).toEqual([]);

    // Bob changes; Genesys now answers every request 429 with Retry-After 30 s (below the 180 s quota
    // threshold, so without a deadline the transport would sleep on it). Carol's message is a duplicate.
    await recordAndEnqueue(bridge, slow, desired(2000, 'Available'), 'bob@example.com');
    await bridge.parts.queue.enqueue([applyMessage(settled)]);
    sandbox.setFaults({ rateLimitRetryAfterSeconds: 30 });
    const records = await receiveAll();
    expect(records).toHaveLength(2);
    const started = Date.now();

    const result = await worker({ Records: records }, { getRemainingTimeInMillis: () => 10_000 });

    // Well within the invocation: nothing slept on the 30 s.
    expect(Date.now() - started).toBeLessThan(5_000);
    const bobMessage = records.find((r) => r.body.includes('zoom-bob'))!;
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: bobMessage.messageId }]);
    const bob = await bridge.parts.store.get(slow);
    expect(bob).toMatchObject({ status: 'parked', detail: expect.stringMatching(/longer than this worker invocation has left/) });
    expect(Date.parse(bob!.retryAt!)).toBeGreaterThanOrEqual(started + 29_000);
    expect((await bridge.parts.store.get(settled))?.status).toBe('applied');
  }, 20_000);

  it('does not add a second message for a key whose message is still in the queue', async () => {
    const bridge = await newBridge({ maxAttempts: 1 });
    const queued: StateKey = { system: 'zoom', externalUserId: 'zoom-alice' };
    const lost: StateKey = { system: 'zoom', externalUserId: 'zoom-dave' };
    await recordAndEnqueue(bridge, queued, desired(1000, 'Away'), 'alice@example.com');
    // Recorded, but the enqueue failed (the webhook then answered 5xx): only the maintainer can recover it.
    await bridge.parts.store.recordDesired(lost, desired(1000, 'Busy'), 'dave@example.com');

    sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
    const records = await receiveAll();
    expect((await worker({ Records: records })).batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((r) => r.messageId));
    expect(messagesFor(queued)).toBe(1);

    // Two maintainer runs during the outage: the lost key gets one message, the queued key none.
    expect((await maintainer()).requeued).toBe(1);
    expect((await maintainer()).requeued).toBe(0);
    expect(messagesFor(queued)).toBe(1);
    expect(messagesFor(lost)).toBe(1);

    // The outage ends: the messages already in the queue finish both keys.
    sandbox.setFaults({});
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const redelivered = await receiveAll();
    expect(redelivered).toHaveLength(2);
    expect((await worker({ Records: redelivered })).batchItemFailures).toEqual([]);
    expect((await bridge.parts.store.get(queued))?.status).toBe('applied');
    expect((await bridge.parts.store.get(lost))?.status).toBe('applied');
    expect((await maintainer()).requeued).toBe(0);
  }, 20_000);
});
