/**
 * Composition root for AWS Lambda: `webhook` (HTTP API), `status` (HTTP API, the operators' page),
 * `worker` (SQS, partial batch failures) and `maintainer` (schedule). The bridge is built once per container at cold start: configuration from
 * the environment plus the function's own SecureString parameters under BRIDGE_SSM_PREFIX (each
 * function has its own role, which grants only those; see src/aws/function-parameters.ts).
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { FUNCTION_PARAMETERS, type LambdaFunctionName } from './aws/function-parameters';
import { loadSsmSecrets } from './aws/ssm-secrets';
import { loadConfig, ssmSecretsPrefix, type Env } from './config';
import { createLogger } from './logger';
import { withMetrics } from './metrics/lambda-metrics';
import { handleSqsBatch, type SqsBatchResponse, type SqsEvent } from './queue/sqs-batch';
import { createAwsBridge, type AwsBridge, type AwsBridgeOptions } from './runtime/aws-bridge';
import type { LambdaContextLike } from './runtime/invocation-deadline';
import { buildStatusPageDeps } from './runtime/status-page-deps';
import { runMaintenance, type MaintenanceReport } from './runtime/maintenance';
import { awsStatusAccess } from './status/status-access';
import { serveStatusPage } from './status/status-page';
import { createHttpApiHandler, type HttpApiEvent, type HttpApiResult } from './webhooks/adapters/lambda';
import { handleWebhook } from './webhooks/handle-webhook';
import { checkHealth } from './webhooks/health';
import { processMessage } from './webhooks/worker';

/** A container only ever runs one function; tests run all three in one process, each with its own bridge. */
const bridges: Partial<Record<LambdaFunctionName, Promise<AwsBridge>>> = {};

/** What tests swap in for a real cold start: the environment, the SSM client, and bridge options (clients). */
export interface ColdStartOverrides {
  readonly env?: (fn: LambdaFunctionName) => Env;
  readonly ssm?: (fn: LambdaFunctionName) => SSMClient;
  readonly bridge?: (fn: LambdaFunctionName) => AwsBridgeOptions;
}
let overrides: ColdStartOverrides = {};

async function coldStart(fn: LambdaFunctionName): Promise<AwsBridge> {
  const env = overrides.env?.(fn) ?? process.env;
  const prefix = ssmSecretsPrefix(env);
  const secrets = prefix ? await loadSsmSecrets(overrides.ssm?.(fn) ?? new SSMClient({}), prefix, FUNCTION_PARAMETERS[fn]) : {};
  const config = loadConfig(env, secrets);
  const logger = createLogger(config.logLevel);
  for (const notice of config.notices) logger.warn(notice);
  return createAwsBridge(config, logger, { ...overrides.bridge?.(fn), function: fn });
}

/** The container's bridge; a failed cold start is retried on the next invocation. */
function getBridge(fn: LambdaFunctionName): Promise<AwsBridge> {
  bridges[fn] ??= coldStart(fn).catch((error) => {
    bridges[fn] = undefined;
    throw error;
  });
  return bridges[fn];
}

/** For tests: use this bridge instead of building one from the environment. */
export function useBridgeForTests(instance: AwsBridge | undefined): void {
  for (const fn of Object.keys(FUNCTION_PARAMETERS) as LambdaFunctionName[]) {
    bridges[fn] = instance ? Promise.resolve(instance) : undefined;
  }
  webhookHandler = undefined;
  statusHandler = undefined;
}

/** For tests: run the real cold start (SSM read, config, bridge) with these overrides; `{}` restores the defaults. */
export function useColdStartForTests(next: ColdStartOverrides): void {
  overrides = next;
  useBridgeForTests(undefined);
}

/** Built once per container, next to the bridge, not on every invocation. */
let webhookHandler: ((event: HttpApiEvent) => Promise<HttpApiResult>) | undefined;
let statusHandler: ((event: HttpApiEvent) => Promise<HttpApiResult>) | undefined;

async function runWebhook(event: HttpApiEvent): Promise<HttpApiResult> {
  const deps = (await getBridge('webhook')).webhook;
  webhookHandler ??= createHttpApiHandler(
    (request) => handleWebhook(request, deps),
    deps.now,
    () => checkHealth({ checkWritable: () => deps.store.checkWritable(), logger: deps.logger }),
  );
  return webhookHandler(event);
}

/**
 * `GET /status` and `/status.json`: its own function, so the public webhook function keeps its narrow
 * role (the page lists every record, which takes a Scan, and may read primary sources from Genesys).
 * Off (404) unless STATUS_PAGE_TOKEN is set; then bearer-token only (src/status/status-access.ts).
 */
async function runStatus(event: HttpApiEvent): Promise<HttpApiResult> {
  const { parts } = await getBridge('status');
  if (!statusHandler) {
    const statusDeps = buildStatusPageDeps(parts, awsStatusAccess(parts.config.statusPageTokens));
    statusHandler = createHttpApiHandler(
      async () => ({ status: 404, headers: { 'content-type': 'application/json' }, body: '{"error":"not found"}' }),
      parts.now,
      undefined,
      (request) => serveStatusPage(request, statusDeps),
    );
  }
  return statusHandler(event);
}

/**
 * `context` gives the invocation's remaining time: no Genesys wait may outlast it (a key whose wait would
 * is parked and retried later), so one slow key never times out the whole batch.
 */
async function runWorker(event: SqsEvent, context?: LambdaContextLike): Promise<SqsBatchResponse> {
  const { worker: deps, sqs, queueUrl, parts, deadline } = await getBridge('worker');
  deadline.start(context);
  try {
    return await handleSqsBatch(event, (message) => processMessage(message, deps), { client: sqs, queueUrl, logger: parts.logger });
  } finally {
    deadline.clear();
  }
}

async function runMaintainer(): Promise<MaintenanceReport> {
  const { parts, maintenanceSteps } = await getBridge('maintainer');
  return runMaintenance(parts, maintenanceSteps);
}

/** The handlers; each writes the EMF metrics its invocation recorded when it ends (src/metrics/lambda-metrics.ts). */
export const webhook = withMetrics(runWebhook);
export const status = withMetrics(runStatus);
export const worker = withMetrics(runWorker);
export const maintainer = withMetrics(runMaintainer);
