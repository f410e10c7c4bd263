/**
 * IAM conformance: the three Lambda handlers run through their real cold start (SSM secrets, template
 * environment, composition root) against dynalite, the SQS and SSM stand-ins, the Genesys sandbox and
 * the Microsoft and RingCentral stand-ins. Every AWS call each function sends is recorded and must be
 * allowed by THAT function's own role in the packaged template (`osls package`); every statement of a
 * role must be needed by some call (removing any one makes the check fail).
 *
 * Paths: health probe; Zoom (new, duplicate, bad signature); Teams subscription mode (handshakes,
 * rich notifications, lifecycle events → worker tasks) and polling mode; RingCentral (directory,
 * subscription with its handshake, notifications, a backfill's keys); worker retries
 * (ChangeMessageVisibility) and unreadable messages (left for the DLQ redrive, which SQS does, not a
 * role); the maintainer re-enqueueing unfinished keys.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FUNCTION_PARAMETERS, type LambdaFunctionName } from '../../src/aws/function-parameters';
import { loadConfig } from '../../src/config';
import { maintainer, status, useColdStartForTests, webhook, worker } from '../../src/lambda';
import { silentLogger } from '../../src/logger';
import { createAwsBridge, type AwsBridge } from '../../src/runtime/aws-bridge';
import { buildEventRecorder } from '../../src/runtime/bridge';
import { startGenesysSandbox, type GenesysSandbox } from '../../src/sandbox';
import { backfillRingCentralPresence } from '../../src/sources/ringcentral/backfill';
import { createRingCentralClientFromConfig } from '../../src/sources/ringcentral/client';
import { createMsalNetworkClient } from '../../src/sources/teams/msal-setup';
import { teamsModule } from '../../src/sources/teams/teams-module';
import { signZoomRequest } from '../../src/sources/zoom/verify';
import { createTableIfMissing } from '../../src/store/dynamodb';
import type { HttpApiEvent, HttpApiResult } from '../../src/webhooks/adapters/lambda';
import { createTestClient, startDynalite, type RunningDynalite } from '../helpers/dynalite';
import { ZOOM_SECRET, zoomPresenceBody } from '../helpers/local-bridge';
import {
  generateSelfSignedCertificate,
  makeTempDir,
  removeTempDir,
  startMicrosoftStandIn,
  type MicrosoftStandIn,
  type StandInUser,
} from '../helpers/microsoft-stand-in';
import { startRingCentralStandIn, type RingCentralStandIn } from '../helpers/ringcentral-stand-in';
import { startSqsStandIn, type SqsStandIn } from '../helpers/sqs-stand-in';
import { startParametersExtensionStandIn, type ParametersExtensionStandIn } from '../helpers/parameters-extension-stand-in';
import { startSsmStandIn, type SsmStandIn } from '../helpers/ssm-stand-in';
import { permissionsFor, recordCalls, type RecordedCall, type ResourceNames } from './aws-call-recorder';
import { FAKE_STACK, TemplateResolver } from './cloudformation-resolver';
import { deniedPermissions, functionRoles, platformPermissions, unusedGrants, type FunctionRole, type RequiredPermission } from './iam-policy';
import { startHttpApiFront } from './http-api-front';
import { packageService, TEST_STAGE, type CfnTemplate } from './packaged-template';

const FUNCTIONS: readonly LambdaFunctionName[] = ['webhook', 'worker', 'maintainer', 'status'];
const STATUS_TOKEN = 'iam-status-page-token';
const RC_TOKEN = 'rc-verification-token';
const CLIENT_STATE = 'iam-client-state';

const teamsUser = (mail: string, availability: string, activity: string): StandInUser => ({
  id: randomUUID(),
  mail,
  userPrincipalName: mail.replace('@', '_upn@'),
  availability,
  activity,
});

describe('IAM conformance of the packaged functions', () => {
  let template: CfnTemplate;
  let resolver: TemplateResolver;
  let roles: FunctionRole[];
  let dynalite: RunningDynalite;
  let sqs: SqsStandIn;
  let ssm: SsmStandIn;
  const extensions: ParametersExtensionStandIn[] = [];
  let sandbox: GenesysSandbox;
  let microsoft: MicrosoftStandIn;
  let rc: RingCentralStandIn;
  let api: { url: string; close(): Promise<void> };
  let operator: AwsBridge;
  let dir: string;
  let packageDir: string | undefined;
  const envs = {} as Record<LambdaFunctionName, Record<string, string>>;
  let names: ResourceNames;
  const calls: Record<LambdaFunctionName, RecordedCall[]> = { webhook: [], worker: [], maintainer: [], status: [] };
  const clients: Array<{ destroy(): void }> = [];
  const alice = teamsUser('alice@example.com', 'Available', 'Available');
  const bob = teamsUser('bob@example.com', 'Away', 'BeRightBack');
  const service = teamsUser('svc-presence@example.com', 'Offline', 'Offline');

  /** The worker as the SQS event source runs it: receive what is visible, invoke, until the queue is quiet. */
  async function drainQueue(maxRounds = 20): Promise<number> {
    let failures = 0;
    for (let round = 0; round < maxRounds; round++) {
      const received = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
      const records = (received.Messages ?? []).map((m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body! }));
      if (records.length === 0) return failures;
      const result = await worker({ Records: records });
      failures += result.batchItemFailures.length;
      // Lambda deletes the messages that did not fail (with the worker's role: see eventSourcePermissions).
      const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      for (const record of records) {
        if (!failed.has(record.messageId)) {
          await sqs.client.send(new DeleteMessageCommand({ QueueUrl: sqs.queueUrl, ReceiptHandle: record.receiptHandle }));
        }
      }
    }
    return failures;
  }

  function coldStartWith(env: (fn: LambdaFunctionName) => Record<string, string>): void {
    useColdStartForTests({
      env,
      bridge: (fn) => ({
        dynamo: track(recordCalls(createTestClient(dynalite.endpoint), calls[fn])),
        sqs: track(
          recordCalls(
            new SQSClient({ endpoint: new URL(sqs.queueUrl).origin, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
            calls[fn],
          ),
        ),
        genesysRetry: { maxAttempts: 1 },
        workerRetryMs: 1000,
        msalNetworkClient: createMsalNetworkClient({ httpsAgent: microsoft.httpsAgent }),
      }),
    });
  }

  function track<T extends { destroy(): void }>(client: T): T {
    clients.push(client);
    return client;
  }

  function neededBy(fn: LambdaFunctionName): RequiredPermission[] {
    const role = roleOf(fn);
    // Run with the scenario above (jest -t must not skip it): no calls would make every check pass vacuously.
    if (calls[fn].length === 0) throw new Error(`no AWS calls recorded for ${fn}: run the whole file`);
    return [...calls[fn].flatMap((call) => permissionsFor(call, names)), ...platformPermissions(template, resolver, role)];
  }

  function roleOf(fn: LambdaFunctionName): FunctionRole {
    const role = roles.find((r) => r.function === fn);
    if (!role) throw new Error(`no function ${fn} in the template`);
    return role;
  }

  beforeAll(async () => {
    ({ template, dir: packageDir } = await packageService());
    resolver = new TemplateResolver(template);
    roles = functionRoles(template, resolver);
    dir = makeTempDir('iam-conformance-');
    const encryption = generateSelfSignedCertificate(dir, 'encryption');

    dynalite = await startDynalite();
    const tableName = resolver.ref('StateTable');
    await createTableIfMissing(dynalite.client, tableName);
    sqs = await startSqsStandIn();
    names = { stack: FAKE_STACK, queueArns: { [sqs.queueUrl]: resolver.getAtt('KeyQueue', 'Arn') } };
    sandbox = await startGenesysSandbox({ seedDemoUsers: true });
    microsoft = await startMicrosoftStandIn({ users: [alice, bob, service] });
    rc = await startRingCentralStandIn();
    rc.validateAddress = true;
    rc.extensions = [
      { id: 101, extensionNumber: '101', type: 'User', status: 'Enabled', contact: { email: 'carol@example.com' } },
      { id: 102, extensionNumber: '102', type: 'User', status: 'Enabled', contact: { email: 'dave@example.com' } },
    ];
    api = await startHttpApiFront(webhook);

    const prefix = `/presence-bridge/${TEST_STAGE}/`;
    const secrets: Record<string, string> = {
      GENESYS_CLIENT_ID: sandbox.clientId,
      GENESYS_CLIENT_SECRET: sandbox.clientSecret,
      ZOOM_WEBHOOK_SECRET_TOKEN: ZOOM_SECRET,
      TEAMS_TENANT_ID: microsoft.tenantId,
      TEAMS_CLIENT_ID: microsoft.clientId,
      TEAMS_CLIENT_SECRET: microsoft.clientSecret,
      TEAMS_CLIENT_STATE: CLIENT_STATE,
      TEAMS_TOKEN_ENCRYPTION_KEY: 'an-iam-test-token-encryption-key',
      TEAMS_ENCRYPTION_PRIVATE_KEY: encryption.keyPem,
      TEAMS_ENCRYPTION_CERTIFICATE: encryption.certPem,
      TEAMS_ENCRYPTION_CERTIFICATE_ID: 'iam-cert',
      RINGCENTRAL_CLIENT_ID: rc.clientId,
      RINGCENTRAL_CLIENT_SECRET: rc.clientSecret,
      RINGCENTRAL_JWT: rc.jwt,
      RINGCENTRAL_VERIFICATION_TOKEN: RC_TOKEN,
      STATUS_PAGE_TOKEN: STATUS_TOKEN,
    };
    // Every name some function reads is in SSM, so a role that lacks one is caught by the read itself.
    expect(Object.keys(secrets).sort()).toEqual([...new Set(Object.values(FUNCTION_PARAMETERS).flat())].sort());
    ssm = await startSsmStandIn(Object.fromEntries(Object.entries(secrets).map(([name, value]) => [prefix + name, value])));

    // Each function's environment exactly as the template sets it, with the vendors' and AWS endpoints
    // pointed at the stand-ins.
    const endpoints = {
      BRIDGE_QUEUE_URL: sqs.queueUrl,
      LOG_LEVEL: 'error',
      GENESYS_API_BASE_URL: sandbox.url,
      GENESYS_LOGIN_BASE_URL: sandbox.url,
      GENESYS_REQUESTS_PER_MINUTE: '6000',
      GRAPH_API_BASE_URL: microsoft.graphBaseUrl,
      MICROSOFT_LOGIN_BASE_URL: microsoft.loginBaseUrl,
      GRAPH_JWKS_URL: microsoft.jwksUrl,
      RINGCENTRAL_SERVER_URL: rc.url,
      BRIDGE_PUBLIC_URL: api.url,
    };
    for (const fn of FUNCTIONS) {
      const { Variables } = resolver.resolve(template.Resources[roleOf(fn).functionLogicalId].Properties?.Environment) as { Variables: Record<string, string> };
      expect(Variables.BRIDGE_TABLE_NAME).toBe(tableName);
      expect(Variables.BRIDGE_SSM_PREFIX).toBe(prefix);
      // Secrets through the Parameters and Secrets Lambda Extension, as the template configures it (its
      // port is set next to the layer); the stand-in calls SSM with this function's role, recorded.
      expect(Variables.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT).toBe('2773');
      const extension = await startParametersExtensionStandIn(track(recordCalls(ssm.createClient(), calls[fn])), `session-token-${fn}`);
      extensions.push(extension);
      envs[fn] = { ...Variables, ...endpoints, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port), AWS_SESSION_TOKEN: extension.token };
    }

    // The operator's CLI (its own credentials, not a function role): Teams service-account sign-in, backfills.
    operator = createAwsBridge(loadConfig(envs.maintainer, secrets), silentLogger, {
      dynamo: dynalite.client,
      sqs: sqs.client,
      msalNetworkClient: createMsalNetworkClient({ httpsAgent: microsoft.httpsAgent }),
    });
    coldStartWith((fn) => envs[fn]);
  }, 120_000);

  afterAll(async () => {
    useColdStartForTests({});
    for (const client of clients) client.destroy();
    await operator?.parts.genesys.close();
    await api?.close();
    await rc?.close();
    await microsoft?.close();
    await sandbox?.close();
    for (const extension of extensions) await extension.close();
    await ssm?.close();
    await sqs?.close();
    await dynalite?.close();
    if (dir) removeTempDir(dir);
    if (packageDir) fs.rmSync(packageDir, { recursive: true, force: true });
  });

  const zoomEvent = (email: string, status: string, at: number): HttpApiEvent => {
    const body = zoomPresenceBody({ email, status, at });
    return {
      rawPath: '/webhooks/zoom',
      headers: { 'content-type': 'application/json', ...signZoomRequest(ZOOM_SECRET, body, Math.floor(Date.now() / 1000)) },
      body: body.toString('base64'),
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST', path: '/webhooks/zoom' } },
    };
  };

  it('runs every path of the four functions', async () => {
    // Webhook: health probe, a Zoom event, its duplicate, a forged one.
    expect((await webhook({ rawPath: '/healthz', requestContext: { http: { method: 'GET', path: '/healthz' } } })).statusCode).toBe(200);
    const at = Math.floor(Date.now() / 1000);
    expect((await webhook(zoomEvent('alice@example.com', 'In_Meeting', at))).statusCode).toBe(200);
    expect((await webhook(zoomEvent('alice@example.com', 'In_Meeting', at))).statusCode).toBe(200);
    const forged = {
      ...zoomEvent('bob@example.com', 'Busy', at),
      headers: { 'content-type': 'application/json', 'x-zm-signature': 'v0=00', 'x-zm-request-timestamp': String(at) },
    };
    expect((await webhook(forged)).statusCode).toBe(401);

    // Maintainer, subscription mode before any Teams service account: sources, definitions, Teams
    // directory and reconciliation, RingCentral directory and subscription (its handshake reaches the webhook).
    const first = await maintainer();
    expect(first.steps.filter((step) => !step.ok)).toEqual([]);
    expect(rc.subscriptions.size).toBe(1);
    expect(await drainQueue()).toBe(0);

    // The operator signs a service account in; the next run creates the Teams subscription (handshake → webhook).
    await operator.vendor(teamsModule).runtime.login('svc-1', (prompt) => microsoft.approveDeviceCode(prompt.userCode, service.id));
    const second = await maintainer();
    expect(second.steps.filter((step) => !step.ok)).toEqual([]);
    const subscription = [...microsoft.subscriptions.values()][0];
    expect(subscription?.notificationUrl).toBe(`${api.url}/webhooks/teams`);

    // Teams rich notifications and each lifecycle event; RingCentral notifications.
    microsoft.setPresence(alice.id, 'Busy', 'InAMeeting');
    expect((await microsoft.deliver([{ subscriptionId: subscription.id, userId: alice.id }])).status).toBe(202);
    for (const event of ['missed', 'reauthorizationRequired', 'subscriptionRemoved'] as const) {
      expect((await microsoft.deliverLifecycle(subscription.id, event)).status).toBeLessThan(300);
    }
    const deliveries = await rc.deliverPresence('101', { presenceStatus: 'Busy', dndStatus: 'TakeAllCalls' });
    expect(deliveries.map((d) => d.status)).toEqual([200]);

    // The operator's RingCentral backfill records keys the worker then applies.
    const rcClient = createRingCentralClientFromConfig(operator.parts.config.ringcentral, { documents: operator.parts.store, logger: silentLogger });
    rc.presence = [{ extension: { id: 102 }, presenceStatus: 'Available', dndStatus: 'TakeAllCalls', userStatus: 'Available' }];
    await backfillRingCentralPresence({ client: rcClient, record: buildEventRecorder(operator.parts) });

    // Worker: applies, Teams tasks (presence reads, re-authorization, re-creation), an unreadable message.
    await sqs.client.send(new SendMessageBatchCommand({ QueueUrl: sqs.queueUrl, Entries: [{ Id: '0', MessageBody: 'not a bridge message' }] }));
    expect(await drainQueue()).toBe(0);
    const sources = await operator.parts.genesys.sources.getSources(operator.parts.config.genesys.sourceNames);
    const presenceOf = (email: string, system: 'zoom' | 'teams' | 'ringcentral') => {
      const user = sandbox.listUsers().find((u) => u.email === email)!;
      const held = sandbox.getPresence(user.id, sources[system].id);
      return sandbox.definitions().find((d) => d.id === held?.definitionId)?.systemPresence;
    };
    expect(presenceOf('alice@example.com', 'zoom')).toBe('Meeting');
    expect(presenceOf('alice@example.com', 'teams')).toBe('Meeting');
    expect(presenceOf('bob@example.com', 'teams')).toBe('Away');
    expect(presenceOf('carol@example.com', 'ringcentral')).toBe('Busy');
    expect(presenceOf('dave@example.com', 'ringcentral')).toBe('Available');

    // A Genesys outage: the worker asks SQS to redeliver later (the key stays queued, so the maintainer
    // leaves it alone); a key whose enqueue was lost is re-enqueued by the maintainer.
    sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
    expect((await webhook(zoomEvent('bob@example.com', 'Away', at + 5))).statusCode).toBe(200);
    expect(await drainQueue(1)).toBeGreaterThan(0);
    const lost = { system: 'zoom' as const, externalUserId: 'zoom-lost-enqueue' };
    await operator.parts.store.recordDesired(
      lost,
      { target: 'Busy', message: 'Busy', values: { presence_status: 'Busy' }, order: (at + 6) * 1000, tiebreak: 0, recordedAt: new Date().toISOString() },
      'erin@example.com',
    );
    sandbox.setFaults({});
    expect((await maintainer()).requeued).toBe(1);
    for (let attempt = 0; attempt < 50 && presenceOf('bob@example.com', 'zoom') !== 'Away'; attempt += 1) {
      await drainQueue();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(presenceOf('bob@example.com', 'zoom')).toBe('Away');
    expect((await operator.parts.store.get(lost))?.status).toMatch(/applied|unmatched/);

    // Teams polling mode: no public URL, TEAMS_MODE=auto resolves to polling; the maintainer run is the poll.
    coldStartWith((fn) => {
      const { BRIDGE_PUBLIC_URL: _unused, ...env } = envs[fn];
      return { ...env, TEAMS_MODE: 'auto' };
    });
    microsoft.setPresence(bob.id, 'Busy', 'InACall');
    const polled = await maintainer();
    expect(polled.steps.filter((step) => !step.ok)).toEqual([]);
    await drainQueue();
    expect(presenceOf('bob@example.com', 'teams')).toBe('Busy');

    // The status page: the HTML table, and the JSON with the primary sources read from Genesys.
    const page = (path: string, query = '', token = STATUS_TOKEN): Promise<HttpApiResult> =>
      status({
        rawPath: path,
        rawQueryString: query,
        headers: { authorization: `Bearer ${token}`, accept: path.endsWith('.json') ? 'application/json' : 'text/html' },
        requestContext: { http: { method: 'GET', path } },
      });
    expect((await page('/status')).statusCode).toBe(200);
    expect((await page('/status', '', 'wrong-token')).statusCode).toBe(401);
    const report = await page('/status.json', 'primary=1');
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('alice@example.com');
    expect(sandbox.violations).toEqual([]);

    for (const fn of FUNCTIONS) {
      const asked = new Set(calls[fn].filter((call) => call.operation === 'GetParameter').map((call) => call.input.Name as string));
      expect([...asked].sort()).toEqual(FUNCTION_PARAMETERS[fn].map((name) => `/presence-bridge/${TEST_STAGE}/${name}`).sort());
      expect(calls[fn].filter((call) => call.operation === 'GetParameters')).toEqual([]);
    }
  }, 120_000);

  it.each(FUNCTIONS)('every AWS call of the %s function is allowed by its own role', (fn) => {
    const denied = deniedPermissions(roleOf(fn).statements, neededBy(fn));
    expect([...new Set(denied.map((p) => `${p.because}: ${p.action} on ${p.resource}`))]).toEqual([]);
  });

  it.each(FUNCTIONS)('the %s role grants nothing its function does not use', (fn) => {
    expect(unusedGrants(roleOf(fn).statements, neededBy(fn))).toEqual([]);
  });

  it.each(FUNCTIONS)('removing any one statement of the %s role from a copy of the template makes the check report a denied call', (fn) => {
    const role = roleOf(fn);
    const needed = neededBy(fn);
    const policies = template.Resources[role.roleLogicalId].Properties?.Policies as Array<{ PolicyDocument: { Statement: unknown[] } }>;
    let removedCount = 0;
    policies.forEach((policy, p) => {
      policy.PolicyDocument.Statement.forEach((statement, index) => {
        const mutated = JSON.parse(JSON.stringify(template)) as CfnTemplate;
        (mutated.Resources[role.roleLogicalId].Properties?.Policies as typeof policies)[p].PolicyDocument.Statement.splice(index, 1);
        const weakened = functionRoles(mutated, new TemplateResolver(mutated)).find((r) => r.function === fn)!;
        const denied = deniedPermissions(weakened.statements, needed);
        expect({ removed: statement, denied: denied.length > 0 }).toEqual({ removed: statement, denied: true });
        removedCount += 1;
      });
    });
    expect(removedCount).toBe(role.statements.length);
  });

  it('the public webhook function holds no vendor-app or Genesys credentials and cannot delete, batch-read or scan', () => {
    const grants = roleOf('webhook').statements.flatMap((s) => s.Action.flatMap((action) => s.Resource.map((resource) => `${action} ${resource}`)));
    for (const forbidden of [
      'dynamodb:DeleteItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Scan',
      'dynamodb:Query',
      'sqs:DeleteMessage',
      'ssm:GetParametersByPath',
    ]) {
      expect(grants.filter((grant) => grant.startsWith(`${forbidden} `))).toEqual([]);
    }
    for (const secret of [
      'GENESYS_CLIENT_ID',
      'GENESYS_CLIENT_SECRET',
      'TEAMS_CLIENT_SECRET',
      'TEAMS_TOKEN_ENCRYPTION_KEY',
      'RINGCENTRAL_CLIENT_SECRET',
      'RINGCENTRAL_JWT',
    ]) {
      expect(grants.filter((grant) => grant.endsWith(`/${secret}`))).toEqual([]);
    }
  });

  it('only the maintainer (Teams reconciliation) and the status page (its user table) may scan the table, and they do', () => {
    const scanners = roles.filter((role) => role.statements.some((s) => s.Action.some((a) => /^dynamodb:(Scan|\*)$/i.test(a) || a === '*')));
    expect(scanners.map((role) => role.function).sort()).toEqual(['maintainer', 'status']);
    expect(calls.maintainer.some((call) => call.operation === 'Scan')).toBe(true);
    expect(calls.status.some((call) => call.operation === 'Scan')).toBe(true);
    expect(calls.webhook.some((call) => call.operation === 'Scan')).toBe(false);
    expect(calls.worker.some((call) => call.operation === 'Scan')).toBe(false);
  });

  it('no function may touch the dead-letter queue: SQS redrives to it under the queue policy', () => {
    const dlq = resolver.getAtt('KeyDeadLetterQueue', 'Arn');
    for (const role of roles) expect(role.statements.filter((s) => s.Resource.some((r) => r === dlq || r === '*'))).toEqual([]);
  });

  it('a stack delete or a replacing update keeps the table and both queues', () => {
    const stateful = Object.entries(template.Resources).filter(([, r]) => ['AWS::DynamoDB::Table', 'AWS::SQS::Queue'].includes(r.Type));
    expect(stateful.map(([id]) => id).sort()).toEqual(['KeyDeadLetterQueue', 'KeyQueue', 'StateTable']);
    for (const [id, resource] of stateful) {
      expect({ id, deletion: resource.DeletionPolicy, replace: resource.UpdateReplacePolicy }).toEqual({ id, deletion: 'Retain', replace: 'Retain' });
    }
  });
});
