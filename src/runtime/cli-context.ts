/**
 * The CLI's Platform: the configured store (DynamoDB on AWS, else the embedded one — read through a
 * snapshot while `npm start` owns it), the queue (SQS on AWS, none locally) and a Genesys client (the
 * running bridge's sandbox, a briefly started sandbox on the same state file, or the real organization),
 * each opened when a command first needs it; `open()` assembles the bridge over them (assembleBridge).
 */
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { KeyQueue } from '../queue/key-queue';
import { SqsKeyQueue } from '../queue/sqs';
import type { BridgeConfig } from '../config';
import { createGenesysClient, createLocalBudget, type GenesysClient } from '../genesys';
import { silentLogger, type Logger } from '../logger';
import { startGenesysSandbox, type GenesysSandbox } from '../sandbox';
import { DynamoDbStateStore } from '../store/dynamodb';
import { openEmbeddedStore, openEmbeddedStoreSnapshot } from '../store/embedded';
import type { StateStore } from '../store/state-store';
import { assembleBridge, type AssembledBridge } from './assemble-bridge';
import { readLocalRuntime, type LocalRuntimeInfo } from './local-runtime';
import { resolveGenesysEndpoint, resolveSandboxGenesys } from './resolved-config';

export interface CliContext {
  readonly config: BridgeConfig;
  /** The running local bridge, if any. */
  readonly runtime?: LocalRuntimeInfo;
  store(): Promise<StateStore>;
  genesys(): Promise<GenesysClient>;
  /** The bridge assembled over these (assembleBridge): vendor commands act on it, and record through its recorder. */
  open(): Promise<AssembledBridge>;
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
    let resolved = config;
    if (config.genesys.mode === 'sandbox') {
      let endpoint = runtime?.sandbox;
      if (!endpoint) {
        sandbox = await startGenesysSandbox({ seedDemoUsers: true, stateFile: path.join(config.dataDir, 'genesys-sandbox.json') });
        endpoint = sandbox;
      }
      resolved = resolveSandboxGenesys(config, endpoint);
    }
    return createGenesysClient({
      config: resolveGenesysEndpoint(resolved, 'set GENESYS_REGION (or GENESYS_API_BASE_URL and GENESYS_LOGIN_BASE_URL)').genesys,
      // The CLI shares the organization's budget with a running bridge: take a small share of it. A command
      // makes a few reads (status: one per user's primary source), so they go at once within that share.
      budget: createLocalBudget(Math.max(1, Math.floor(config.genesys.requestsPerMinute / 5)), Date.now, { burst: true }),
      documents: await (store ??= openStore()),
      logger,
    });
  };

  // Where recorded work is queued: SQS on AWS; locally nothing — `npm start` picks up unfinished keys
  // when it starts and at each maintenance run.
  const openQueue = async (): Promise<KeyQueue> => {
    if (config.aws.tableName && config.aws.queueUrl) {
      return new SqsKeyQueue(new SQSClient(config.aws.sqsEndpoint ? { endpoint: config.aws.sqsEndpoint } : {}), config.aws.queueUrl);
    }
    return { enqueue: async () => undefined };
  };
  let assembled: Promise<AssembledBridge> | undefined;
  const openBridge = async (): Promise<AssembledBridge> => {
    const [opened, queue, genesys] = [await (store ??= openStore()), await openQueue(), await (client ??= openGenesys())];
    return assembleBridge(config, { store: opened, queue, genesys, now: Date.now, logger });
  };

  return {
    config,
    runtime,
    store: () => (store ??= openStore()),
    genesys: () => (client ??= openGenesys()),
    open: () => (assembled ??= openBridge()),
    async close() {
      if (client) await (await client).close();
      if (store) await (await store).close();
      await sandbox?.close();
    },
  };
}
