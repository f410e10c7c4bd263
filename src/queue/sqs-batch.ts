/**
 * The worker Lambda's SQS side: handle each record, report the ones to retry as partial batch
 * failures (ReportBatchItemFailures), and push their next delivery out by the delay the worker asked
 * for (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../errors';
import type { Logger } from '../logger';
import type { MessageHandler } from './key-queue';
import { parseQueueMessage } from './sqs';

export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
}
export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}
export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

/** SQS allows a visibility timeout of at most 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

export async function handleSqsBatch(
  event: SqsEvent,
  handler: MessageHandler,
  deps: { readonly client: SQSClient; readonly queueUrl: string; readonly logger: Logger },
): Promise<SqsBatchResponse> {
  const failures: Array<{ itemIdentifier: string }> = [];
  // The same key twice in one batch (a burst) is handled once: two concurrent passes would both see
  // "not applied yet" and write twice. The duplicate is simply acknowledged.
  const seen = new Set<string>();
  const unique = event.Records.filter((record) => {
    if (seen.has(record.body)) return false;
    seen.add(record.body);
    return true;
  });
  await Promise.all(
    unique.map(async (record) => {
      let message;
      try {
        message = parseQueueMessage(record.body);
      } catch (error) {
        deps.logger.error('dropping unreadable queue message', { messageId: record.messageId, error: describeError(error) });
        return;
      }
      try {
        const result = await handler(message);
        if (result.kind === 'done') return;
        failures.push({ itemIdentifier: record.messageId });
        const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.ceil(result.afterMs / 1000)));
        await deps.client
          .send(new ChangeMessageVisibilityCommand({ QueueUrl: deps.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }))
          .catch((error) => deps.logger.warn('could not delay retry; SQS will redeliver after the visibility timeout', { error: describeError(error) }));
      } catch (error) {
        deps.logger.error('worker failed; message will be redelivered', { messageId: record.messageId, error: describeError(error) });
        failures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
}
