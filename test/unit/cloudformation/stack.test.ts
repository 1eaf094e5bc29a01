import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { resourceNamesOf, stackReader } from '../../../src/cloudformation/stack.js';
import { silentLog } from '../../fixtures/log.js';
import { STACK_ID } from '../../fixtures/requests.js';

const cloudFormation = mockClient(CloudFormationClient);
beforeEach(() => cloudFormation.reset());

const ROOT_ID =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/root/9d1a2b30-0000-11ef-8000-0a1b2c3d4e5f';

const statusIs = (
  StackStatus: string,
  extra: { RootId?: string; StackStatusReason?: string } = {},
  stackId = STACK_ID,
) =>
  cloudFormation.on(DescribeStacksCommand, { StackName: stackId }).resolves({
    Stacks: [{ StackName: 'app', StackStatus, CreationTime: new Date(0), ...extra }],
  } as never);

describe('stackReader().rollingBack', () => {
  it('reads the request’s own stack: rolling back when its status contains ROLLBACK', async () => {
    const { rollingBack } = stackReader({ log: silentLog() });
    for (const [status, expected] of [
      ['UPDATE_ROLLBACK_IN_PROGRESS', true],
      ['ROLLBACK_IN_PROGRESS', true],
      ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', true],
      ['DELETE_IN_PROGRESS', false],
      ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', false],
    ] as const) {
      statusIs(status);
      expect(await rollingBack(STACK_ID, 2_000), status).toBe(expected);
    }
  });

  it('counts the deletion of a stack whose creation failed (OnFailure=DELETE) as a rollback', async () => {
    const { rollingBack } = stackReader({ log: silentLog() });
    statusIs('DELETE_IN_PROGRESS', {
      StackStatusReason: 'The following resource(s) failed to create: [IdentitySource]. ',
    });
    expect(await rollingBack(STACK_ID, 2_000)).toBe(true);
    statusIs('DELETE_IN_PROGRESS', { StackStatusReason: 'User Initiated' });
    expect(await rollingBack(STACK_ID, 2_000)).toBe(false);
  });

  it('reads the root stack of a nested stack: its parent’s rollback deleting it is a rollback', async () => {
    const { rollingBack } = stackReader({ log: silentLog() });
    statusIs('DELETE_IN_PROGRESS', { RootId: ROOT_ID });
    statusIs('UPDATE_ROLLBACK_IN_PROGRESS', {}, ROOT_ID);
    expect(await rollingBack(STACK_ID, 2_000)).toBe(true);
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, {
      StackName: ROOT_ID,
    });

    statusIs('UPDATE_IN_PROGRESS', {}, ROOT_ID);
    expect(await rollingBack(STACK_ID, 2_000)).toBe(false);
  });

  it('does not read the root when the stack itself rolls back, or is its own root', async () => {
    const { rollingBack } = stackReader({ log: silentLog() });
    statusIs('UPDATE_ROLLBACK_IN_PROGRESS', { RootId: ROOT_ID });
    expect(await rollingBack(STACK_ID, 2_000)).toBe(true);
    statusIs('UPDATE_IN_PROGRESS', { RootId: STACK_ID });
    expect(await rollingBack(STACK_ID, 2_000)).toBe(false);
    expect(cloudFormation).not.toHaveReceivedCommandWith(DescribeStacksCommand, {
      StackName: ROOT_ID,
    });
  });

  it('cannot tell when the root stack cannot be read', async () => {
    const log = silentLog();
    statusIs('DELETE_IN_PROGRESS', { RootId: ROOT_ID });
    cloudFormation.on(DescribeStacksCommand, { StackName: ROOT_ID }).rejects(new Error('down'));
    expect(await stackReader({ log }).rollingBack(STACK_ID, 2_000)).toBeUndefined();
  });

  it('takes any time budget, a fraction of a millisecond included', async () => {
    statusIs('UPDATE_ROLLBACK_IN_PROGRESS');
    // delete.ts gives half the time left, which is often not a whole number
    expect(await stackReader({ log: silentLog() }).rollingBack(STACK_ID, 1234.5)).toBe(true);
  });

  it('cannot tell (undefined, and a warning) when the call fails or the id is not a stack ARN', async () => {
    const log = silentLog();
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('down'));
    expect(await stackReader({ log }).rollingBack(STACK_ID, 2_000)).toBeUndefined();
    expect(log.lines.map((l) => l.level)).toContain('WARN');
    expect(await stackReader({ log }).rollingBack('not-an-arn', 2_000)).toBeUndefined();
  });
});

describe('stackReader().declares', () => {
  const templateIs = (TemplateBody: string | undefined) =>
    cloudFormation
      .on(GetTemplateCommand, { StackName: STACK_ID, TemplateStage: 'Processed' })
      .resolves({ TemplateBody } as never);

  it('reads the processed template: whether it declares the logical id', async () => {
    const { declares } = stackReader({ log: silentLog() });
    templateIs(JSON.stringify({ Resources: { NewName: { Type: 'Custom::X' } } }));
    expect(await declares(STACK_ID, 'NewName', 2_000)).toBe(true);
    expect(await declares(STACK_ID, 'OldName', 2_000)).toBe(false);
  });

  it('cannot tell without a template, when the call fails, or for an id that is not a stack ARN', async () => {
    const log = silentLog();
    const { declares } = stackReader({ log });
    templateIs(undefined);
    expect(await declares(STACK_ID, 'NewName', 2_000)).toBeUndefined();
    templateIs('neither json nor a template with resources');
    expect(await declares(STACK_ID, 'NewName', 2_000)).toBeUndefined();
    cloudFormation.on(GetTemplateCommand).rejects(new Error('down'));
    expect(await declares(STACK_ID, 'NewName', 2_000)).toBeUndefined();
    expect(log.lines.map((l) => l.level)).toContain('WARN');
    expect(await declares('not-an-arn', 'NewName', 2_000)).toBeUndefined();
  });
});

describe('resourceNamesOf', () => {
  it('reads a JSON template’s Resources', () => {
    const body = JSON.stringify({
      Parameters: { Name: { Type: 'String' } },
      Resources: {
        Source: { Type: 'Custom::X' },
        Store: { Type: 'AWS::VerifiedPermissions::PolicyStore' },
      },
    });
    expect(resourceNamesOf(body)).toEqual(['Source', 'Store']);
    expect(resourceNamesOf('{"Outputs": {}}')).toBeUndefined();
  });

  it('reads a YAML template’s Resources by its layout: keys at the first indentation only', () => {
    const body = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Parameters:',
      '  NotAResource:',
      '    Type: String',
      'Resources:  # the resources',
      '',
      '    Source:',
      '      Type: Custom::VerifiedPermissionsIdentitySource',
      '      Properties:',
      '        PolicyStoreId: !Ref Store',
      '    # a comment',
      '    "Store":',
      '      Type: AWS::VerifiedPermissions::PolicyStore',
      'Outputs:',
      '  Id:',
      '    Value: !Ref Source',
    ].join('\r\n');
    expect(resourceNamesOf(body)).toEqual(['Source', 'Store']);
  });

  it('finds nothing in a YAML template without Resources', () => {
    expect(resourceNamesOf('Outputs:\n  Id:\n    Value: x\n')).toBeUndefined();
  });
});
