/**
 * Validates a CloudFormation template against AWS's resource specification as the AWS CDK publishes it
 * (`@aws-cdk/aws-service-spec`, built from the CloudFormation registry schemas:
 * https://github.com/cdklabs/awscdk-service-spec). Checks what `package` does not and CloudFormation would
 * only refuse at deploy time: resource types exist, every property name is known (nested types too),
 * required properties are present, and values have the right shape (object, list, scalar). Values that
 * are intrinsic functions (`Ref`, `Fn::…`) are not looked into: they resolve only at deploy time.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { CfnTemplate } from './packaged-template';

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;
type Property = { readonly type: PropertyType; readonly required?: boolean };
type PropertyType =
  | { readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { readonly type: 'ref'; readonly reference: { readonly $ref: string } }
  | { readonly type: 'array' | 'map'; readonly element: PropertyType }
  | { readonly type: 'union'; readonly types: readonly PropertyType[] };

/** https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html */
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Condition',
  'Metadata',
  'CreationPolicy',
  'UpdatePolicy',
]);
/** https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html */
const DELETION_POLICIES = new Set(['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot']);

let database: SpecDatabase | undefined;

/** The specification, loaded once per test file (about half a second). */
export function loadSpecification(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isScalar = (value: unknown) => ['string', 'number', 'boolean'].includes(typeof value);

export class TemplateValidator {
  constructor(private readonly db: SpecDatabase = loadSpecification()) {}

  /** Every problem found, each naming the resource and the property path; empty when the template is valid. */
  validate(template: CfnTemplate): string[] {
    const problems: string[] = [];
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const where = `${logicalId} (${resource.Type})`;
      for (const key of Object.keys(resource)) if (!RESOURCE_KEYS.has(key)) problems.push(`${where}: unknown resource attribute ${key}`);
      for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
        const value = resource[policy];
        if (value !== undefined && !DELETION_POLICIES.has(value))
          problems.push(`${where}: ${policy} ${String(value)} is not one of ${[...DELETION_POLICIES].join(', ')}`);
      }
      if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') continue;
      const found = this.db.lookup('resource', 'cloudFormationType', 'equals', resource.Type);
      if (found.length !== 1) {
        problems.push(`${where}: no such resource type in the CloudFormation specification`);
        continue;
      }
      const spec = found[0] as unknown as { properties: Record<string, Property> };
      const properties = resource.Properties ?? {};
      problems.push(...this.checkObject(properties, spec.properties, `${where}: Properties`));
    }
    return problems;
  }

  private checkObject(value: unknown, properties: Record<string, Property>, path: string): string[] {
    if (isIntrinsic(value)) return [];
    if (!isObject(value)) return [`${path} must be an object, got ${JSON.stringify(value)}`];
    const problems: string[] = [];
    for (const [name, inner] of Object.entries(value)) {
      const property = properties[name];
      if (!property) {
        problems.push(`${path}.${name} is not a known property (known: ${Object.keys(properties).sort().join(', ')})`);
        continue;
      }
      problems.push(...this.checkValue(inner, property.type, `${path}.${name}`));
    }
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && !(name in value)) problems.push(`${path}.${name} is required`);
    }
    return problems;
  }

  private checkValue(value: unknown, type: PropertyType, path: string): string[] {
    if (isIntrinsic(value)) return [];
    switch (type.type) {
      case 'json':
        return [];
      case 'string':
      case 'number':
      case 'integer':
      case 'boolean':
      case 'date-time':
        // CloudFormation converts between scalar kinds ("true", 60 for a string): only the shape is checked.
        return isScalar(value) ? [] : [`${path} must be a ${type.type}, got ${JSON.stringify(value)}`];
      case 'null':
        return value === null ? [] : [`${path} must be null`];
      case 'tag':
        return this.checkObject(value, { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } }, path);
      case 'ref': {
        const definition = this.db.get('typeDefinition', type.reference.$ref) as unknown as { properties: Record<string, Property> };
        return this.checkObject(value, definition.properties, path);
      }
      case 'array':
        if (!Array.isArray(value)) return [`${path} must be a list, got ${JSON.stringify(value)}`];
        return value.flatMap((element, index) => this.checkValue(element, type.element, `${path}[${index}]`));
      case 'map':
        if (!isObject(value)) return [`${path} must be a map, got ${JSON.stringify(value)}`];
        return Object.entries(value).flatMap(([key, inner]) => this.checkValue(inner, type.element, `${path}.${key}`));
      case 'union': {
        const attempts = type.types.map((option) => this.checkValue(value, option, path));
        return attempts.some((problems) => problems.length === 0) ? [] : attempts.reduce((best, next) => (next.length < best.length ? next : best));
      }
      default:
        return [`${path}: unknown specification type ${JSON.stringify(type)}`];
    }
  }
}
