/**
 * The packaged template is valid CloudFormation before anything is deployed: every resource type
 * exists, every property name (nested too) is known, required properties are present
 * (specification: @aws-cdk/aws-service-spec). A misspelt property in a copy is reported.
 */
import fs from 'node:fs';
import { TemplateValidator } from './cloudformation-spec-validator';
import { packageService, type CfnTemplate } from './packaged-template';

describe('packaged template against the CloudFormation resource specification', () => {
  let template: CfnTemplate;
  let validator: TemplateValidator;
  let dir: string | undefined;
  const copy = (): CfnTemplate => JSON.parse(JSON.stringify(template));

  beforeAll(async () => {
    ({ template, dir } = await packageService());
    validator = new TemplateValidator();
  }, 150_000);
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('validates every resource', () => {
    expect(Object.keys(template.Resources).length).toBeGreaterThan(20);
    expect(validator.validate(template)).toEqual([]);
  });

  it('reports a misspelt top-level property', () => {
    const broken = copy();
    const queue = broken.Resources.KeyQueue.Properties as Record<string, unknown>;
    queue.VisibilityTimout = queue.VisibilityTimeout;
    delete queue.VisibilityTimeout;
    expect(validator.validate(broken)).toEqual([expect.stringMatching(/^KeyQueue \(AWS::SQS::Queue\): Properties\.VisibilityTimout is not a known property/)]);
  });

  it('reports a misspelt nested property, with its path', () => {
    const broken = copy();
    const table = broken.Resources.StateTable.Properties as { GlobalSecondaryIndexes: Array<{ Projection: Record<string, unknown> }> };
    const projection = table.GlobalSecondaryIndexes[0].Projection;
    projection.ProjectionTyp = projection.ProjectionType;
    delete projection.ProjectionType;
    expect(validator.validate(broken)).toEqual([
      expect.stringMatching(/^StateTable \(AWS::DynamoDB::Table\): Properties\.GlobalSecondaryIndexes\[0\]\.Projection\.ProjectionTyp is not a known property/),
    ]);
  });

  it('reports a misspelt property of a hand-written role', () => {
    const broken = copy();
    const role = broken.Resources.WebhookRole.Properties as Record<string, unknown>;
    role.Policys = role.Policies;
    delete role.Policies;
    expect(validator.validate(broken)).toEqual([expect.stringMatching(/^WebhookRole \(AWS::IAM::Role\): Properties\.Policys is not a known property/)]);
  });

  it('reports a missing required property, an unknown type and a bad DeletionPolicy', () => {
    const broken = copy();
    delete (broken.Resources.StateTable.Properties as Record<string, unknown>).KeySchema;
    (broken.Resources.KeyDeadLetterQueue as { Type: string }).Type = 'AWS::SQS::Queu';
    (broken.Resources.KeyQueue as { DeletionPolicy: string }).DeletionPolicy = 'Keep';
    expect(validator.validate(broken).sort()).toEqual([
      expect.stringMatching(/^KeyDeadLetterQueue \(AWS::SQS::Queu\): no such resource type/),
      expect.stringMatching(/^KeyQueue \(AWS::SQS::Queue\): DeletionPolicy Keep is not one of/),
      expect.stringMatching(/^StateTable \(AWS::DynamoDB::Table\): Properties\.KeySchema is required/),
    ]);
  });

  it('reports a value of the wrong shape', () => {
    const broken = copy();
    (broken.Resources.StateTable.Properties as Record<string, unknown>).AttributeDefinitions = { AttributeName: 'pk', AttributeType: 'S' };
    expect(validator.validate(broken)).toEqual([expect.stringMatching(/Properties\.AttributeDefinitions must be a list/)]);
  });
});
