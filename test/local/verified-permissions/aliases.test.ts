import {
  ConflictException,
  CreateIdentitySourceCommand,
  CreatePolicyStoreAliasCommand,
  DeleteIdentitySourceCommand,
  DeletePolicyStoreAliasCommand,
  GetIdentitySourceCommand,
  GetPolicyStoreAliasCommand,
  ListIdentitySourcesCommand,
  ListPolicyStoreAliasesCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  UpdateIdentitySourceCommand,
  ValidationException,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_ALIASES_PER_STORE,
  PENDING_DELETION_MS,
  PolicyStoreAliases,
} from '../../../local/verified-permissions/aliases.js';
import {
  startVerifiedPermissionsDouble,
  type VerifiedPermissionsDouble,
} from '../../../local/verified-permissions/double.js';

const configuration = {
  cognitoUserPoolConfiguration: {
    userPoolArn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123',
  },
};

let double: VerifiedPermissionsDouble;
const clients = new Map<string, VerifiedPermissionsClient>();

/** One client per region, one attempt per call (no SDK retries). */
function client(region = 'eu-west-1'): VerifiedPermissionsClient {
  let regional = clients.get(region);
  if (regional === undefined) {
    regional = new VerifiedPermissionsClient({
      region,
      maxAttempts: 1,
      endpoint: double.endpoint,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    clients.set(region, regional);
  }
  return regional;
}

beforeAll(async () => {
  double = await startVerifiedPermissionsDouble();
});
afterEach(() => double.reset());
afterAll(async () => {
  for (const regional of clients.values()) regional.destroy();
  await double?.close();
});

describe('policy store aliases of the double', () => {
  it('creates, reads, lists and deletes an alias; a deleted one keeps its name but names no store', async () => {
    const vp = client();
    const policyStoreId = double.addPolicyStore('PSstoreA');
    const aliasName = 'policy-store-alias/payments';

    const created = await vp.send(new CreatePolicyStoreAliasCommand({ aliasName, policyStoreId }));
    expect(created).toMatchObject({
      aliasName,
      policyStoreId,
      aliasArn: 'arn:aws:verifiedpermissions:eu-west-1:123456789012:policy-store-alias/payments',
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    // the same alias for the same store again: the existing one
    const again = await vp.send(new CreatePolicyStoreAliasCommand({ aliasName, policyStoreId }));
    expect(again.createdAt).toEqual(created.createdAt);

    expect(await vp.send(new GetPolicyStoreAliasCommand({ aliasName }))).toMatchObject({
      aliasName,
      policyStoreId,
      state: 'Active',
    });
    const listed = await vp.send(new ListPolicyStoreAliasesCommand({ filter: { policyStoreId } }));
    expect(listed.policyStoreAliases?.map((a) => a.aliasName)).toEqual([aliasName]);

    await vp.send(new DeletePolicyStoreAliasCommand({ aliasName }));
    expect(await vp.send(new GetPolicyStoreAliasCommand({ aliasName }))).toMatchObject({
      state: 'PendingDeletion',
    });
    await expect(
      vp.send(new ListIdentitySourcesCommand({ policyStoreId: aliasName })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      vp.send(new CreatePolicyStoreAliasCommand({ aliasName, policyStoreId })),
    ).rejects.toBeInstanceOf(ConflictException);
    // deleting what does not exist (or is already deleted) succeeds
    await vp.send(new DeletePolicyStoreAliasCommand({ aliasName }));
    await vp.send(new DeletePolicyStoreAliasCommand({ aliasName: 'policy-store-alias/never' }));
    await expect(
      vp.send(new GetPolicyStoreAliasCommand({ aliasName: 'policy-store-alias/never' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      resourceType: 'POLICY_STORE_ALIAS',
    });
  });

  it('resolves an alias in every identity-source operation; a missing alias is not found', async () => {
    const vp = client();
    const policyStoreId = double.addPolicyStore('PSstoreB');
    const alias = double.addPolicyStoreAlias('policy-store-alias/team/b_1', policyStoreId);

    const created = await vp.send(
      new CreateIdentitySourceCommand({ policyStoreId: alias, configuration }),
    );
    expect(double.identitySources()).toMatchObject([
      { identitySourceId: created.identitySourceId, policyStoreId },
    ]);
    const identitySourceId = created.identitySourceId;
    for (const storeRef of [alias, policyStoreId]) {
      const got = await vp.send(
        new GetIdentitySourceCommand({ policyStoreId: storeRef, identitySourceId }),
      );
      expect(got.identitySourceId).toBe(identitySourceId);
      const list = await vp.send(new ListIdentitySourcesCommand({ policyStoreId: storeRef }));
      expect(list.identitySources?.map((s) => s.identitySourceId)).toEqual([identitySourceId]);
    }
    await vp.send(
      new UpdateIdentitySourceCommand({
        policyStoreId: alias,
        identitySourceId,
        updateConfiguration: {
          cognitoUserPoolConfiguration: {
            ...configuration.cognitoUserPoolConfiguration,
            clientIds: ['c'],
          },
        },
      }),
    );
    expect(
      double.identitySources()[0]?.configuration.cognitoUserPoolConfiguration?.clientIds,
    ).toEqual(['c']);
    // the store's one source, reached through its alias
    await expect(
      vp.send(new CreateIdentitySourceCommand({ policyStoreId: alias, configuration })),
    ).rejects.toBeInstanceOf(ServiceQuotaExceededException);

    await expect(
      vp.send(
        new GetIdentitySourceCommand({
          policyStoreId: 'policy-store-alias/missing',
          identitySourceId,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      resourceId: 'policy-store-alias/missing',
      resourceType: 'POLICY_STORE_ALIAS',
    });
    await vp.send(new DeleteIdentitySourceCommand({ policyStoreId: alias, identitySourceId }));
    expect(double.identitySources()).toEqual([]);
  });

  it('requires the prefix and a store id, allows 10 per store and one store per name', async () => {
    const vp = client();
    const store = double.addPolicyStore('PSstoreC');
    const other = double.addPolicyStore('PSstoreD');
    const create = (aliasName: string, policyStoreId = store) =>
      vp.send(new CreatePolicyStoreAliasCommand({ aliasName, policyStoreId }));

    for (const bad of ['payments', 'policy-store-alias/', 'Policy-Store-Alias/x']) {
      await expect(create(bad), bad).rejects.toBeInstanceOf(ValidationException);
    }
    // the model's rules come first: length and pattern
    await expect(create(`policy-store-alias/${'a'.repeat(132)}`)).rejects.toBeInstanceOf(
      ValidationException,
    );
    await expect(create('policy-store-alias/a.b')).rejects.toBeInstanceOf(ValidationException);
    await expect(create('policy-store-alias/unknown', 'PSnope')).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await create('policy-store-alias/first');
    await expect(
      create('policy-store-alias/chained', 'policy-store-alias/first'),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(create('policy-store-alias/first', other)).rejects.toBeInstanceOf(
      ConflictException,
    );

    for (let i = 1; i < MAX_ALIASES_PER_STORE; i++) await create(`policy-store-alias/n${i}`);
    await expect(create('policy-store-alias/eleventh')).rejects.toBeInstanceOf(
      ServiceQuotaExceededException,
    );
    await create('policy-store-alias/eleventh', other);
    expect(() => double.addPolicyStoreAlias('policy-store-alias/twelfth', store)).toThrow(
      /maximum number of aliases/,
    );
    expect(() => double.addPolicyStoreAlias('policy-store-alias/x', 'PSnope')).toThrow(
      /no policy store/,
    );
  });

  it('keeps names per region; a store pinned to a region has its aliases there', async () => {
    const store = double.addPolicyStore('PSeu', { region: 'eu-west-1' });
    const us = double.addPolicyStore('PSus', { region: 'us-east-1' });
    await client('eu-west-1').send(
      new CreatePolicyStoreAliasCommand({
        aliasName: 'policy-store-alias/app',
        policyStoreId: store,
      }),
    );
    const inUs = await client('us-east-1').send(
      new CreatePolicyStoreAliasCommand({ aliasName: 'policy-store-alias/app', policyStoreId: us }),
    );
    expect(inUs.aliasArn).toBe(
      'arn:aws:verifiedpermissions:us-east-1:123456789012:policy-store-alias/app',
    );
    expect(
      (
        await client('us-east-1').send(
          new GetPolicyStoreAliasCommand({ aliasName: 'policy-store-alias/app' }),
        )
      ).policyStoreId,
    ).toBe(us);
    double.addPolicyStoreAlias('policy-store-alias/helper', store);
    await expect(
      client('us-east-1').send(
        new GetPolicyStoreAliasCommand({ aliasName: 'policy-store-alias/helper' }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    const cn = double.addPolicyStore('PScn', { region: 'cn-north-1' });
    const inChina = await client('cn-north-1').send(
      new CreatePolicyStoreAliasCommand({ aliasName: 'policy-store-alias/app', policyStoreId: cn }),
    );
    expect(inChina.aliasArn).toMatch(/^arn:aws-cn:verifiedpermissions:cn-north-1:/);
  });

  it('lists five per page by default, at most 50; a deleted store takes its aliases along', async () => {
    const vp = client();
    const store = double.addPolicyStore('PSpaged');
    for (let i = 0; i < 7; i++) double.addPolicyStoreAlias(`policy-store-alias/p${i}`, store);
    const first = await vp.send(new ListPolicyStoreAliasesCommand({}));
    expect(first.policyStoreAliases).toHaveLength(5);
    const second = await vp.send(new ListPolicyStoreAliasesCommand({ nextToken: first.nextToken }));
    expect(second.policyStoreAliases?.map((a) => a.aliasName)).toEqual([
      'policy-store-alias/p5',
      'policy-store-alias/p6',
    ]);
    expect(second.nextToken).toBeUndefined();
    await expect(
      vp.send(new ListPolicyStoreAliasesCommand({ maxResults: 51 })),
    ).rejects.toBeInstanceOf(ValidationException);
    double.deletePolicyStore(store);
    expect((await vp.send(new ListPolicyStoreAliasesCommand({}))).policyStoreAliases).toEqual([]);
  });

  it('throttles writes per store, whether they name it by id or by alias', async () => {
    const vp = client();
    const store = double.addPolicyStore('PSthrottled');
    const alias = double.addPolicyStoreAlias('policy-store-alias/throttled', store);
    double.setWriteThrottle(1);
    const { identitySourceId } = await vp.send(
      new CreateIdentitySourceCommand({ policyStoreId: alias, configuration }),
    );
    await expect(
      vp.send(new DeleteIdentitySourceCommand({ policyStoreId: store, identitySourceId })),
    ).rejects.toBeInstanceOf(ThrottlingException);
  });
});

describe('PolicyStoreAliases', () => {
  it('frees a deleted name after 24 hours, at once with a hard delete', () => {
    const aliases = new PolicyStoreAliases();
    aliases.create('policy-store-alias/a', 'PS1', 'eu-west-1', 0);
    aliases.delete('policy-store-alias/a', 'eu-west-1', 1_000);
    expect(() =>
      aliases.create('policy-store-alias/a', 'PS2', 'eu-west-1', PENDING_DELETION_MS),
    ).toThrow(/pending deletion/);
    expect(
      aliases.create('policy-store-alias/a', 'PS2', 'eu-west-1', 1_000 + PENDING_DELETION_MS),
    ).toMatchObject({ policyStoreId: 'PS2', state: 'Active' });
    aliases.delete('policy-store-alias/a', 'eu-west-1', 2_000 + PENDING_DELETION_MS, true);
    expect(
      aliases.find('policy-store-alias/a', 'eu-west-1', 2_000 + PENDING_DELETION_MS),
    ).toBeUndefined();
  });
});
