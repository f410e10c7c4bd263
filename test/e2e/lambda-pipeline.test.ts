/**
 * The AWS shape end to end on loopback: webhook Lambda → DynamoDB (dynalite, over the wire) + SQS
 * (stand-in) → worker Lambda with partial batch failures → Genesys sandbox; then the maintainer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { maintainer, useBridgeForTests, webhook, worker } from '../../src/lambda';
import { silentLogger } from '../../src/logger';
import { createAwsBridge, type AwsBridge } from '../../src/runtime/aws-bridge';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { createTableIfMissing, tableDefinition } from '../../src/store/dynamodb';
import { signZoomRequest } from '../../src/sources/zoom/verify';
import { startDynalite } from '../helpers/dynalite';
import { ZOOM_SECRET, zoomPresenceBody } from '../helpers/local-bridge';
import { startSqsStandIn, type SqsStandIn } from '../helpers/sqs-stand-in';
import { awsTestConfig, receiveRecords } from '../helpers/aws-test-bridge';

describe('Lambda handlers against DynamoDB and SQS stand-ins', () => {
  let dynalite: Awaited<ReturnType<typeof startDynalite>>;
  let sqs: SqsStandIn;
  let sandbox: GenesysSandbox;
  let bridge: AwsBridge;

  beforeAll(async () => {
    dynalite = await startDynalite();
    sqs = await startSqsStandIn();
    sandbox = await startGenesysSandbox({ seedDemoUsers: true });
    await createTableIfMissing(dynalite.client, 'bridge-lambda-test');
    const config = awsTestConfig('bridge-lambda-test', sqs, sandbox, { ZOOM_WEBHOOK_SECRET_TOKEN: ZOOM_SECRET });
    bridge = createAwsBridge(config, silentLogger, {
      dynamo: dynalite.client,
      sqs: sqs.client,
      workerRetryMs: 1000,
      genesysRetry: { maxAttempts: 1 },
    });
    useBridgeForTests(bridge);
  });

  afterAll(async () => {
    useBridgeForTests(undefined);
    await bridge.parts.genesys.close();
    await sandbox.close();
    await sqs.close();
    await dynalite.close();
  });

  function httpEvent(body: Buffer, headers: Record<string, string>) {
    return {
      rawPath: '/webhooks/zoom',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...headers },
      body: body.toString('base64'),
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST', path: '/webhooks/zoom' } },
    };
  }

  const receiveAll = () => receiveRecords(sqs);

  it('records and enqueues a verified event, then the worker writes it to Genesys', async () => {
    const at = Math.floor(Date.now() / 1000);
    const body = zoomPresenceBody({ email: 'bob@example.com', status: 'In_Meeting', at });
    const answer = await webhook(httpEvent(body, { ...signZoomRequest(ZOOM_SECRET, body, at) }));
    expect(answer.statusCode).toBe(200);
    const records = await receiveAll();
    expect(records).toHaveLength(1);

    const result = await worker({ Records: records });
    expect(result.batchItemFailures).toEqual([]);
    const bob = sandbox.listUsers().find((u) => u.email === 'bob@example.com')!;
    const sources = await bridge.parts.genesys.sources.getSources(bridge.parts.config.genesys.sourceNames);
    const held = sandbox.getPresence(bob.id, sources.zoom.id);
    expect(sandbox.definitions().find((d) => d.id === held?.definitionId)?.systemPresence).toBe('Meeting');
  });

  it('rejects a bad signature with 401 and enqueues nothing', async () => {
    const body = zoomPresenceBody({ email: 'carol@example.com', status: 'Busy', at: Math.floor(Date.now() / 1000) });
    const answer = await webhook(httpEvent(body, { ...signZoomRequest('nope', body, Math.floor(Date.now() / 1000)) }));
    expect(answer.statusCode).toBe(401);
    expect(await receiveAll()).toEqual([]);
    expect(await bridge.parts.store.list({ email: 'carol@example.com' })).toEqual([]);
  });

  it('reports a Genesys outage as a partial batch failure; the redelivered message finishes it later', async () => {
    const at = Math.floor(Date.now() / 1000) + 5;
    const body = zoomPresenceBody({ email: 'alice@example.com', status: 'Away', at });
    expect((await webhook(httpEvent(body, { ...signZoomRequest(ZOOM_SECRET, body, at) }))).statusCode).toBe(200);
    sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
    const records = await receiveAll();
    const result = await worker({ Records: records });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((r) => r.messageId));
    const [pending] = await bridge.parts.store.list({ email: 'alice@example.com' });
    expect(pending.status).toBe('pending');

    sandbox.setFaults({});
    // The message is still in the queue (delayed by the worker), so the maintainer adds no second one.
    const report = await maintainer();
    expect(report.requeued).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const requeued = (await receiveAll()).filter((r) => r.body.includes('alice'));
    expect(requeued).toHaveLength(1);
    expect((await worker({ Records: requeued })).batchItemFailures).toEqual([]);
    const [applied] = await bridge.parts.store.list({ email: 'alice@example.com' });
    expect(applied.status).toBe('applied');
    expect(sandbox.violations).toEqual([]);
  });
});

describe('serverless.yml', () => {
  it('declares the table the DynamoDB store expects', () => {
    const yml = fs.readFileSync(path.join(__dirname, '../../serverless.yml'), 'utf8');
    const table = tableDefinition('x');
    for (const attribute of table.AttributeDefinitions ?? []) {
      expect(yml).toContain(`{ AttributeName: ${attribute.AttributeName}, AttributeType: ${attribute.AttributeType} }`);
    }
    expect(yml).toContain(`IndexName: ${table.GlobalSecondaryIndexes?.[0].IndexName}`);
    expect(yml).toContain(`AttributeName: ${table.TimeToLiveSpecification.AttributeName}, Enabled: true`);
  });
});
