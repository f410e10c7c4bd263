import { parseQueueMessage, SqsKeyQueue } from '../../src/queue/sqs';
import type { QueueMessage } from '../../src/queue/key-queue';
import { startSqsStandIn, type SqsStandIn } from '../helpers/sqs-stand-in';

describe('SqsKeyQueue over the wire', () => {
  let sqs: SqsStandIn;
  beforeAll(async () => (sqs = await startSqsStandIn()));
  afterAll(() => sqs.close());

  it('sends every message in batches of ten, round-tripping through parseQueueMessage', async () => {
    const queue = new SqsKeyQueue(sqs.client, sqs.queueUrl);
    const messages: QueueMessage[] = Array.from({ length: 23 }, (_, i) => ({
      kind: 'apply',
      key: { system: 'zoom', externalUserId: `u${i}` },
    }));
    messages.push({ kind: 'task', system: 'teams', task: 'read-presence', data: { userIds: 'a,b' } });
    await queue.enqueue(messages);
    expect(sqs.bodies().map(parseQueueMessage)).toEqual(messages);
  });

  it('cuts batches by size too: ten 60 KiB tasks go out in several SendMessageBatch calls under 256 KiB each', async () => {
    const queue = new SqsKeyQueue(sqs.client, sqs.queueUrl);
    const before = sqs.bodies().length;
    const messages: QueueMessage[] = Array.from({ length: 10 }, (_, i) => ({
      kind: 'task',
      system: 'teams',
      task: 'decrypt-presence',
      data: { receivedAt: String(i), items: 'x'.repeat(60 * 1024) },
    }));
    await queue.enqueue(messages);
    expect(sqs.bodies().slice(before).map(parseQueueMessage)).toEqual(messages);
  });

  it('rejects bodies that are not bridge messages', () => {
    expect(() => parseQueueMessage('{"kind":"other"}')).toThrow('not a bridge queue message');
  });
});

describe('handleSqsBatch', () => {
  let sqs: SqsStandIn;
  beforeAll(async () => (sqs = await startSqsStandIn()));
  afterAll(() => sqs.close());

  it('reports retries as partial batch failures and drops unreadable bodies', async () => {
    const { handleSqsBatch } = await import('../../src/queue/sqs-batch');
    const { silentLogger } = await import('../../src/logger');
    const body = (id: string) => JSON.stringify({ kind: 'apply', key: { system: 'zoom', externalUserId: id } });
    const response = await handleSqsBatch(
      {
        Records: [
          { messageId: 'm1', receiptHandle: 'r1', body: body('done') },
          { messageId: 'm2', receiptHandle: 'r2', body: body('retry') },
          { messageId: 'm3', receiptHandle: 'r3', body: 'garbage' },
          { messageId: 'm4', receiptHandle: 'r4', body: body('throws') },
        ],
      },
      async (message) => {
        if (message.kind !== 'apply') return { kind: 'done' };
        if (message.key.externalUserId === 'retry') return { kind: 'retry', afterMs: 2500 };
        if (message.key.externalUserId === 'throws') throw new Error('boom');
        return { kind: 'done' };
      },
      { client: sqs.client, queueUrl: sqs.queueUrl, logger: silentLogger },
    );
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm4']);
  });
});
