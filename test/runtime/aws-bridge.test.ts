/**
 * The webhook function cold-starts without Genesys credentials (its role cannot read them); the worker
 * and maintainer still refuse to start without them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { silentLogger } from '../../src/logger';
import { createAwsBridge } from '../../src/runtime/aws-bridge';

describe('createAwsBridge per function', () => {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials });
  const config = loadConfig({
    BRIDGE_TABLE_NAME: 'table',
    BRIDGE_QUEUE_URL: 'http://127.0.0.1:9/000000000000/keys',
    GENESYS_REGION: 'mypurecloud.com',
    ZOOM_WEBHOOK_SECRET_TOKEN: 'z',
  });

  afterAll(() => {
    dynamo.destroy();
    sqs.destroy();
  });

  it('builds the webhook bridge without Genesys credentials; any Genesys use is reported as a wiring error', async () => {
    const bridge = createAwsBridge(config, silentLogger, { function: 'webhook', dynamo, sqs });
    expect(bridge.webhook.sources.length).toBeGreaterThan(0);
    expect(() => bridge.parts.genesys.users.listAll()).toThrow(ConfigError);
    expect(() => bridge.parts.genesys.users.listAll()).toThrow(/webhook function does not call Genesys/);
    await bridge.parts.genesys.close();
  });

  it.each(['worker', 'maintainer'] as const)('refuses to build the %s bridge without Genesys credentials', (fn) => {
    expect(() => createAwsBridge(config, silentLogger, { function: fn, dynamo, sqs })).toThrow(/GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET/);
  });
});
