import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StsStandIn, startSts } from '../../local/sts.js';

const ROLE = 'arn:aws:iam::111111111111:role/path/IdentitySources';
const credentials = { accessKeyId: 'AKIDCALLER', secretAccessKey: 'secret' };

let sts: StsStandIn;
let client: STSClient;
beforeAll(async () => {
  sts = await startSts();
  client = new STSClient({ region: 'ap-east-2', endpoint: sts.endpoint, credentials });
});
afterAll(async () => {
  client.destroy();
  await sts.close();
});

describe('STS stand-in', () => {
  it('hands the SDK fresh credentials for a role, and remembers whose they are', async () => {
    const assume = () =>
      client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'cfn-Source-r1' }));
    const first = await assume();
    const second = await assume();
    expect(first.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(first.Credentials?.SecretAccessKey).toBeTruthy();
    expect(first.Credentials?.SessionToken).toBeTruthy();
    expect(first.Credentials?.Expiration).toBeInstanceOf(Date);
    expect(first.Credentials!.Expiration!.getTime()).toBeGreaterThan(Date.now());
    expect(first.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::111111111111:assumed-role/IdentitySources/cfn-Source-r1',
    );
    expect(second.Credentials?.AccessKeyId).not.toBe(first.Credentials?.AccessKeyId);
    const key = first.Credentials!.AccessKeyId!;
    expect(sts.accountOf(key)).toBe('111111111111');
    expect(sts.accountOf('AKIDCALLER')).toBeUndefined();
    expect(sts.issued[0]).toEqual({
      accessKeyId: key,
      roleArn: ROLE,
      accountId: '111111111111',
      sessionName: 'cfn-Source-r1',
      region: 'ap-east-2',
      callerAccessKeyId: 'AKIDCALLER',
    });
    expect(sts.requests[0]).toMatchObject({
      action: 'AssumeRole',
      accessKeyId: 'AKIDCALLER',
      region: 'ap-east-2',
      status: 200,
      params: { RoleArn: ROLE, RoleSessionName: 'cfn-Source-r1', Version: '2011-06-15' },
    });
  });

  it('answers AccessDenied for a denied role, which the SDK raises by that name', async () => {
    const denied = 'arn:aws:iam::222222222222:role/Untrusted';
    sts.deny(denied);
    const error = await client
      .send(new AssumeRoleCommand({ RoleArn: denied, RoleSessionName: 'cfn-x' }))
      .catch((e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } });
    expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect((error as Error).message).toContain(denied);
    expect(sts.issued.some((c) => c.roleArn === denied)).toBe(false);
    sts.allow(denied);
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn: denied, RoleSessionName: 'cfn-x' })),
    ).resolves.toBeDefined();
  });

  it('rejects what STS rejects: a malformed role ARN or session name', async () => {
    for (const input of [
      { RoleArn: 'arn:aws:iam::1:user/x', RoleSessionName: 'ok-name' },
      { RoleArn: ROLE, RoleSessionName: 'has spaces' },
    ]) {
      await expect(client.send(new AssumeRoleCommand(input))).rejects.toMatchObject({
        name: 'ValidationError',
      });
    }
  });

  it('is unreachable while down, and answers again after', async () => {
    const input = { RoleArn: ROLE, RoleSessionName: 'cfn-down' };
    const oneTry = new STSClient({
      region: 'ap-east-2',
      endpoint: sts.endpoint,
      credentials,
      maxAttempts: 1,
    });
    sts.setDown(true);
    await expect(oneTry.send(new AssumeRoleCommand(input))).rejects.toThrow();
    sts.setDown(false);
    await expect(oneTry.send(new AssumeRoleCommand(input))).resolves.toBeDefined();
    oneTry.destroy();
  });
});
