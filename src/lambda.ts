/**
 * Composition root for AWS Lambda: `webhook` (HTTP API), `worker` (SQS, partial batch failures) and
 * `maintainer` (schedule). The bridge is built once per container at cold start: configuration from
 * the environment plus SecureString parameters under BRIDGE_SSM_PREFIX.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { loadSsmSecrets } from './aws/ssm-secrets';
import { loadConfig, ssmSecretsPrefix } from './config';
import { createLogger } from './logger';
import { handleSqsBatch, type SqsBatchResponse, type SqsEvent } from './queue/sqs-batch';
import { createAwsBridge, type AwsBridge } from './runtime/aws-bridge';
import { buildStatusPageDeps } from './runtime/status-page-deps';
import { runMaintenance, type MaintenanceReport } from './runtime/maintenance';
import { awsStatusAccess } from './status/status-access';
import { serveStatusPage } from './status/status-page';
import { createHttpApiHandler, type HttpApiEvent, type HttpApiResult } from './webhooks/adapters/lambda';
import { handleWebhook } from './webhooks/handle-webhook';
import { checkHealth } from './webhooks/health';
import { processMessage } from './webhooks/worker';

let bridge: Promise<AwsBridge> | undefined;

async function coldStart(): Promise<AwsBridge> {
  const prefix = ssmSecretsPrefix();
  const secrets = prefix ? await loadSsmSecrets(new SSMClient({}), prefix) : {};
  const config = loadConfig(process.env, secrets);
  const logger = createLogger(config.logLevel);
  for (const notice of config.notices) logger.warn(notice);
  return createAwsBridge(config, logger);
}

/** The container's bridge; a failed cold start is retried on the next invocation. */
function getBridge(): Promise<AwsBridge> {
  bridge ??= coldStart().catch((error) => {
    bridge = undefined;
    throw error;
  });
  return bridge;
}

/** For tests: use this bridge instead of building one from the environment. */
export function useBridgeForTests(instance: AwsBridge | undefined): void {
  bridge = instance ? Promise.resolve(instance) : undefined;
  httpHandler = undefined;
}

/** Built once per container, next to the bridge, not on every invocation. */
let httpHandler: ((event: HttpApiEvent) => Promise<HttpApiResult>) | undefined;

export async function webhook(event: HttpApiEvent): Promise<HttpApiResult> {
  const { webhook: deps, parts } = await getBridge();
  if (!httpHandler) {
    // Off (404) unless STATUS_PAGE_TOKEN is set: the HTTP API is public.
    const statusDeps = buildStatusPageDeps(parts, awsStatusAccess(parts.config.statusPageTokens));
    httpHandler = createHttpApiHandler(
      (request) => handleWebhook(request, deps),
      deps.now,
      () => checkHealth({ checkWritable: () => deps.store.checkWritable(), logger: deps.logger }),
      (request) => serveStatusPage(request, statusDeps),
    );
  }
  return httpHandler(event);
}

export async function worker(event: SqsEvent): Promise<SqsBatchResponse> {
  const { worker: deps, sqs, queueUrl, parts } = await getBridge();
  return handleSqsBatch(event, (message) => processMessage(message, deps), { client: sqs, queueUrl, logger: parts.logger });
}

export async function maintainer(): Promise<MaintenanceReport> {
  const { parts, maintenanceSteps } = await getBridge();
  return runMaintenance(parts, maintenanceSteps);
}
