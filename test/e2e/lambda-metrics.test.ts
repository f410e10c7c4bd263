/**
 * The Lambda handlers write CloudWatch EMF metrics (README "What to watch"): through the real webhook
 * core and worker, against DynamoDB (dynalite) and SQS stand-ins and the Genesys sandbox, the lines each
 * invocation writes to stdout are parsed as CloudWatch would parse them.
 */
import { useBridgeForTests, webhook, worker } from '../../src/lambda';
import { silentLogger } from '../../src/logger';
import { createAwsBridge, type AwsBridge } from '../../src/runtime/aws-bridge';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { createTableIfMissing } from '../../src/store/dynamodb';
import { signZoomRequest } from '../../src/sources/zoom/verify';
import { startDynalite } from '../helpers/dynalite';
import { ZOOM_SECRET, zoomPresenceBody } from '../helpers/local-bridge';
import { startSqsStandIn, type SqsStandIn } from '../helpers/sqs-stand-in';
import { awsTestConfig, receiveRecords } from '../helpers/aws-test-bridge';
import { captureStdout, extractMetrics, parseEmfLines, sumOf, type EmfDatum } from '../metrics/emf-lines';

const SERVICE = 'presence-bridge-test';

describe('EMF metrics of the Lambda handlers', () => {
  let dynalite: Awaited<ReturnType<typeof startDynalite>>;
  let sqs: SqsStandIn;
  let sandbox: GenesysSandbox;
  let bridge: AwsBridge;

  beforeAll(async () => {
    dynalite = await startDynalite();
    sqs = await startSqsStandIn();
    sandbox = await startGenesysSandbox({ seedDemoUsers: true });
    await createTableIfMissing(dynalite.client, 'bridge-metrics-test');
    const config = awsTestConfig('bridge-metrics-test', sqs, sandbox, { ZOOM_WEBHOOK_SECRET_TOKEN: ZOOM_SECRET, POWERTOOLS_SERVICE_NAME: SERVICE });
    bridge = createAwsBridge(config, silentLogger, { dynamo: dynalite.client, sqs: sqs.client, workerRetryMs: 1000, genesysRetry: { maxAttempts: 1 } });
    useBridgeForTests(bridge);
  });

  afterAll(async () => {
    useBridgeForTests(undefined);
    await bridge.parts.genesys.close();
    await sandbox.close();
    await sqs.close();
    await dynalite.close();
  });

  function zoomEvent(email: string, status: string, at: number, secret = ZOOM_SECRET) {
    const body = zoomPresenceBody({ email, status, at });
    return {
      rawPath: '/webhooks/zoom',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...signZoomRequest(secret, body, at) },
      body: body.toString('base64'),
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST', path: '/webhooks/zoom' } },
    };
  }

  const receiveAll = () => receiveRecords(sqs);

  /** Runs `work` and returns the metrics its invocations wrote. */
  async function metricsOf(work: () => Promise<unknown>): Promise<EmfDatum[]> {
    const capture = captureStdout();
    try {
      await work();
    } finally {
      capture.stop();
    }
    return extractMetrics(parseEmfLines(capture.lines()));
  }

  it('counts accepted events, the Genesys write and its lag; totals and per-system series', async () => {
    const at = Math.floor(Date.now() / 1000) - 2;
    const fromWebhook = await metricsOf(async () => expect((await webhook(zoomEvent('bob@example.com', 'In_Meeting', at))).statusCode).toBe(200));
    expect(new Set(fromWebhook.map((d) => d.namespace))).toEqual(new Set(['PresenceBridge']));
    expect(sumOf(fromWebhook, 'EventsAccepted', { service: SERVICE })).toBe(1);
    expect(sumOf(fromWebhook, 'EventsAccepted', { service: SERVICE, system: 'zoom' })).toBe(1);

    // The same event again (a vendor retry) is a duplicate.
    const retried = await metricsOf(async () => expect((await webhook(zoomEvent('bob@example.com', 'In_Meeting', at))).statusCode).toBe(200));
    expect(sumOf(retried, 'EventsDuplicate', { service: SERVICE, system: 'zoom' })).toBe(1);
    expect(sumOf(retried, 'EventsAccepted', { service: SERVICE })).toBe(0);

    const records = await receiveAll();
    const fromWorker = await metricsOf(async () => expect((await worker({ Records: records })).batchItemFailures).toEqual([]));
    expect(sumOf(fromWorker, 'GenesysWrites', { service: SERVICE, system: 'zoom' })).toBe(1);
    const lag = fromWorker.find((d) => d.name === 'PresenceLag' && d.dimensions.system === 'zoom');
    expect(lag?.unit).toBe('Milliseconds');
    // Zoom's own time of the state was ~2 s before the write.
    expect(lag?.values).toHaveLength(1);
    expect(lag!.values[0]).toBeGreaterThanOrEqual(1000);
    expect(lag!.values[0]).toBeLessThan(60_000);
  });

  it('counts a rejected request by system and reason class', async () => {
    const data = await metricsOf(async () =>
      expect((await webhook(zoomEvent('carol@example.com', 'Busy', Math.floor(Date.now() / 1000), 'wrong-secret'))).statusCode).toBe(401),
    );
    expect(sumOf(data, 'EventsRejected', { service: SERVICE })).toBe(1);
    expect(sumOf(data, 'EventsRejected', { service: SERVICE, reason: 'signature' })).toBe(1);
    expect(sumOf(data, 'EventsRejected', { service: SERVICE, system: 'zoom', reason: 'signature' })).toBe(1);
    expect(sumOf(data, 'EventsAccepted', { service: SERVICE })).toBe(0);
  });

  it('counts unmatched users', async () => {
    await metricsOf(() => webhook(zoomEvent('nobody@example.com', 'Available', Math.floor(Date.now() / 1000))));
    const data = await metricsOf(async () => worker({ Records: await receiveAll() }));
    expect(sumOf(data, 'UnmatchedUsers', { service: SERVICE, system: 'zoom' })).toBe(1);
    expect(sumOf(data, 'GenesysWrites', { service: SERVICE })).toBe(0);
  });

  it('counts a Genesys 429 with a long Retry-After and the key it parks', async () => {
    await metricsOf(() => webhook(zoomEvent('dave@example.com', 'Do_Not_Disturb', Math.floor(Date.now() / 1000))));
    sandbox.setFaults({ rateLimitRetryAfterSeconds: 3600 });
    try {
      const data = await metricsOf(async () => worker({ Records: await receiveAll() }));
      expect(sumOf(data, 'GenesysRateLimited', { service: SERVICE })).toBeGreaterThanOrEqual(1);
      expect(sumOf(data, 'KeysParked', { service: SERVICE, system: 'zoom' })).toBe(1);
    } finally {
      sandbox.setFaults({});
    }
  });

  it('counts a Genesys 403 and the failed key', async () => {
    await metricsOf(() => webhook(zoomEvent('erin@example.com', 'Away', Math.floor(Date.now() / 1000))));
    sandbox.setFaults({ failNextRequests: 1, errorStatus: 403 });
    try {
      const data = await metricsOf(async () => worker({ Records: await receiveAll() }));
      expect(sumOf(data, 'GenesysForbidden', { service: SERVICE })).toBe(1);
      expect(sumOf(data, 'GenesysWriteFailures', { service: SERVICE, reason: 'permanent' })).toBe(1);
      expect(sumOf(data, 'GenesysWriteFailures', { service: SERVICE, system: 'zoom', reason: 'permanent' })).toBe(1);
    } finally {
      sandbox.setFaults({});
    }
    const [erin] = await bridge.parts.store.list({ email: 'erin@example.com' });
    expect(erin.status).toBe('failed');
  });
});
