import {
  CreateIdentitySourceCommand,
  ListIdentitySourcesCommand,
  ResourceNotFoundException,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startVerifiedPermissionsDouble,
  type VerifiedPermissionsDouble,
} from '../../../local/verified-permissions/double.js';

const ACCOUNTS: Record<string, string> = { AKIDHOME: '123456789012', ASIAOTHER: '111111111111' };
const configuration = {
  openIdConnectConfiguration: {
    issuer: 'https://issuer.example.com',
    tokenSelection: { accessTokenOnly: { audiences: ['api://default'] } },
  },
};

let double: VerifiedPermissionsDouble;
const clients: VerifiedPermissionsClient[] = [];
const signedBy = (accessKeyId: string) => {
  const client = new VerifiedPermissionsClient({
    region: 'eu-west-1',
    endpoint: double.endpoint,
    credentials: { accessKeyId, secretAccessKey: 'secret', sessionToken: 'token' },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
};
beforeAll(async () => {
  double = await startVerifiedPermissionsDouble({ accountOf: (key) => ACCOUNTS[key] });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await double.close();
});

describe('Verified Permissions double: who signed, and whose stores', () => {
  it('records the access key that signed each request', async () => {
    const store = double.addPolicyStore();
    await signedBy('AKIDHOME').send(new ListIdentitySourcesCommand({ policyStoreId: store }));
    await signedBy('ASIAOTHER').send(new ListIdentitySourcesCommand({ policyStoreId: store }));
    expect(double.requests.slice(-2).map((r) => r.accessKeyId)).toEqual(['AKIDHOME', 'ASIAOTHER']);
  });

  it("shows a store of another account only to that account's keys", async () => {
    const store = double.addPolicyStore(undefined, { accountId: '111111111111' });
    const create = (key: string) =>
      signedBy(key).send(new CreateIdentitySourceCommand({ policyStoreId: store, configuration }));
    for (const stranger of ['AKIDHOME', 'AKIDUNKNOWN']) {
      await expect(create(stranger)).rejects.toBeInstanceOf(ResourceNotFoundException);
    }
    const made = await create('ASIAOTHER');
    expect(double.identitySources().map((s) => s.identitySourceId)).toContain(
      made.identitySourceId,
    );
  });
});
