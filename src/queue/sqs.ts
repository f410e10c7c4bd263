/**
 * SQS implementation of KeyQueue (AWS). Messages are small JSON documents; SendMessageBatch sends ten
 * at a time. Duplicates are harmless: the worker applies the latest desired state, so a key delivered
 * twice costs one store read, not a Genesys write.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BridgeError } from '../errors';
import type { KeyQueue, QueueMessage } from './key-queue';

/** SQS caps DelaySeconds at 900 (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html). */
export const SQS_MAX_DELAY_SECONDS = 900;
const SQS_BATCH = 10;
/**
 * One message, and the sum of the bodies of one SendMessageBatch, are each at most 256 KiB
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html).
 * Teams decrypt-presence tasks carry encrypted items (up to ~200 KiB each, tasks.ts), so batches are cut
 * by size as well as by count.
 */
export const SQS_MAX_BATCH_BYTES = 256 * 1024;

/** Groups bodies into SendMessageBatch calls of at most ten entries and SQS_MAX_BATCH_BYTES in all. */
function batchesOf(bodies: readonly string[]): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body, 'utf8');
    if (batch.length > 0 && (batch.length >= SQS_BATCH || bytes + size > SQS_MAX_BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(body);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

export class SqsKeyQueue implements KeyQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(messages: readonly QueueMessage[], delayMs = 0): Promise<void> {
    const delaySeconds = Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil(Math.max(0, delayMs) / 1000));
    for (const batch of batchesOf(messages.map((message) => JSON.stringify(message)))) {
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((body, index) => ({
            Id: String(index),
            MessageBody: body,
            DelaySeconds: delaySeconds,
          })),
        }),
      );
      if (result.Failed && result.Failed.length > 0) {
        const first = result.Failed[0];
        throw new BridgeError(
          `SQS refused ${result.Failed.length} of ${batch.length} messages (${first.Code}: ${first.Message}); check the queue policy and BRIDGE_QUEUE_URL`,
        );
      }
    }
  }
}

/** Parses a message body written by SqsKeyQueue; throws on anything else. */
export function parseQueueMessage(body: string): QueueMessage {
  const parsed = JSON.parse(body) as QueueMessage;
  if (parsed?.kind === 'apply' && typeof parsed.key?.system === 'string' && typeof parsed.key.externalUserId === 'string') {
    return parsed;
  }
  if (parsed?.kind === 'task' && typeof parsed.system === 'string' && typeof parsed.task === 'string') return parsed;
  throw new BridgeError(`not a bridge queue message: ${body.slice(0, 200)}`);
}
