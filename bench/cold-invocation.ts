/**
 * A full cold invocation of one packaged Lambda function: a fresh `node` process that loads the bundle,
 * runs the cold start (configuration, its SSM parameters, clients) and handles one event against local
 * stand-ins — DynamoDB (dynalite), SQS, Parameter Store, the Parameters and Secrets Lambda Extension and
 * the Genesys sandbox, all on 127.0.0.1 — until it has the handler's answer. Timed from spawn to answer.
 */
import { spawn } from 'node:child_process';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { FUNCTION_PARAMETERS } from '../src/aws/function-parameters';
import { startGenesysSandbox, type GenesysSandbox } from '../src/sandbox';
import { signZoomRequest } from '../src/sources/zoom/verify';
import { createTableIfMissing } from '../src/store/dynamodb';
import { startDynalite, type RunningDynalite } from '../test/helpers/dynalite';
import { zoomPresenceBody } from '../test/helpers/local-bridge';
import { startParametersExtensionStandIn, type ParametersExtensionStandIn } from '../test/helpers/parameters-extension-stand-in';
import { startSqsStandIn, type SqsStandIn } from '../test/helpers/sqs-stand-in';
import { startSsmStandIn, type SsmStandIn } from '../test/helpers/ssm-stand-in';

export type SecretsPath = 'extension' | 'sdk';

const PREFIX = '/presence-bridge/bench/';
const ZOOM_SECRET = 'bench-cold-zoom-secret';
const STATUS_TOKEN = 'bench-status-token';
const TABLE = 'presence-bridge-bench-cold';

/** The child: load, invoke once, print the timings and the answer's status, exit at once. */
const CHILD = `
const t0 = process.hrtime.bigint();
const handler = require(process.argv[1])[process.argv[2]];
const loadedMs = Number(process.hrtime.bigint() - t0) / 1e6;
const event = JSON.parse(process.argv[3]);
const context = { functionName: 'bench', getRemainingTimeInMillis: () => 60000 };
Promise.resolve(handler(event, context)).then(
  (result) => { process.stdout.write(JSON.stringify({ loadedMs, result })); process.exit(0); },
  (error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); },
);`;

export interface ColdInvocation {
  /** spawn → the handler's answer printed, ms. */
  readonly wallMs: number;
  /** require(bundle) inside the process, ms. */
  readonly loadMs: number;
  readonly result: unknown;
}

export interface ColdStandIns {
  invoke(fn: string, bundle: string, secrets?: SecretsPath): Promise<ColdInvocation>;
  close(): Promise<void>;
}

export async function startColdStandIns(): Promise<ColdStandIns> {
  const dynalite: RunningDynalite = await startDynalite();
  await createTableIfMissing(dynalite.client, TABLE);
  const sqs: SqsStandIn = await startSqsStandIn();
  const sandbox: GenesysSandbox = await startGenesysSandbox({ seedDemoUsers: true });
  const values: Record<string, string> = {
    ZOOM_WEBHOOK_SECRET_TOKEN: ZOOM_SECRET,
    GENESYS_CLIENT_ID: sandbox.clientId,
    GENESYS_CLIENT_SECRET: sandbox.clientSecret,
    STATUS_PAGE_TOKEN: STATUS_TOKEN,
  };
  const ssm: SsmStandIn = await startSsmStandIn(Object.fromEntries(Object.entries(values).map(([name, value]) => [PREFIX + name, value])));
  const ssmClient: SSMClient = ssm.createClient();
  const extension: ParametersExtensionStandIn = await startParametersExtensionStandIn(ssmClient, 'bench-session-token');
  let sequence = 0;

  const baseEnv = (secrets: SecretsPath): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    LOG_LEVEL: 'error',
    BRIDGE_TABLE_NAME: TABLE,
    BRIDGE_QUEUE_URL: sqs.queueUrl,
    DYNAMODB_ENDPOINT: dynalite.endpoint,
    SQS_ENDPOINT: new URL(sqs.queueUrl).origin,
    BRIDGE_SSM_PREFIX: PREFIX,
    GENESYS_REGION: 'mypurecloud.com',
    GENESYS_API_BASE_URL: sandbox.url,
    GENESYS_LOGIN_BASE_URL: sandbox.url,
    GENESYS_REQUESTS_PER_MINUTE: '6000',
    ...(secrets === 'extension'
      ? { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port), AWS_SESSION_TOKEN: extension.token }
      : { AWS_ENDPOINT_URL_SSM: ssm.endpoint }),
  });

  /** One event per function, each a real piece of work: a new Zoom state, its key, a maintenance run, the page. */
  async function eventFor(fn: string): Promise<unknown> {
    if (fn === 'webhook') {
      sequence += 1;
      const at = Math.floor(Date.now() / 1000);
      const status = sequence % 2 === 0 ? 'Away' : 'Do_Not_Disturb';
      const body = zoomPresenceBody({ email: 'alice@example.com', status, at, eventTs: Date.now() });
      return {
        rawPath: '/webhooks/zoom',
        headers: { 'content-type': 'application/json', ...signZoomRequest(ZOOM_SECRET, body, at) },
        body: body.toString('base64'),
        isBase64Encoded: true,
        requestContext: { http: { method: 'POST', path: '/webhooks/zoom' } },
      };
    }
    if (fn === 'worker') {
      const received = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 1 }));
      const records = (received.Messages ?? []).map((m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body! }));
      return { Records: records };
    }
    if (fn === 'status') {
      return {
        rawPath: '/status.json',
        headers: { authorization: `Bearer ${STATUS_TOKEN}`, accept: 'application/json' },
        requestContext: { http: { method: 'GET', path: '/status.json' } },
      };
    }
    return {};
  }

  return {
    async invoke(fn, bundle, secrets = 'extension') {
      if (!FUNCTION_PARAMETERS[fn as keyof typeof FUNCTION_PARAMETERS]) throw new Error(`no function ${fn}`);
      const event = await eventFor(fn);
      const started = process.hrtime.bigint();
      // Asynchronous: the stand-ins answer from this process meanwhile.
      const child = spawn(process.execPath, ['-e', CHILD, bundle, 'handler', JSON.stringify(event)], {
        env: baseEnv(secrets),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) throw new Error(`cold ${fn} invocation failed (${code}): ${err.slice(0, 500)}`);
      const parsed = JSON.parse(out) as { loadedMs: number; result: unknown };
      return { wallMs, loadMs: parsed.loadedMs, result: parsed.result };
    },
    async close() {
      await extension.close();
      ssmClient.destroy();
      await ssm.close();
      await sandbox.close();
      await sqs.close();
      await dynalite.close();
    },
  };
}
