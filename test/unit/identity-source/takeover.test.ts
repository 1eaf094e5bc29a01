import {
  CreateIdentitySourceCommand,
  GetPolicyStoreAliasCommand,
  ListIdentitySourcesCommand,
  ThrottlingException,
  UpdateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { StoreHoldsSourceError } from '../../../src/identity-source/errors.js';
import { planFor } from '../../../src/identity-source/plan.js';
import { makeSource } from '../../../src/identity-source/takeover.js';
import { silentLog } from '../../fixtures/log.js';
import {
  EXISTING_PREVIOUS,
  EXISTING_SOURCE,
  resourceNamed,
  STORE,
  STORE_IS_FULL,
  useOwnership,
} from '../../fixtures/ownership.js';
import {
  cognitoProperties,
  createResource,
  POLICY_STORE_ID,
  updateResource,
} from '../../fixtures/requests.js';

const vp = mockClient(VerifiedPermissionsClient);
const client = new VerifiedPermissionsClient({ region: 'eu-west-1' });
const table = useOwnership();
beforeEach(() => {
  vp.reset();
});

const context = { defaultRegion: 'eu-west-1', functionAccountId: '123456789012' };
const deps = () => ({
  clientFor: () => client,
  workEndsAt: Date.now() + 5_000,
  log: silentLog(),
  sleep: async () => {},
  ownership: table.ownership,
  functionAccountId: '123456789012',
});
const createPlan = (properties = cognitoProperties(), logicalResourceId = 'IdentitySource') => {
  const plan = planFor(createResource(properties, { logicalResourceId }), context);
  if (plan.action !== 'create') throw new Error('expected a create plan');
  return plan;
};
const storeIsFull = () => {
  vp.on(CreateIdentitySourceCommand).rejects(STORE_IS_FULL);
  vp.on(ListIdentitySourcesCommand).resolves({ identitySources: [EXISTING_SOURCE] } as never);
  vp.on(UpdateIdentitySourceCommand).resolves({} as never);
};

describe('makeSource', () => {
  it("creates, and records the source as this resource's under the resolved store id", async () => {
    const alias = 'policy-store-alias/payments';
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew' } as never);
    vp.on(GetPolicyStoreAliasCommand).resolves({ policyStoreId: POLICY_STORE_ID } as never);
    const plan = createPlan(cognitoProperties({ PolicyStoreId: alias }));
    expect(await makeSource(plan, deps())).toBe('ISnew');
    expect(await table.ownership.read(STORE)).toMatchObject({
      identitySourceId: 'ISnew',
      owner: plan.resource,
    });
  });

  it('takes over the source of a renamed resource of the same stack, without AdoptExisting', async () => {
    storeIsFull();
    await table.ownership.recordMade(
      STORE,
      EXISTING_SOURCE.identitySourceId,
      resourceNamed('OldName'),
    );
    const plan = createPlan(cognitoProperties(), 'NewName');
    expect(await makeSource(plan, deps())).toBe(EXISTING_SOURCE.identitySourceId);
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      policyStoreId: POLICY_STORE_ID,
      identitySourceId: EXISTING_SOURCE.identitySourceId,
      updateConfiguration: plan.input.configuration,
      principalEntityType: 'MyApp::User',
    });
    expect(await table.ownership.read(STORE)).toMatchObject({
      owner: resourceNamed('NewName'),
      handBack: { from: resourceNamed('OldName'), adopted: false, previous: EXISTING_PREVIOUS },
    });
  });

  it('fails, naming AdoptExisting and writing nothing, for a source it did not make', async () => {
    storeIsFull();
    const error = await makeSource(createPlan(), deps()).catch((e) => e);
    expect(error).toBeInstanceOf(StoreHoldsSourceError);
    expect(error.message).toBe(
      `policy store ${POLICY_STORE_ID} already holds its one identity source (${EXISTING_SOURCE.identitySourceId}), which this provider did not make for this stack; a policy store holds only one (a quota that cannot be raised). Set AdoptExisting: true to take it over, or use another policy store.`,
    );
    expect(vp).toHaveReceivedCommandTimes(UpdateIdentitySourceCommand, 0);
    expect(await table.ownership.read(STORE)).toBeUndefined();
  });

  it("names the owner when the source is another stack's", async () => {
    storeIsFull();
    const other = resourceNamed('Theirs', 'arn:aws:cloudformation:eu-west-1:1:stack/other/2');
    await table.ownership.recordMade(STORE, EXISTING_SOURCE.identitySourceId, other);
    const error = await makeSource(createPlan(), deps()).catch((e) => e);
    expect(error.message).toMatch(
      /which resource Theirs of stack arn:aws:cloudformation:eu-west-1:1:stack\/other\/2 owns/,
    );
  });

  it('adopts a source with AdoptExisting, remembering how it was configured', async () => {
    storeIsFull();
    const plan = createPlan(cognitoProperties({ AdoptExisting: 'true' }));
    expect(await makeSource(plan, deps())).toBe(EXISTING_SOURCE.identitySourceId);
    const record = await table.ownership.read(STORE);
    expect(record).toMatchObject({
      owner: plan.resource,
      handBack: { adopted: true, previous: EXISTING_PREVIOUS },
    });
    expect(record?.handBack).not.toHaveProperty('from');
  });

  it('puts the record back when the update after a takeover fails', async () => {
    storeIsFull();
    vp.on(UpdateIdentitySourceCommand).rejects(
      new ThrottlingException({ message: 'slow', $metadata: { httpStatusCode: 429 } }),
    );
    await table.ownership.recordMade(
      STORE,
      EXISTING_SOURCE.identitySourceId,
      resourceNamed('OldName'),
    );
    const error = await makeSource(createPlan(), { ...deps(), workEndsAt: Date.now() + 300 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(await table.ownership.read(STORE)).toMatchObject({ owner: resourceNamed('OldName') });
    expect((await table.ownership.read(STORE))?.handBack).toBeUndefined();
  });

  it('takes nothing over for a replacement (an Update): it fails on the full store', async () => {
    storeIsFull();
    await table.ownership.recordMade(
      STORE,
      EXISTING_SOURCE.identitySourceId,
      resourceNamed('Other'),
    );
    const plan = planFor(
      updateResource(
        'ISold',
        cognitoProperties({ AdoptExisting: true }),
        cognitoProperties({ PolicyStoreId: 'PSold' }),
      ),
      context,
    );
    if (plan.action !== 'create') throw new Error('expected a replacement');
    const error = await makeSource(plan, deps()).catch((e) => e);
    expect(error).toMatchObject({ errorName: 'ServiceQuotaExceededException' });
    expect(await table.ownership.read(STORE)).toMatchObject({ owner: resourceNamed('Other') });
  });

  it('lets only one of two concurrent Creates take the source over', async () => {
    storeIsFull();
    const adopt = (name: string) =>
      makeSource(createPlan(cognitoProperties({ AdoptExisting: true }), name), deps()).then(
        () => name,
        (e: Error) => e.message,
      );
    const results = await Promise.all([adopt('A'), adopt('B')]);
    const owner = (await table.ownership.read(STORE))?.owner.logicalResourceId;
    expect(results).toContain(owner);
    expect(results.filter((r) => r === 'A' || r === 'B')).toHaveLength(1);
  });
});
