/**
 * Records every AWS call a client sends (an AWS SDK v3 middleware at the initialize step, so retries
 * count once) and maps each to the IAM permissions it needs: action and resource ARN.
 * SQS batch calls need their single-message actions
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html);
 * GetParameters needs ssm:GetParameters on every parameter named
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html).
 */
import type { RequiredPermission } from './iam-policy';
import type { FakeStack } from './cloudformation-resolver';

export interface RecordedCall {
  /** e.g. `DynamoDBClient` */
  readonly client: string;
  /** e.g. `UpdateItem` */
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: unknown }) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Adds the recording middleware to `client`; calls land in `calls`. */
export function recordCalls<T>(client: T, calls: RecordedCall[]): T {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      calls.push({
        client: context.clientName ?? 'unknown',
        operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
        input: args.input as Record<string, unknown>,
      });
      return next(args);
    },
    { step: 'initialize', name: 'iamConformanceRecorder' },
  );
  return client;
}

const SQS_BATCH_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

export interface ResourceNames {
  readonly stack: FakeStack;
  /** Queue URL as the function sees it (a stand-in's) → the queue's ARN in the template. */
  readonly queueArns: Readonly<Record<string, string>>;
}

/** The permissions one recorded call needs. Unknown clients or shapes fail loudly rather than pass. */
export function permissionsFor(call: RecordedCall, names: ResourceNames): RequiredPermission[] {
  const { region, accountId, partition } = names.stack;
  const because = `${call.client} ${call.operation}`;
  const input = call.input;
  switch (call.client) {
    case 'DynamoDBClient': {
      const table = (tableName: string) => `arn:${partition}:dynamodb:${region}:${accountId}:table/${tableName}`;
      if (call.operation === 'BatchGetItem' || call.operation === 'BatchWriteItem') {
        return Object.keys(input.RequestItems as object).map((name) => ({ action: `dynamodb:${call.operation}`, resource: table(name), because }));
      }
      if (typeof input.TableName !== 'string') throw new Error(`${because}: no TableName`);
      const resource = table(input.TableName) + (typeof input.IndexName === 'string' ? `/index/${input.IndexName}` : '');
      return [{ action: `dynamodb:${call.operation}`, resource, because }];
    }
    case 'SQSClient': {
      const arn = names.queueArns[String(input.QueueUrl)];
      if (!arn) throw new Error(`${because}: unknown queue ${String(input.QueueUrl)}`);
      return [{ action: `sqs:${SQS_BATCH_ACTIONS[call.operation] ?? call.operation}`, resource: arn, because }];
    }
    case 'SSMClient': {
      const parameter = (name: string) => `arn:${partition}:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
      if (call.operation === 'GetParameters') {
        return (input.Names as string[]).map((name) => ({ action: 'ssm:GetParameters', resource: parameter(name), because }));
      }
      if (call.operation === 'GetParametersByPath' || call.operation === 'GetParameter') {
        const name = String(input.Path ?? input.Name).replace(/\/$/, '');
        return [{ action: `ssm:${call.operation}`, resource: parameter(name), because }];
      }
      throw new Error(`${because}: no mapping to IAM yet`);
    }
    default:
      throw new Error(`${because}: no mapping to IAM yet`);
  }
}
