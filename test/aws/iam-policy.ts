/**
 * The IAM side of the conformance test: which role each Lambda function of a packaged template runs
 * with, that role's statements (inline policies and AWS::IAM::Policy resources attached to it), resolved
 * against a fake stack, and whether they allow an (action, resource) pair.
 * Evaluation follows https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * for identity policies without conditions: an explicit Deny wins, else any matching Allow, else denied.
 */
import type { TemplateResolver } from './cloudformation-resolver';
import type { CfnTemplate } from './packaged-template';

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  /** Where it comes from, for messages: `WebhookRole policy webhook statement 2`. */
  readonly origin: string;
}

export interface FunctionRole {
  /** The function's key in serverless.yml (webhook, worker, maintainer). */
  readonly function: string;
  readonly functionLogicalId: string;
  readonly functionName: string;
  readonly roleLogicalId: string;
  readonly statements: readonly PolicyStatement[];
}

/** One permission a call needs. */
export interface RequiredPermission {
  readonly action: string;
  readonly resource: string;
  /** What needed it, for messages: `DynamoDBClient UpdateItemCommand`, `SQS event source mapping`. */
  readonly because: string;
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);

function toStatements(document: unknown, origin: string): PolicyStatement[] {
  const raw = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((statement: Record<string, unknown>, index) => {
    for (const unsupported of ['NotAction', 'NotResource', 'Condition', 'NotPrincipal']) {
      if (statement[unsupported] !== undefined) throw new Error(`${origin} statement ${index}: ${unsupported} is not supported by this check`);
    }
    return {
      Effect: statement.Effect as 'Allow' | 'Deny',
      Action: asList(statement.Action),
      Resource: asList(statement.Resource),
      origin: `${origin} statement ${index}`,
    };
  });
}

/** Every function's role and resolved statements. A function whose role is not in the template is an error. */
export function functionRoles(template: CfnTemplate, resolver: TemplateResolver): FunctionRole[] {
  // Only what is read is resolved: other resources may use attributes the fake stack does not model.
  const resolved = (id: string) => resolver.resolve(template.Resources[id]) as CfnTemplate['Resources'][string];
  const roles: FunctionRole[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const role = (resource.Properties?.Role ?? {}) as { 'Fn::GetAtt'?: [string, string] };
    const roleLogicalId = role['Fn::GetAtt']?.[0];
    if (!roleLogicalId || template.Resources[roleLogicalId]?.Type !== 'AWS::IAM::Role') {
      throw new Error(`${logicalId}: its Role is not a role of this template (${JSON.stringify(resource.Properties?.Role)})`);
    }
    const statements: PolicyStatement[] = [];
    const roleProps = resolved(roleLogicalId).Properties ?? {};
    if (asList(roleProps.ManagedPolicyArns).length > 0) {
      throw new Error(`${roleLogicalId}: managed policies cannot be checked offline; write the statements inline`);
    }
    for (const policy of (roleProps.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }> | undefined) ?? []) {
      statements.push(...toStatements(policy.PolicyDocument, `${roleLogicalId} policy ${policy.PolicyName}`));
    }
    for (const [policyId, policy] of Object.entries(template.Resources)) {
      if (policy.Type !== 'AWS::IAM::Policy') continue;
      const attached = ((policy.Properties?.Roles as Array<{ Ref?: string }> | undefined) ?? []).some((r) => r.Ref === roleLogicalId);
      if (attached) statements.push(...toStatements((resolved(policyId).Properties ?? {}).PolicyDocument, policyId));
    }
    const functionName = String(resolver.resolve(resource.Properties?.FunctionName));
    roles.push({
      function: logicalId.replace(/LambdaFunction$/, '').replace(/^./, (c) => c.toLowerCase()),
      functionLogicalId: logicalId,
      functionName,
      roleLogicalId,
      statements,
    });
  }
  return roles;
}

/** IAM wildcard match: `*` any run of characters, `?` one character. */
function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function matches(statement: PolicyStatement, permission: RequiredPermission): boolean {
  // Action names are case-insensitive; resource ARNs are case-sensitive.
  return (
    statement.Action.some((pattern) => wildcard(pattern, permission.action, true)) &&
    statement.Resource.some((pattern) => wildcard(pattern, permission.resource, false))
  );
}

export function isAllowed(statements: readonly PolicyStatement[], permission: RequiredPermission): boolean {
  let allowed = false;
  for (const statement of statements) {
    if (!matches(statement, permission)) continue;
    if (statement.Effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

/** The permissions `statements` do not grant, each with the call that needed it. */
export function deniedPermissions(statements: readonly PolicyStatement[], needed: readonly RequiredPermission[]): RequiredPermission[] {
  return needed.filter((permission) => !isAllowed(statements, permission));
}

/** Statements (and their actions) that none of `needed` uses: grants the function could do without. */
export function unusedGrants(statements: readonly PolicyStatement[], needed: readonly RequiredPermission[]): string[] {
  const unused: string[] = [];
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of statement.Action) {
      for (const resource of statement.Resource) {
        const used = needed.some((p) => wildcard(action, p.action, true) && wildcard(resource, p.resource, false));
        if (!used) unused.push(`${statement.origin}: ${action} on ${resource}`);
      }
    }
  }
  return unused;
}

/**
 * What a function needs beyond the calls its code makes: writing its CloudWatch log group, and for a
 * function behind an SQS event source the polling Lambda does with the function's role
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions).
 */
export function platformPermissions(template: CfnTemplate, resolver: TemplateResolver, role: FunctionRole): RequiredPermission[] {
  const { region, accountId, partition } = resolver.stack;
  const stream = `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/lambda/${role.functionName}:log-stream:2026/01/01/[$LATEST]0123abcd`;
  const needed: RequiredPermission[] = [
    { action: 'logs:CreateLogStream', resource: stream, because: 'Lambda logging' },
    { action: 'logs:PutLogEvents', resource: stream, because: 'Lambda logging' },
  ];
  for (const mapping of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')) {
    const target = (mapping.Properties?.FunctionName as { 'Fn::GetAtt'?: string[] } | undefined)?.['Fn::GetAtt']?.[0];
    const source = String(resolver.resolve(mapping.Properties?.EventSourceArn));
    if (target !== role.functionLogicalId || !source.includes(':sqs:')) continue;
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) {
      needed.push({ action, resource: source, because: 'SQS event source mapping' });
    }
  }
  return needed;
}
