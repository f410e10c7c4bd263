/**
 * Builds the bridge on AWS parts: DynamoDB state, SQS keys, the DynamoDB-shared request budget.
 * Used by the Lambda handlers (once per container, at cold start) and by tests against local stand-ins.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaFunctionName } from '../aws/function-parameters';
import type { BridgeConfig } from '../config';
import { ConfigError } from '../errors';
import { createGenesysClient, type GenesysClient } from '../genesys';
import type { RetrySettings } from '../genesys/transport';
import type { Logger } from '../logger';
import { containerMetrics } from '../metrics/lambda-metrics';
import { DynamoDbRequestBudget } from '../store/dynamodb-budget';
import { assembleBridge, type AssembledBridge } from './assemble-bridge';
import { createAwsStateParts, type AwsClientOptions } from './aws-webhook-bridge';
import { claimLeaseFor, createInvocationDeadline, type InvocationDeadline } from './invocation-deadline';
import { resolveGenesysEndpoint } from './resolved-config';

export interface AwsBridge extends AssembledBridge {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** The current invocation's end; the Lambda handlers start and clear it (invocation-deadline.ts). */
  readonly deadline: InvocationDeadline;
}

export interface AwsBridgeOptions extends AwsClientOptions {
  readonly genesysRetry?: RetrySettings;
  readonly workerRetryMs?: number;
  /**
   * Which Lambda function this bridge serves. The webhook function never calls Genesys and its role
   * cannot read the Genesys credentials, so it gets a Genesys client that refuses every call.
   */
  readonly function?: LambdaFunctionName;
}

/** The AWS Platform (DynamoDB state and budget, SQS keys, EMF metrics, the invocation deadline), assembled. */
export function createAwsBridge(config: BridgeConfig, logger: Logger, options: AwsBridgeOptions = {}): AwsBridge {
  // Table and queue first: their absence is the more basic misconfiguration.
  const { tableName, queueUrl, dynamo, sqs, store, queue } = createAwsStateParts(config, options);
  const resolved =
    options.function === 'webhook'
      ? undefined
      : resolveGenesysEndpoint(
          config,
          'on AWS the bridge needs a Genesys OAuth client: put GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET under BRIDGE_SSM_PREFIX and set GENESYS_REGION',
        );
  const now = Date.now;
  // EMF lines, written when each invocation ends (withMetrics in src/lambda/<function>.ts).
  const metrics = containerMetrics({ namespace: config.aws.metricsNamespace, service: config.aws.metricsService });
  const deadline = createInvocationDeadline(now);
  const genesys = resolved
    ? createGenesysClient({
        config: resolved.genesys,
        budget: new DynamoDbRequestBudget({ client: dynamo, tableName, requestsPerMinute: config.genesys.requestsPerMinute, now }),
        documents: store,
        logger,
        now,
        retry: options.genesysRetry,
        deadline: deadline.get,
        metrics,
      })
    : unavailableGenesysClient();
  const assembled = assembleBridge(resolved ?? config, {
    store,
    queue,
    genesys,
    now,
    logger,
    metrics,
    msalNetworkClient: options.msalNetworkClient,
    workerRetryMs: options.workerRetryMs,
    claimLeaseMs: () => claimLeaseFor(deadline, now),
  });
  return { ...assembled, sqs, queueUrl, deadline };
}

/** The webhook function's Genesys client: any use is a wiring bug, reported as such. */
function unavailableGenesysClient(): GenesysClient {
  const refuse = (part: string) =>
    new Proxy(
      {},
      {
        get: (_target, property) => {
          // Not a thenable: awaiting the part must not look like a call.
          if (property === 'then') return undefined;
          return () => {
            throw new ConfigError(`the webhook function does not call Genesys (genesys.${part}.${String(property)}); this runs in the worker or maintainer`);
          };
        },
      },
    );
  return {
    http: refuse('http'),
    auth: refuse('auth'),
    sources: refuse('sources'),
    definitions: refuse('definitions'),
    presence: refuse('presence'),
    users: refuse('users'),
    close: async () => undefined,
  } as unknown as GenesysClient;
}
