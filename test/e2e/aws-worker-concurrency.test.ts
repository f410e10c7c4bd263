/**
 * Two worker Lambdas (two containers: separate DynamoDB and Genesys clients) handle messages for the
 * same key at once, as an SQS standard queue allows. The older PATCH is held back by the sandbox while
 * the newer state arrives: the end state must be the latest desired state, in Genesys and in the record.
 */
import { silentLogger } from '../../src/logger';
import { applyMessage, type WorkResult } from '../../src/queue/key-queue';
import { createAwsBridge, type AwsBridge } from '../../src/runtime/aws-bridge';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { createTableIfMissing } from '../../src/store/dynamodb';
import type { DesiredState, StateKey } from '../../src/store/state-store';
import { processMessage } from '../../src/webhooks/worker';
import { createTestClient, startDynalite } from '../helpers/dynalite';
import { startSqsStandIn, type SqsStandIn } from '../helpers/sqs-stand-in';
import { awsTestConfig } from '../helpers/aws-test-bridge';

const TABLE = 'bridge-concurrency-test';
const KEY: StateKey = { system: 'zoom', externalUserId: 'zoom-bob' };
/** How long the sandbox holds back the older write. */
const SLOW_MS = 1500;

function desired(order: number, target: string, message: string): DesiredState {
  return { target, message, values: { presence_status: target }, order, tiebreak: 0, recordedAt: new Date(order).toISOString() };
}

describe('two workers on the same key (DynamoDB on dynalite, Genesys sandbox over HTTP)', () => {
  let dynalite: Awaited<ReturnType<typeof startDynalite>>;
  let sqs: SqsStandIn;
  let sandbox: GenesysSandbox;
  let workerA: AwsBridge;
  let workerB: AwsBridge;

  beforeAll(async () => {
    dynalite = await startDynalite();
    sqs = await startSqsStandIn();
    sandbox = await startGenesysSandbox({ seedDemoUsers: true });
    await createTableIfMissing(dynalite.client, TABLE);
    const config = awsTestConfig(TABLE, sqs, sandbox);
    const container = () =>
      createAwsBridge(config, silentLogger, { dynamo: createTestClient(dynalite.endpoint), sqs: sqs.client, genesysRetry: { maxAttempts: 1 } });
    workerA = container();
    workerB = container();
  });

  afterAll(async () => {
    sandbox.setFaults({});
    for (const bridge of [workerA, workerB]) {
      await bridge.parts.genesys.close();
      (bridge.parts.store as unknown as { client: { destroy(): void } }).client.destroy();
    }
    await sandbox.close();
    await sqs.close();
    await dynalite.close();
  });

  /** Runs a worker pass, then its retries as SQS would redeliver them, until it reports done. */
  async function untilDone(bridge: AwsBridge, first: Promise<WorkResult>): Promise<number> {
    let result = await first;
    let retries = 0;
    while (result.kind === 'retry') {
      retries += 1;
      if (retries > 20) throw new Error('the key was never finished');
      await new Promise((resolve) => setTimeout(resolve, Math.min(result.kind === 'retry' ? result.afterMs : 0, 2500)));
      result = await processMessage(applyMessage(KEY), bridge.worker);
    }
    return retries;
  }

  it('ends with the latest desired state in Genesys and in the record when the older PATCH lands last', async () => {
    const store = workerA.parts.store;
    const bob = sandbox.listUsers().find((u) => u.email === 'bob@example.com')!;
    const sourceId = (await workerA.parts.genesys.sources.getSources(workerA.parts.config.genesys.sourceNames)).zoom.id;
    const definitionOf = (systemPresence: string) => sandbox.definitions().find((d) => d.systemPresence === systemPresence && d.type === 'System')!.id;
    sandbox.setFaults({
      latencyFor: (request) => (request.method === 'PATCH' && (request.body as { message?: string } | undefined)?.message === 'older' ? SLOW_MS : 0),
    });

    // Worker A takes the older state; its PATCH reaches Genesys and is held there.
    await store.recordDesired(KEY, desired(1000, 'Busy', 'older'), 'bob@example.com');
    const passA = processMessage(applyMessage(KEY), workerA.worker);
    await waitFor(() => sandbox.requests.some((r) => r.method === 'PATCH' && (r.body as { message?: string })?.message === 'older'));

    // Meanwhile the newer state arrives and worker B gets its message; B's PATCH would be fast.
    await workerB.parts.store.recordDesired(KEY, desired(2000, 'Available', 'newer'), 'bob@example.com');
    const passB = processMessage(applyMessage(KEY), workerB.worker);

    const [, retriesB] = await Promise.all([
      passA.then(async (result) => {
        // A re-checks after its write: the newer state is written before A lets go of the key.
        expect(result).toEqual({ kind: 'done' });
        expect(sandbox.getPresence(bob.id, sourceId)).toMatchObject({ definitionId: definitionOf('Available'), message: 'newer' });
      }),
      untilDone(workerB, passB),
    ]);

    expect(sandbox.getPresence(bob.id, sourceId)).toMatchObject({ definitionId: definitionOf('Available'), message: 'newer' });
    const writes = sandbox.presenceWrites.filter((w) => w.userId === bob.id && w.sourceId === sourceId).map((w) => w.message);
    expect(writes).toEqual(['older', 'newer']);
    const record = await store.get(KEY);
    expect(record).toMatchObject({
      status: 'applied',
      desired: { order: 2000, message: 'newer' },
      applied: { order: 2000, message: 'newer', definitionId: definitionOf('Available'), sourceId },
    });
    // B found the key claimed and was retried, and then had nothing left to do.
    expect(retriesB).toBeGreaterThanOrEqual(1);
    expect(sandbox.violations).toEqual([]);
  }, 30_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
