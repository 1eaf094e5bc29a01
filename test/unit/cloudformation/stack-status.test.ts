import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { stackRollingBack } from '../../../src/cloudformation/stack-status.js';
import { silentLog } from '../../fixtures/log.js';
import { STACK_ID } from '../../fixtures/requests.js';

const cloudFormation = mockClient(CloudFormationClient);
beforeEach(() => cloudFormation.reset());

const statusIs = (StackStatus: string) =>
  cloudFormation
    .on(DescribeStacksCommand, { StackName: STACK_ID })
    .resolves({ Stacks: [{ StackName: 'app', StackStatus, CreationTime: new Date(0) }] } as never);

describe('stackRollingBack', () => {
  it('reads the request’s own stack: rolling back when its status contains ROLLBACK', async () => {
    const rollingBack = stackRollingBack({ log: silentLog() });
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

  it('takes any time budget, a fraction of a millisecond included', async () => {
    statusIs('UPDATE_ROLLBACK_IN_PROGRESS');
    // release.ts gives half the time left, which is often not a whole number
    expect(await stackRollingBack({ log: silentLog() })(STACK_ID, 1234.5)).toBe(true);
  });

  it('cannot tell (undefined, and a warning) when the call fails or the id is not a stack ARN', async () => {
    const log = silentLog();
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('down'));
    expect(await stackRollingBack({ log })(STACK_ID, 2_000)).toBeUndefined();
    expect(log.lines.map((l) => l.level)).toContain('WARN');
    expect(await stackRollingBack({ log })('not-an-arn', 2_000)).toBeUndefined();
  });
});
