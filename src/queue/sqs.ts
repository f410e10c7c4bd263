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

export class SqsKeyQueue implements KeyQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(messages: readonly QueueMessage[], delayMs = 0): Promise<void> {
    const delaySeconds = Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil(Math.max(0, delayMs) / 1000));
    for (let i = 0; i < messages.length; i += SQS_BATCH) {
      const batch = messages.slice(i, i + SQS_BATCH);
      const result = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(message),
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
