/**
 * The packaged artifacts themselves (`osls package`: one zip per function, each with its own bundle
 * `src/lambda/<function>.js`), each function in its own process with only its template environment,
 * like a Lambda container: cold start reading its SSM parameters (through a stand-in for the Parameters
 * and Secrets Lambda Extension), Zoom and RingCentral webhooks, the worker applying keys, the maintainer (sources,
 * definitions, Teams reconciliation, RingCentral directory and subscription, requeue). The bundle's own
 * AWS SDK cannot be reached from here, so every AWS request is recorded by a proxy in front of the
 * stand-ins, one per function, and must be allowed by that function's role in the packaged template.
 * (test/aws/iam-conformance.test.ts runs more paths in-process with the same check.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { FUNCTION_PARAMETERS, type LambdaFunctionName } from '../../src/aws/function-parameters';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { signZoomRequest } from '../../src/sources/zoom/verify';
import { createTableIfMissing } from '../../src/store/dynamodb';
import type { HttpApiResult } from '../../src/webhooks/adapters/lambda';
import { startDynalite, type RunningDynalite } from '../helpers/dynalite';
import { ZOOM_SECRET, zoomPresenceBody } from '../helpers/local-bridge';
import { makeTempDir, removeTempDir, startMicrosoftStandIn, type MicrosoftStandIn } from '../helpers/microsoft-stand-in';
import { startRingCentralStandIn, type RingCentralStandIn } from '../helpers/ringcentral-stand-in';
import { startSqsStandIn, type SqsStandIn } from '../helpers/sqs-stand-in';
import { startParametersExtensionStandIn, type ParametersExtensionStandIn } from '../helpers/parameters-extension-stand-in';
import { startSsmStandIn, type SsmStandIn } from '../helpers/ssm-stand-in';
import { permissionsFor, type RecordedCall, type ResourceNames } from './aws-call-recorder';
import { FAKE_STACK, TemplateResolver } from './cloudformation-resolver';
import { deniedPermissions, functionRoles, platformPermissions, type FunctionRole } from './iam-policy';
import { startLambdaContainer, type LambdaContainer } from './lambda-container';
import { extractMetrics, parseEmfLines, sumOf } from '../metrics/emf-lines';
import { startHttpApiFront } from './http-api-front';
import { packageService, TEST_STAGE, type CfnTemplate } from './packaged-template';
import { readZipEntry } from './read-zip';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy';

const FUNCTIONS: readonly LambdaFunctionName[] = ['webhook', 'worker', 'maintainer'];
const QUEUE_PATH = '/000000000000/bridge-keys';
const RC_TOKEN = 'rc-artifact-token';

describe('the packaged Lambda bundle, one process per function', () => {
  let template: CfnTemplate;
  let resolver: TemplateResolver;
  let roles: FunctionRole[];
  let dir: string;
  let packageDir: string | undefined;
  let dynalite: RunningDynalite;
  let sqs: SqsStandIn;
  let ssm: SsmStandIn;
  let sandbox: GenesysSandbox;
  let microsoft: MicrosoftStandIn;
  let rc: RingCentralStandIn;
  let publicApi: { url: string; close(): Promise<void> };
  const proxies: RecordingProxy[] = [];
  const extensions: ParametersExtensionStandIn[] = [];
  const ssmClients: SSMClient[] = [];
  const containers = {} as Record<LambdaFunctionName, LambdaContainer>;
  const calls: Record<LambdaFunctionName, RecordedCall[]> = { webhook: [], worker: [], maintainer: [], status: [] };
  const queueArns: Record<string, string> = {};
  const handlers: Partial<Record<LambdaFunctionName, string>> = {};

  const roleOf = (fn: LambdaFunctionName) => roles.find((role) => role.function === fn)!;

  /** The worker as its SQS event source runs it, until the queue is empty. */
  async function drainQueue(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const received = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
      const records = (received.Messages ?? []).map((m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body! }));
      if (records.length === 0) return;
      const result = await containers.worker.invoke<{ batchItemFailures: unknown[] }>({ Records: records });
      expect(result.batchItemFailures).toEqual([]);
    }
  }

  beforeAll(async () => {
    const packaged = await packageService();
    template = packaged.template;
    packageDir = packaged.dir;
    resolver = new TemplateResolver(template);
    roles = functionRoles(template, resolver);
    dir = makeTempDir('packaged-handlers-');
    // Each function's own zip (package.individually), unpacked as Lambda would, each in its own root.
    for (const fn of FUNCTIONS) {
      const { Handler, Code } = template.Resources[roleOf(fn).functionLogicalId]!.Properties as {
        Handler: string;
        Code: { S3Key: string };
      };
      const entry = `${Handler.slice(0, Handler.lastIndexOf('.'))}.js`;
      const bundle = path.join(dir, fn, entry);
      fs.mkdirSync(path.dirname(bundle), { recursive: true });
      fs.writeFileSync(bundle, readZipEntry(fs.readFileSync(path.join(packaged.dir, path.basename(Code.S3Key))), entry));
      handlers[fn] = Handler;
    }
    const caFile = path.join(dir, 'microsoft-ca.pem');

    dynalite = await startDynalite();
    const tableName = resolver.ref('StateTable');
    await createTableIfMissing(dynalite.client, tableName);
    sqs = await startSqsStandIn();
    sandbox = await startGenesysSandbox({ seedDemoUsers: true });
    microsoft = await startMicrosoftStandIn({
      users: [{ id: randomUUID(), mail: 'erin@example.com', userPrincipalName: 'erin_upn@example.com', availability: 'Busy', activity: 'InACall' }],
    });
    fs.writeFileSync(caFile, microsoft.caPem);
    rc = await startRingCentralStandIn();
    rc.validateAddress = true;
    rc.extensions = [{ id: 101, extensionNumber: '101', type: 'User', status: 'Enabled', contact: { email: 'carol@example.com' } }];
    const prefix = `/presence-bridge/${TEST_STAGE}/`;
    const secrets: Record<string, string> = {
      GENESYS_CLIENT_ID: sandbox.clientId,
      GENESYS_CLIENT_SECRET: sandbox.clientSecret,
      ZOOM_WEBHOOK_SECRET_TOKEN: ZOOM_SECRET,
      TEAMS_TENANT_ID: microsoft.tenantId,
      TEAMS_CLIENT_ID: microsoft.clientId,
      TEAMS_CLIENT_SECRET: microsoft.clientSecret,
      TEAMS_CLIENT_STATE: 'artifact-client-state',
      TEAMS_TOKEN_ENCRYPTION_KEY: 'an-artifact-token-encryption-key',
      RINGCENTRAL_CLIENT_ID: rc.clientId,
      RINGCENTRAL_CLIENT_SECRET: rc.clientSecret,
      RINGCENTRAL_JWT: rc.jwt,
      RINGCENTRAL_VERIFICATION_TOKEN: RC_TOKEN,
    };
    ssm = await startSsmStandIn(Object.fromEntries(Object.entries(secrets).map(([name, value]) => [prefix + name, value])));

    // Vendors deliver to the webhook function's process through this stand-in for API Gateway.
    publicApi = await startHttpApiFront((event) => containers.webhook.invoke<HttpApiResult>(event));

    for (const fn of FUNCTIONS) {
      const dynamo = await startRecordingProxy(dynalite.endpoint, 'DynamoDBClient', calls[fn]);
      const queue = await startRecordingProxy(new URL(sqs.queueUrl).origin, 'SQSClient', calls[fn]);
      const parameters = await startRecordingProxy(ssm.endpoint, 'SSMClient', calls[fn]);
      proxies.push(dynamo, queue, parameters);
      // The function reads its secrets from the Parameters and Secrets Lambda Extension (stand-in), which
      // calls SSM with the function's role: through the recording proxy.
      const ssmAsRole = new SSMClient({ endpoint: parameters.url, region: FAKE_STACK.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      ssmClients.push(ssmAsRole);
      const extension = await startParametersExtensionStandIn(ssmAsRole, `session-token-${fn}`);
      extensions.push(extension);
      queueArns[queue.url + QUEUE_PATH] = resolver.getAtt('KeyQueue', 'Arn');
      const role = roleOf(fn);
      const { Variables } = resolver.resolve(template.Resources[role.functionLogicalId].Properties?.Environment) as { Variables: Record<string, string> };
      containers[fn] = await startLambdaContainer(path.join(dir, fn), handlers[fn]!, {
        ...Variables,
        // What Lambda sets, with fake credentials; then the stand-ins' addresses.
        PATH: process.env.PATH ?? '',
        AWS_REGION: FAKE_STACK.region,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_LAMBDA_FUNCTION_NAME: role.functionName,
        AWS_SESSION_TOKEN: extension.token,
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port),
        DYNAMODB_ENDPOINT: dynamo.url,
        SQS_ENDPOINT: queue.url,
        BRIDGE_QUEUE_URL: queue.url + QUEUE_PATH,
        NODE_EXTRA_CA_CERTS: caFile,
        LOG_LEVEL: 'error',
        GENESYS_API_BASE_URL: sandbox.url,
        GENESYS_LOGIN_BASE_URL: sandbox.url,
        GENESYS_REQUESTS_PER_MINUTE: '6000',
        GRAPH_API_BASE_URL: microsoft.graphBaseUrl,
        MICROSOFT_LOGIN_BASE_URL: microsoft.loginBaseUrl,
        GRAPH_JWKS_URL: microsoft.jwksUrl,
        RINGCENTRAL_SERVER_URL: rc.url,
        BRIDGE_PUBLIC_URL: publicApi.url,
      });
    }
  }, 150_000);

  afterAll(async () => {
    for (const fn of FUNCTIONS) await containers[fn]?.stop();
    for (const extension of extensions) await extension.close();
    for (const client of ssmClients) client.destroy();
    for (const proxy of proxies) await proxy.close();
    await publicApi?.close();
    await rc?.close();
    await microsoft?.close();
    await sandbox?.close();
    await ssm?.close();
    await sqs?.close();
    await dynalite?.close();
    if (dir) removeTempDir(dir);
    if (packageDir) fs.rmSync(packageDir, { recursive: true, force: true });
  });

  it('runs webhooks, worker and maintainer from the artifact, each AWS call allowed by that function role', async () => {
    const health = await containers.webhook.invoke<HttpApiResult>({ rawPath: '/healthz', requestContext: { http: { method: 'GET', path: '/healthz' } } });
    expect(health.statusCode).toBe(200);
    const at = Math.floor(Date.now() / 1000);
    const body = zoomPresenceBody({ email: 'alice@example.com', status: 'Do_Not_Disturb', at });
    const zoom = await containers.webhook.invoke<HttpApiResult>({
      rawPath: '/webhooks/zoom',
      headers: { 'content-type': 'application/json', ...signZoomRequest(ZOOM_SECRET, body, at) },
      body: body.toString('base64'),
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST', path: '/webhooks/zoom' } },
    });
    expect(zoom.statusCode).toBe(200);

    const report = await containers.maintainer.invoke<{ steps: Array<{ name: string; ok: boolean; detail?: string }> }>({});
    expect(report.steps.filter((step) => !step.ok)).toEqual([]);
    expect(report.steps.map((step) => step.name)).toEqual(
      expect.arrayContaining(['ensure-sources', 'refresh-definitions', 'teams', 'ringcentral-directory', 'ringcentral-subscription']),
    );
    expect((await rc.deliverPresence('101', { presenceStatus: 'Busy', dndStatus: 'TakeAllCalls' })).map((d) => d.status)).toEqual([200]);
    await drainQueue();

    const sourceWrites = new Set(sandbox.presenceWrites.map((write) => write.userId));
    for (const email of ['alice@example.com', 'carol@example.com', 'erin@example.com']) {
      expect(sourceWrites.has(sandbox.listUsers().find((u) => u.email === email)!.id)).toBe(true);
    }
    expect(sandbox.violations).toEqual([]);

    // The bundle writes CloudWatch EMF metrics (README "What to watch") under the stage's service.
    const metricsOf = (fn: LambdaFunctionName) => extractMetrics(parseEmfLines(containers[fn]!.output().split('\n')));
    const service = { service: `presence-bridge-${TEST_STAGE}` };
    expect(sumOf(metricsOf('webhook'), 'EventsAccepted', { ...service, system: 'zoom' })).toBeGreaterThanOrEqual(1);
    expect(sumOf(metricsOf('webhook'), 'EventsAccepted', { ...service, system: 'ringcentral' })).toBeGreaterThanOrEqual(1);
    expect(sumOf(metricsOf('worker'), 'GenesysWrites', service)).toBeGreaterThanOrEqual(3);
    expect(metricsOf('worker').some((datum) => datum.name === 'PresenceLag' && datum.unit === 'Milliseconds')).toBe(true);
    expect(sumOf(metricsOf('maintainer'), 'SubscriptionRenewals', { ...service, system: 'ringcentral' })).toBeGreaterThanOrEqual(1);

    const names: ResourceNames = { stack: FAKE_STACK, queueArns };
    for (const fn of FUNCTIONS) {
      const asked = calls[fn].filter((call) => call.operation === 'GetParameter').map((call) => call.input.Name as string);
      expect(asked.map((name) => name.slice(`/presence-bridge/${TEST_STAGE}/`.length)).sort()).toEqual([...FUNCTION_PARAMETERS[fn]].sort());
      const needed = [...calls[fn].flatMap((call) => permissionsFor(call, names)), ...platformPermissions(template, resolver, roleOf(fn))];
      const denied = deniedPermissions(roleOf(fn).statements, needed);
      expect({ fn, denied: [...new Set(denied.map((p) => `${p.because}: ${p.action} on ${p.resource}`))] }).toEqual({ fn, denied: [] });
    }
    expect(calls.maintainer.some((call) => call.operation === 'Scan')).toBe(true);
  }, 60_000);
});
