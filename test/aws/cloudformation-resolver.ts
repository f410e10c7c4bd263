/**
 * Resolves the intrinsic functions of a packaged template (Ref, Fn::GetAtt, Fn::Join, Fn::Sub) against
 * a fake stack: a fixed account, region and partition, and physical names derived from logical ids.
 * Enough for IAM policies and function environments; anything else is reported, not guessed.
 */
import type { CfnTemplate } from './packaged-template';

export interface FakeStack {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly stackName: string;
}

export const FAKE_STACK: FakeStack = { accountId: '123456789012', region: 'us-east-1', partition: 'aws', stackName: 'presence-bridge-test' };

export class TemplateResolver {
  constructor(
    private readonly template: CfnTemplate,
    readonly stack: FakeStack = FAKE_STACK,
  ) {}

  /** The physical name CloudFormation would give a resource with no explicit name. */
  physicalName(logicalId: string): string {
    return `${this.stack.stackName}-${logicalId}-FAKE0001`;
  }

  ref(name: string): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': this.stack.accountId,
      'AWS::Region': this.stack.region,
      'AWS::Partition': this.stack.partition,
      'AWS::StackName': this.stack.stackName,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (pseudo[name] !== undefined) return pseudo[name];
    const resource = this.resource(name);
    const { region, accountId, partition } = this.stack;
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return (props.TableName as string | undefined) ?? this.physicalName(name);
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${accountId}/${this.queueName(name)}`;
      case 'AWS::Logs::LogGroup':
        return props.LogGroupName as string;
      case 'AWS::Lambda::Function':
        return (props.FunctionName as string | undefined) ?? this.physicalName(name);
      case 'AWS::IAM::Role':
        return (props.RoleName as string | undefined) ?? this.physicalName(name);
      default:
        return `${partition}-${name}-ref`;
    }
  }

  getAtt(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId);
    const { region, accountId, partition } = this.stack;
    const key = `${resource.Type}.${attribute}`;
    switch (key) {
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:${partition}:dynamodb:${region}:${accountId}:table/${this.ref(logicalId)}`;
      case 'AWS::SQS::Queue.Arn':
        return `arn:${partition}:sqs:${region}:${accountId}:${this.queueName(logicalId)}`;
      case 'AWS::SQS::Queue.QueueName':
        return this.queueName(logicalId);
      case 'AWS::IAM::Role.Arn':
        return `arn:${partition}:iam::${accountId}:role/${this.ref(logicalId)}`;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:${partition}:logs:${region}:${accountId}:log-group:${this.ref(logicalId)}:*`;
      case 'AWS::Lambda::Function.Arn':
        return `arn:${partition}:lambda:${region}:${accountId}:function:${this.ref(logicalId)}`;
      case 'AWS::ApiGatewayV2::Api.ApiEndpoint':
        return `https://fakeapi.execute-api.${region}.amazonaws.com`;
      default:
        throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${resource.Type})`);
    }
  }

  /** Resolves every intrinsic function inside `value`. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [[fn, arg]] = entries;
      switch (fn) {
        case 'Ref':
          return this.ref(arg as string);
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(/\.(.*)/s);
          return this.getAtt(id, attribute);
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
          return text.replace(/\$\{([^}!]+)\}/g, (_whole, name: string) => {
            if (name in vars) return String(this.resolve(vars[name]));
            const dot = name.indexOf('.');
            return dot > 0 && !name.startsWith('AWS::') ? this.getAtt(name.slice(0, dot), name.slice(dot + 1)) : this.ref(name);
          });
        }
        default:
          if (fn.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${fn}`);
      }
    }
    return Object.fromEntries(entries.map(([key, inner]) => [key, this.resolve(inner)]));
  }

  private queueName(logicalId: string): string {
    return ((this.resource(logicalId).Properties ?? {}).QueueName as string | undefined) ?? this.physicalName(logicalId);
  }

  private resource(logicalId: string) {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`the template has no resource ${logicalId}`);
    return resource;
  }
}
