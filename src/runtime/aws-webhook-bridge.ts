/**
 * The webhook function's composition on AWS: DynamoDB state, SQS keys and the vendors' webhook sources,
 * nothing else. It imports no Genesys client, REST client (axios), MSAL or Graph client, so the webhook
 * bundle stays small and loads fast at a cold start (vendors allow 3 s; README "Performance").
 * The other functions use aws-bridge.ts, which builds everything.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { INetworkModule } from '@azure/msal-node';
import type { BridgeConfig } from '../config';
import { ConfigError } from '../errors';
import type { Logger } from '../logger';
import { containerMetrics } from '../metrics/lambda-metrics';
import { loadPresenceMapping } from '../presence';
import { SqsKeyQueue } from '../queue/sqs';
import { createRingCentralWebhookSource } from '../sources/ringcentral/webhook';
import { createMsalNetworkClient } from '../sources/teams/msal-setup';
import type { SigningKeySource } from '../sources/teams/validation-tokens';
import { createTeamsSigningKeys, createTeamsTenantId, createTeamsWebhookSources, warmTeamsTenantId } from '../sources/teams/webhook-sources';
import { createZoomWebhookSource } from '../sources/zoom/webhook';
import { DynamoDbStateStore } from '../store/dynamodb';
import type { WebhookCoreDeps } from '../webhooks/handle-webhook';

export interface AwsWebhookBridge {
  readonly webhook: WebhookCoreDeps;
}

export interface AwsClientOptions {
  readonly dynamo?: DynamoDBClient;
  readonly sqs?: SQSClient;
  readonly now?: () => number;
  /** Teams options (tests: an MSAL network client trusting the Microsoft stand-in's CA, a key source). */
  readonly teams?: { readonly msalNetworkClient?: INetworkModule; readonly keySource?: SigningKeySource };
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

/** What `buildWebhookDeps` (bridge.ts) gives the other roots, for the webhook function alone. */
export function createAwsWebhookBridge(config: BridgeConfig, logger: Logger, options: AwsClientOptions = {}): AwsWebhookBridge {
  const now = options.now ?? Date.now;
  const { store, queue } = createAwsStateParts(config, options);
  const teamsLogger = logger.child({ system: 'teams' });
  const network = options.teams?.msalNetworkClient ?? createMsalNetworkClient();
  const tenantId = createTeamsTenantId(config.teams, config.teams.settings, network);
  warmTeamsTenantId(tenantId, teamsLogger);
  // Read from the store, where the maintainer keeps them warm: no JWKS fetch before a cold answer.
  const keySource = options.teams?.keySource ?? createTeamsSigningKeys(config.teams, config.teams.settings, { store, network, now, logger: teamsLogger }).keySource;
  const sources = [
    createZoomWebhookSource(config.zoom, now, logger),
    ...createTeamsWebhookSources({
      config: config.teams,
      settings: config.teams.settings,
      store,
      tenantId,
      keySource,
      logger: teamsLogger,
      now,
    }),
    createRingCentralWebhookSource(config.ringcentral, { now }),
  ];
  return {
    webhook: {
      sources,
      store,
      queue,
      mapping: loadPresenceMapping(config.presenceMappingFile),
      now,
      logger: logger.child({ component: 'webhook' }),
      // EMF lines, written when each invocation ends (withMetrics in src/lambda/webhook.ts).
      metrics: containerMetrics({ namespace: config.aws.metricsNamespace, service: config.aws.metricsService }),
    },
  };
}
