/**
 * The one assembly (src/runtime/assemble-bridge.ts): every runtime builds from the vendor list, each vendor
 * validates its configuration when the bridge starts (a ConfigError naming the variable), and the webhook
 * function's light list names the same vendors in the same order.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { silentLogger } from '../../src/logger';
import { createAwsBridge } from '../../src/runtime/aws-bridge';
import { VENDOR_MODULES } from '../../src/sources';
import { WEBHOOK_MODULES } from '../../src/sources/webhook-modules';
import { startTestBridge, tempDataDir } from '../helpers/local-bridge';

/** Teams with API credentials in subscription mode, but without the key its refresh tokens are stored under. */
const TEAMS_WITHOUT_TOKEN_KEY = {
  TEAMS_TENANT_ID: '11111111-2222-3333-4444-555555555555',
  TEAMS_CLIENT_ID: 'client',
  TEAMS_CLIENT_SECRET: 'secret',
  TEAMS_CLIENT_STATE: 'state',
  BRIDGE_PUBLIC_URL: 'https://bridge.example.com',
};

describe('assembleBridge', () => {
  it('lists the same vendors, in the same order, for the webhook function as for the other runtimes', () => {
    expect(VENDOR_MODULES.map((module) => module.webhooks)).toEqual(WEBHOOK_MODULES);
    expect(VENDOR_MODULES.map((module) => module.system)).toEqual(WEBHOOK_MODULES.map((module) => module.system));
  });

  it('refuses to start the local bridge when Teams subscriptions lack TEAMS_TOKEN_ENCRYPTION_KEY, and releases the data directory', async () => {
    const dataDir = tempDataDir();
    await expect(startTestBridge({ ...TEAMS_WITHOUT_TOKEN_KEY, BRIDGE_DATA_DIR: dataDir })).rejects.toThrow(ConfigError);
    await expect(startTestBridge({ ...TEAMS_WITHOUT_TOKEN_KEY, BRIDGE_DATA_DIR: dataDir })).rejects.toThrow(/TEAMS_TOKEN_ENCRYPTION_KEY must be set/);
    // The failed start closed the store and the sandbox: a corrected start on the same directory works.
    const bridge = await startTestBridge({
      ...TEAMS_WITHOUT_TOKEN_KEY,
      TEAMS_TOKEN_ENCRYPTION_KEY: 'a-token-encryption-key-of-32-chars',
      BRIDGE_DATA_DIR: dataDir,
    });
    await bridge.stop();
  });

  it('refuses to build the AWS maintainer on the same misconfiguration', () => {
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials });
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials });
    const config = loadConfig({
      ...TEAMS_WITHOUT_TOKEN_KEY,
      BRIDGE_TABLE_NAME: 'table',
      BRIDGE_QUEUE_URL: 'http://127.0.0.1:9/000000000000/keys',
      GENESYS_CLIENT_ID: 'id',
      GENESYS_CLIENT_SECRET: 'secret',
      GENESYS_REGION: 'mypurecloud.com',
    });
    try {
      expect(() => createAwsBridge(config, silentLogger, { function: 'maintainer', dynamo, sqs })).toThrow(/TEAMS_TOKEN_ENCRYPTION_KEY must be set/);
    } finally {
      dynamo.destroy();
      sqs.destroy();
    }
  });
});
