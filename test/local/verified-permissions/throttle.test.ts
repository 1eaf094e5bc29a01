import {
  CreateIdentitySourceCommand,
  ThrottlingException,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startVerifiedPermissionsDouble,
  type VerifiedPermissionsDouble,
} from '../../../local/verified-permissions/double.js';
import { WriteThrottle } from '../../../local/verified-permissions/throttle.js';

const configuration = {
  cognitoUserPoolConfiguration: {
    userPoolArn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123',
  },
};

let double: VerifiedPermissionsDouble | undefined;
const clients: VerifiedPermissionsClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await double?.close();
  double = undefined;
});

function client(region: string, accessKeyId = 'AKIDEXAMPLE'): VerifiedPermissionsClient {
  const created = new VerifiedPermissionsClient({
    region,
    endpoint: double?.endpoint,
    credentials: { accessKeyId, secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  clients.push(created);
  return created;
}

const createIn = (vp: VerifiedPermissionsClient, policyStoreId: string) =>
  vp.send(new CreateIdentitySourceCommand({ policyStoreId, configuration }));

describe('account-wide write limit of the double', () => {
  it('throttles writes over the limit across all stores of a region, and only there', async () => {
    double = await startVerifiedPermissionsDouble({ throttleAccountWritesPerSecond: 3 });
    const vp = client('eu-west-1');
    const stores = Array.from({ length: 5 }, () => double!.addPolicyStore());
    for (const store of stores.slice(0, 3)) await createIn(vp, store);
    const throttled = createIn(vp, stores[3]!);
    await expect(throttled).rejects.toBeInstanceOf(ThrottlingException);
    await expect(throttled).rejects.toMatchObject({ $metadata: { httpStatusCode: 429 } });
    // another region has its own budget
    await expect(createIn(client('us-east-1'), stores[4]!)).resolves.toHaveProperty(
      'identitySourceId',
    );
    expect(double.identitySources()).toHaveLength(4);

    double.setAccountWriteThrottle(undefined);
    await expect(createIn(vp, stores[3]!)).resolves.toHaveProperty('identitySourceId');
  });

  it("counts each account's writes apart, by the signing key's account", async () => {
    double = await startVerifiedPermissionsDouble({
      throttleAccountWritesPerSecond: 1,
      accountOf: (key) => (key === 'AKIDOTHER' ? '210987654321' : '123456789012'),
    });
    const [a, b, c] = Array.from({ length: 3 }, () => double!.addPolicyStore());
    await createIn(client('eu-west-1'), a!);
    await createIn(client('eu-west-1', 'AKIDOTHER'), b!);
    await expect(createIn(client('eu-west-1'), c!)).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('is off by default', async () => {
    double = await startVerifiedPermissionsDouble();
    const vp = client('eu-west-1');
    const stores = Array.from({ length: 20 }, () => double!.addPolicyStore());
    await Promise.all(stores.map((store) => createIn(vp, store)));
    expect(double.identitySources()).toHaveLength(20);
  });
});

describe('WriteThrottle', () => {
  it('keeps a rolling one-second window per store and per account', () => {
    const throttle = new WriteThrottle({ perStore: 1, perAccount: 2 });
    throttle.admit('a', 'eu-west-1', 0);
    expect(() => throttle.admit('a', 'eu-west-1', 500)).toThrow('Rate exceeded');
    throttle.admit('b', 'eu-west-1', 600);
    expect(() => throttle.admit('c', 'eu-west-1', 700)).toThrow('Rate exceeded');
    // the first write leaves the window after a second
    throttle.admit('c', 'eu-west-1', 1001);
    throttle.admit('a', 'us-east-1', 1002);
  });

  it('counts a throttled write towards neither window', () => {
    const throttle = new WriteThrottle({ perStore: 1, perAccount: 1 });
    throttle.admit('a', 'eu-west-1', 0);
    // refused by the account limit: store b's budget is not used up
    expect(() => throttle.admit('b', 'eu-west-1', 100)).toThrow('Rate exceeded');
    throttle.admit('b', 'eu-west-1', 1001);
    // refused by the store limit: the account's budget is not used up
    const other = new WriteThrottle({ perStore: 1, perAccount: 2 });
    other.admit('a', 'eu-west-1', 0);
    expect(() => other.admit('a', 'eu-west-1', 10)).toThrow('Rate exceeded');
    other.admit('b', 'eu-west-1', 20);
  });
});
