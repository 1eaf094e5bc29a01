/**
 * Every template (template.yaml and each file under examples/) parses with yaml-cfn, is a
 * well-formed CloudFormation template, and names no physical resource with a literal string,
 * so it deploys side by side in many accounts and regions (StackSets, several stacks).
 */
import { describe, expect, it } from 'vitest';
import { isIntrinsic } from './support/native-model.js';
import { allTemplatePaths, type CfnTemplate, loadTemplate } from './support/templates.js';

const paths = await allTemplatePaths();

/**
 * Properties that set a physical name. A literal value would collide between two stacks (or
 * two regions, for global names like RoleName); an intrinsic must derive it from something
 * stack-specific.
 */
const PHYSICAL_NAME_PROPERTIES = new Set([
  'TableName',
  'FunctionName',
  'RoleName',
  'LogGroupName',
  'PolicyName',
  'ManagedPolicyName',
  'UserPoolName',
  'BucketName',
  'TopicName',
  'QueueName',
  'StateMachineName',
  'RestApiName',
]);

/** `path → value` of every physical-name property anywhere in a resource's Properties. */
function physicalNames(value: unknown, path: string, out: Array<[string, unknown]>): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) physicalNames(v, `${path}[${i}]`, out);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (PHYSICAL_NAME_PROPERTIES.has(key)) out.push([`${path}.${key}`, v]);
    else physicalNames(v, `${path}.${key}`, out);
  }
}

/** Whether a name value is derived from something that differs per stack (not a constant). */
function isDerived(value: unknown): boolean {
  if (!isIntrinsic(value)) return false;
  const [fn, arg] = Object.entries(value as Record<string, unknown>)[0]!;
  if (fn === 'Fn::Sub') {
    const text = Array.isArray(arg) ? arg[0] : arg;
    return typeof text === 'string' && /\$\{(?!!)[^}]+\}/.test(text);
  }
  if (fn === 'Fn::Join') {
    const parts = Array.isArray(arg) ? arg[1] : undefined;
    return Array.isArray(parts) && parts.some(isDerived);
  }
  return true; // Ref, Fn::GetAtt, Fn::ImportValue, Fn::Select, …
}

describe.each(paths)('%s', (path) => {
  it('parses with yaml-cfn into a CloudFormation template', async () => {
    const template: CfnTemplate = await loadTemplate(path);
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(typeof template.Description).toBe('string');
    expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      expect(resource.Type, logicalId).toMatch(/^(AWS::\w+::\w+|Custom::\w+)$/);
    }
  });

  it('sets no physical name to a literal', async () => {
    const template = await loadTemplate(path);
    const names: Array<[string, unknown]> = [];
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      physicalNames(resource.Properties, logicalId, names);
    }
    const literal = names.filter(([, value]) => !isDerived(value));
    expect(literal).toEqual([]);
  });
});

describe('the physical-name check', () => {
  it('tells literal names from derived ones', () => {
    expect(isDerived('my-table')).toBe(false);
    expect(isDerived({ 'Fn::Sub': '/aws/lambda/fixed' })).toBe(false);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
    expect(isDerived({ 'Fn::Sub': '/aws/lambda/${!Literal}' })).toBe(false);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
    expect(isDerived({ 'Fn::Sub': '/aws/lambda/${Function}' })).toBe(true);
    expect(isDerived({ 'Fn::Join': ['-', ['a', 'b']] })).toBe(false);
    expect(isDerived({ 'Fn::Join': ['-', ['a', { Ref: 'AWS::StackName' }]] })).toBe(true);
    expect(isDerived({ Ref: 'Name' })).toBe(true);
  });

  it('finds names at any depth', () => {
    const out: Array<[string, unknown]> = [];
    physicalNames({ A: [{ TableName: 't' }], B: { LogGroupName: 'l' } }, 'R', out);
    expect(out).toEqual([
      ['R.A[0].TableName', 't'],
      ['R.B.LogGroupName', 'l'],
    ]);
  });
});
