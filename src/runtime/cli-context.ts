/**
 * What CLI commands run against: the configured store (DynamoDB on AWS, else the embedded one — read
 * through a snapshot while `npm start` owns it) and a Genesys client (the running bridge's sandbox,
 * a briefly started sandbox on the same state file, or the real organization).
 */
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { KeyQueue } from '../queue/key-queue';
import { SqsKeyQueue } from '../queue/sqs';
import type { BridgeConfig } from '../config';
import { ConfigError } from '../errors';
import { createGenesysClient, createLocalBudget, type GenesysClient } from '../genesys';
import { silentLogger, type Logger } from '../logger';
import { startGenesysSandbox, type GenesysSandbox } from '../sandbox';
import { DynamoDbStateStore } from '../store/dynamodb';
import { openEmbeddedStore, openEmbeddedStoreSnapshot } from '../store/embedded';
import type { StateStore } from '../store/state-store';
import { readLocalRuntime, type LocalRuntimeInfo } from './local-runtime';

export interface CliContext {
  readonly config: BridgeConfig;
  /** The running local bridge, if any. */
  readonly runtime?: LocalRuntimeInfo;
  store(): Promise<StateStore>;
  /**
   * Where recorded work is queued: SQS on AWS; locally nothing — `npm start` picks up unfinished keys
   * when it starts and at each maintenance run.
   */
  queue(): Promise<KeyQueue>;
  genesys(): Promise<GenesysClient>;
  close(): Promise<void>;
}

/** Creates the lazily-opened context; nothing is opened until a command asks for it. */
export function createCliContext(config: BridgeConfig, logger: Logger = silentLogger): CliContext {
  const runtime = config.aws.tableName ? undefined : readLocalRuntime(config.dataDir);
  let store: Promise<StateStore> | undefined;
  let client: Promise<GenesysClient> | undefined;
  let sandbox: GenesysSandbox | undefined;

  const openStore = async (): Promise<StateStore> => {
    if (config.aws.tableName) {
      const dynamo = new DynamoDBClient(config.aws.dynamoDbEndpoint ? { endpoint: config.aws.dynamoDbEndpoint } : {});
      return new DynamoDbStateStore({ client: dynamo, tableName: config.aws.tableName });
    }
    const dir = path.join(config.dataDir, 'state');
    // `npm start` owns the directory while it runs; read a consistent snapshot instead of fighting for the lock.
    return runtime ? openEmbeddedStoreSnapshot(dir) : openEmbeddedStore(dir);
  };

  const openGenesys = async (): Promise<GenesysClient> => {
    let genesysConfig = config.genesys;
    if (config.genesys.mode === 'sandbox') {
      let endpoint = runtime?.sandbox;
      if (!endpoint) {
        sandbox = await startGenesysSandbox({ seedDemoUsers: true, stateFile: path.join(config.dataDir, 'genesys-sandbox.json') });
        endpoint = { url: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret };
      }
      genesysConfig = { ...config.genesys, clientId: endpoint.clientId, clientSecret: endpoint.clientSecret, apiBaseUrl: endpoint.url, loginBaseUrl: endpoint.url };
    }
    if (!genesysConfig.apiBaseUrl || !genesysConfig.loginBaseUrl) {
      throw new ConfigError('set GENESYS_REGION (or GENESYS_API_BASE_URL and GENESYS_LOGIN_BASE_URL)');
    }
    return createGenesysClient({
      config: genesysConfig as typeof genesysConfig & { apiBaseUrl: string; loginBaseUrl: string },
      // The CLI shares the organization's budget with a running bridge: take a small share of it.
      budget: createLocalBudget(Math.max(1, Math.floor(config.genesys.requestsPerMinute / 5))),
      documents: await (store ??= openStore()),
      logger,
    });
  };

  return {
    config,
    runtime,
    store: () => (store ??= openStore()),
    async queue() {
      if (config.aws.tableName && config.aws.queueUrl) {
        return new SqsKeyQueue(new SQSClient(config.aws.sqsEndpoint ? { endpoint: config.aws.sqsEndpoint } : {}), config.aws.queueUrl);
      }
      return { enqueue: async () => undefined };
    },
    genesys: () => (client ??= openGenesys()),
    async close() {
      if (client) await (await client).close();
      if (store) await (await store).close();
      await sandbox?.close();
    },
  };
}
