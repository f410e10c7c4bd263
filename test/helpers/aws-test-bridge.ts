/**
 * Shared arrangements for tests of the AWS composition against local stand-ins: the configuration of
 * an AWS bridge talking to the Genesys sandbox, and the SQS receive the Lambda event source performs.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { loadConfig, type BridgeConfig } from '../../src/config';
import type { GenesysSandbox } from '../../src/sandbox';
import type { SqsStandIn } from './sqs-stand-in';

/** An AWS bridge's configuration: this table and queue, the sandbox as Genesys, and any extra variables. */
export function awsTestConfig(
  tableName: string,
  sqs: Pick<SqsStandIn, 'queueUrl'>,
  sandbox: Pick<GenesysSandbox, 'clientId' | 'clientSecret' | 'url'>,
  extra: Record<string, string> = {},
): BridgeConfig {
  return loadConfig({
    BRIDGE_TABLE_NAME: tableName,
    BRIDGE_QUEUE_URL: sqs.queueUrl,
    GENESYS_CLIENT_ID: sandbox.clientId,
    GENESYS_CLIENT_SECRET: sandbox.clientSecret,
    GENESYS_API_BASE_URL: sandbox.url,
    GENESYS_LOGIN_BASE_URL: sandbox.url,
    GENESYS_REQUESTS_PER_MINUTE: '6000',
    ...extra,
  });
}

/** What the SQS event source hands the worker: up to 10 visible messages, as Lambda records. */
export async function receiveRecords(sqs: SqsStandIn, visibilityTimeout = 30): Promise<Array<{ messageId: string; receiptHandle: string; body: string }>> {
  const received = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: visibilityTimeout }));
  return (received.Messages ?? []).map((m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body! }));
}
