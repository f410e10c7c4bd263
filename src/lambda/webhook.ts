/**
 * The `webhook` function (HTTP API): verify, record desired state, enqueue the key, answer. Its bundle
 * holds only that path (src/runtime/aws-webhook-bridge.ts): no Genesys, REST, MSAL or Graph client.
 */
import { createAwsWebhookBridge, type AwsWebhookBridge } from '../runtime/aws-webhook-bridge';
import { createHttpApiHandler, type HttpApiEvent, type HttpApiResult } from '../webhooks/adapters/lambda';
import { handleWebhook } from '../webhooks/handle-webhook';
import { checkHealth } from '../webhooks/health';
import { getFunctionParts, onePerInstance } from './cold-start';
import { withMetrics } from '../metrics/lambda-metrics';

const httpHandlerFor = onePerInstance(({ webhook: deps }: AwsWebhookBridge) =>
  createHttpApiHandler(
    (request) => handleWebhook(request, deps),
    deps.now,
    () => checkHealth({ checkWritable: () => deps.store.checkWritable(), logger: deps.logger }),
  ),
);

async function runWebhook(event: HttpApiEvent): Promise<HttpApiResult> {
  return httpHandlerFor(await getFunctionParts('webhook', createAwsWebhookBridge))(event);
}

/** Writes the EMF metrics the invocation recorded when it ends (src/metrics/lambda-metrics.ts). */
export const handler = withMetrics(runWebhook);
