/** The `worker` function (SQS, partial batch failures): applies each key's latest desired state to Genesys. */
import { handleSqsBatch, type SqsBatchResponse, type SqsEvent } from '../queue/sqs-batch';
import { createAwsBridge } from '../runtime/aws-bridge';
import type { LambdaContextLike } from '../runtime/invocation-deadline';
import { processMessage } from '../webhooks/worker';
import './sdk-secrets';
import { getFunctionParts } from './cold-start';
import { withMetrics } from '../metrics/lambda-metrics';

/**
 * `context` gives the invocation's remaining time: no Genesys wait may outlast it (a key whose wait would
 * is parked and retried later), so one slow key never times out the whole batch.
 */
async function runWorker(event: SqsEvent, context?: LambdaContextLike): Promise<SqsBatchResponse> {
  const { worker: deps, sqs, queueUrl, parts, deadline } = await getFunctionParts('worker', createAwsBridge);
  deadline.start(context);
  try {
    return await handleSqsBatch(event, (message) => processMessage(message, deps), { client: sqs, queueUrl, logger: parts.logger });
  } finally {
    deadline.clear();
  }
}

/** Writes the EMF metrics the invocation recorded when it ends (src/metrics/lambda-metrics.ts). */
export const handler = withMetrics(runWorker);
