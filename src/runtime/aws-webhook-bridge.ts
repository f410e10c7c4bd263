/**
 * The webhook function's composition on AWS: DynamoDB state, SQS keys and the vendors' webhook sources,
 * nothing else. It imports no Genesys client, REST client (axios), MSAL or Graph client, so the webhook
 * bundle stays small and loads fast at a cold start (vendors allow 3 s; README "Performance").
 * The other functions use aws-bridge.ts, which assembles everything (assembleBridge).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { BridgeConfig } from '../config';
import { ConfigError } from '../errors';
import type { Logger } from '../logger';
import { containerMetrics } from '../metrics/lambda-metrics';
import { SqsKeyQueue } from '../queue/sqs';
import { DynamoDbStateStore } from '../store/dynamodb';
import type { WebhookCoreDeps } from '../webhooks/handle-webhook';
import { assembleWebhooks } from './assemble-webhooks';
import type { WebhookPlatform } from './platform';

export interface AwsWebhookBridge {
  readonly webhook: WebhookCoreDeps;
}

export interface AwsClientOptions {
  readonly dynamo?: DynamoDBClient;
  readonly sqs?: SQSClient;
  /** Tests: an MSAL network client trusting the Microsoft stand-in's CA. */
  readonly msalNetworkClient?: WebhookPlatform['msalNetworkClient'];
}

/** The table and queue named by the environment, with clients (or the ones given). */
export function createAwsStateParts(config: BridgeConfig, options: AwsClientOptions) {
  const { tableName, queueUrl } = config.aws;
  if (!tableName || !queueUrl) {
    throw new ConfigError('BRIDGE_TABLE_NAME and BRIDGE_QUEUE_URL must be set (serverless.yml sets both)');
  }
  const dynamo = options.dynamo ?? new DynamoDBClient(config.aws.dynamoDbEndpoint ? { endpoint: config.aws.dynamoDbEndpoint } : {});
  const sqs = options.sqs ?? new SQSClient(config.aws.sqsEndpoint ? { endpoint: config.aws.sqsEndpoint } : {});
  return { tableName, queueUrl, dynamo, sqs, store: new DynamoDbStateStore({ client: dynamo, tableName }), queue: new SqsKeyQueue(sqs, queueUrl) };
}

/** The webhook function's Platform (no Genesys client), assembled from the vendors' webhook parts only. */
export function createAwsWebhookBridge(config: BridgeConfig, logger: Logger, options: AwsClientOptions = {}): AwsWebhookBridge {
  const { store, queue } = createAwsStateParts(config, options);
  return {
    webhook: assembleWebhooks(config, {
      store,
      queue,
      now: Date.now,
      logger,
      // EMF lines, written when each invocation ends (withMetrics in src/lambda/webhook.ts).
      metrics: containerMetrics({ namespace: config.aws.metricsNamespace, service: config.aws.metricsService }),
      msalNetworkClient: options.msalNetworkClient,
    }),
  };
}
