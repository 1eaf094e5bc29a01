import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudFormationApi, startCloudFormationApi } from '../../local/cloudformation-api.js';

const STACK =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/app/6c1a2b30-0000-11ef-8000-0a1b2c3d4e5f';
const credentials = { accessKeyId: 'AKIDCALLER', secretAccessKey: 'secret' };

let api: CloudFormationApi;
const clients: CloudFormationClient[] = [];
const client = (region = 'eu-west-1') => {
  const made = new CloudFormationClient({
    region,
    endpoint: api.endpoint,
    credentials,
    maxAttempts: 1,
  });
  clients.push(made);
  return made;
};
beforeAll(async () => {
  api = await startCloudFormationApi();
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await api.close();
});

describe('CloudFormation API stand-in', () => {
  it('describes a stack by id or name with the status a test set', async () => {
    api.setStackStatus(STACK, 'UPDATE_IN_PROGRESS');
    const byId = await client().send(new DescribeStacksCommand({ StackName: STACK }));
    expect(byId.Stacks).toEqual([
      expect.objectContaining({
        StackId: STACK,
        StackName: 'app',
        StackStatus: 'UPDATE_IN_PROGRESS',
        CreationTime: expect.any(Date),
      }),
    ]);
    api.setStackStatus(STACK, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const byName = await client().send(new DescribeStacksCommand({ StackName: 'app' }));
    expect(byName.Stacks?.[0]?.StackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    expect(api.requests.at(-1)).toMatchObject({
      action: 'DescribeStacks',
      accessKeyId: 'AKIDCALLER',
      region: 'eu-west-1',
      status: 200,
    });
  });

  it('does not find a stack that does not exist, or in another region than its own', async () => {
    api.setStackStatus(STACK, 'CREATE_COMPLETE');
    const other = STACK.replace('/app/', '/other/');
    for (const [region, name] of [
      ['eu-west-1', other],
      ['us-east-1', STACK],
    ] as const) {
      await expect(
        client(region).send(new DescribeStacksCommand({ StackName: name })),
      ).rejects.toMatchObject({
        name: 'ValidationError',
        message: `Stack with id ${name} does not exist`,
      });
    }
  });

  it('can be made slow or unreachable', async () => {
    api.setStackStatus(STACK, 'CREATE_COMPLETE');
    api.setDown(true);
    await expect(client().send(new DescribeStacksCommand({ StackName: STACK }))).rejects.toThrow();
    api.setDown(false);
    api.setDelay(300);
    await expect(
      client().send(new DescribeStacksCommand({ StackName: STACK }), {
        abortSignal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    api.setDelay(0);
    const answered = await client().send(new DescribeStacksCommand({ StackName: STACK }));
    expect(answered.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
  });
});
