import {
  CreateIdentitySourceCommand,
  DeleteIdentitySourceCommand,
  GetIdentitySourceCommand,
  GetPolicyStoreAliasCommand,
  ResourceNotFoundException,
  UpdateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ResourceDependencies } from '../../../src/identity-source/resource.js';
import type { Target } from '../../../src/identity-source/service.js';
import { clientTokenFor, notCreatedId } from '../../../src/identity-source/translate.js';
import { afterUpdate, planUpdate, update } from '../../../src/identity-source/update.js';
import type { Making, ResourceRecords } from '../../../src/persistence/resource-record.js';
import { silentLog } from '../../fixtures/log.js';
import { recordsWith } from '../../fixtures/records.js';
import {
  cognitoProperties,
  IDENTITY_SOURCE_ID,
  oidcProperties,
  POLICY_STORE_ID,
  USER_POOL_ARN,
  updateResource,
} from '../../fixtures/requests.js';

const REGION = 'eu-west-1';
const CONTEXT = { defaultRegion: REGION };
const vp = mockClient(VerifiedPermissionsClient);
const client = new VerifiedPermissionsClient({ region: REGION });
const meta = { $metadata: {} };
beforeEach(() => vp.reset());

function deps(extra: Partial<Omit<ResourceDependencies, 'log'>> = {}) {
  return {
    clients: async (_target: Target) => client,
    workEndsAt: Date.now() + 10_000,
    log: silentLog(),
    sleep: async () => {},
    defaultRegion: REGION,
    ...extra,
  };
}
const notFound = () =>
  new ResourceNotFoundException({
    message: 'no',
    resourceType: 'IDENTITY_SOURCE',
    resourceId: IDENTITY_SOURCE_ID,
    $metadata: {},
  });

describe('planUpdate', () => {
  it('updates in place, mapping Configuration to updateConfiguration', () => {
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PrincipalEntityType: 'MyApp::Person' }),
      cognitoProperties(),
    );
    expect(planUpdate(request, CONTEXT)).toMatchObject({
      action: 'in-place',
      target: { region: REGION },
      input: {
        policyStoreId: POLICY_STORE_ID,
        identitySourceId: IDENTITY_SOURCE_ID,
        principalEntityType: 'MyApp::Person',
        updateConfiguration: {
          cognitoUserPoolConfiguration: {
            userPoolArn: USER_POOL_ARN,
            clientIds: ['client-a', 'client-b'],
          },
        },
      },
    });
  });

  it('sends UpdateConfiguration when given instead of Configuration', () => {
    const updateConfiguration = {
      CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, ClientIds: ['only-this'] },
    };
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ UpdateConfiguration: updateConfiguration }),
      cognitoProperties(),
    );
    const plan = planUpdate(request, CONTEXT);
    expect(plan.action === 'in-place' && plan.input.updateConfiguration).toEqual({
      cognitoUserPoolConfiguration: { userPoolArn: USER_POOL_ARN, clientIds: ['only-this'] },
    });
  });

  it('switches between Cognito and OIDC in place (a store holds one source)', () => {
    const request = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    const plan = planUpdate(request, CONTEXT);
    expect(plan.action).toBe('in-place');
    expect(plan.action === 'in-place' && plan.input.updateConfiguration).toHaveProperty(
      'openIdConnectConfiguration',
    );
  });

  it('replaces on a PolicyStoreId change, with this RequestId as token', () => {
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: 'PSother' }),
      cognitoProperties(),
    );
    expect(planUpdate(request, CONTEXT)).toMatchObject({
      action: 'replace',
      make: {
        kind: 'replacement',
        input: { clientToken: clientTokenFor(request.requestId), policyStoreId: 'PSother' },
      },
      replaces: {
        identitySourceId: IDENTITY_SOURCE_ID,
        // if the source already lives there (a rollback of a failed replacement): update it
        ifAlreadyThere: { policyStoreId: 'PSother', identitySourceId: IDENTITY_SOURCE_ID },
      },
    });
  });

  it('marks a change between an alias and an id for resolution: the same store is no replacement', () => {
    const alias = 'policy-store-alias/payments';
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: alias }),
      cognitoProperties(),
    );
    expect(planUpdate(request, CONTEXT)).toMatchObject({
      action: 'replace',
      replaces: { sameStoreIf: { old: POLICY_STORE_ID, next: alias } },
    });
    const plain = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: 'PSother' }),
      cognitoProperties(),
    );
    const planned = planUpdate(plain, CONTEXT);
    expect(planned.action === 'replace' && planned.replaces).not.toHaveProperty('sameStoreIf');
  });

  it('replaces on a Region change, but not when Region only names the default', () => {
    const moved = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ Region: 'us-east-1' }),
      cognitoProperties(),
    );
    expect(planUpdate(moved, CONTEXT)).toMatchObject({
      action: 'replace',
      make: { target: { region: 'us-east-1' } },
      replaces: { identitySourceId: IDENTITY_SOURCE_ID },
    });
    const explicit = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ Region: REGION }),
      cognitoProperties(),
    );
    expect(planUpdate(explicit, CONTEXT)).toMatchObject({ action: 'no-op' });
  });

  it('does nothing when only CloudFormation keys or list order changed', () => {
    const old = cognitoProperties();
    const next = cognitoProperties({
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider-v2',
      ServiceTimeout: '600',
      Configuration: {
        CognitoUserPoolConfiguration: {
          UserPoolArn: USER_POOL_ARN,
          ClientIds: ['client-b', 'client-a'],
          GroupConfiguration: { GroupEntityType: 'MyApp::Group' },
        },
      },
    });
    expect(planUpdate(updateResource(IDENTITY_SOURCE_ID, next, old), CONTEXT)).toMatchObject({
      action: 'no-op',
      identitySourceId: IDENTITY_SOURCE_ID,
    });
  });

  it('treats a rollback (old and new swapped) like any update', () => {
    const forward = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    const back = updateResource(IDENTITY_SOURCE_ID, cognitoProperties(), oidcProperties());
    expect(planUpdate(forward, CONTEXT).action).toBe('in-place');
    const plan = planUpdate(back, CONTEXT);
    expect(plan.action === 'in-place' && plan.input.updateConfiguration).toHaveProperty(
      'cognitoUserPoolConfiguration',
    );
  });

  it('rejects invalid new properties, naming them', () => {
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PrincipalEntityType: '' }),
      cognitoProperties(),
    );
    const plan = planUpdate(request, CONTEXT);
    expect(plan.action).toBe('reject');
    expect(plan.action === 'reject' && plan.reason).toMatch(
      /^Invalid properties: PrincipalEntityType/,
    );
  });

  it('replaces when the resource has no identity source yet (marker id)', () => {
    const request = updateResource(notCreatedId('r0'), cognitoProperties(), cognitoProperties());
    const plan = planUpdate(request, CONTEXT);
    expect(plan).toMatchObject({ action: 'replace' });
    expect(plan).not.toHaveProperty('replaces');
  });

  it('compares with old properties that were invalid by what they name', () => {
    const request = updateResource(IDENTITY_SOURCE_ID, cognitoProperties(), {
      PolicyStoreId: POLICY_STORE_ID,
      Configuration: 'broken',
    });
    expect(planUpdate(request, CONTEXT)).toMatchObject({ action: 'in-place' });
    const moved = updateResource(IDENTITY_SOURCE_ID, cognitoProperties(), {
      PolicyStoreId: 'PSold',
      Configuration: 'broken',
    });
    expect(planUpdate(moved, CONTEXT)).toMatchObject({ action: 'replace' });
  });
});

describe('planUpdate: RoleArn', () => {
  const role = (account: string, name = 'Manager') => `arn:aws:iam::${account}:role/${name}`;
  const own = { defaultRegion: REGION, functionAccountId: '123456789012' };
  const change = (oldProps: Record<string, unknown>, newProps: Record<string, unknown>) =>
    planUpdate(
      updateResource(IDENTITY_SOURCE_ID, cognitoProperties(newProps), cognitoProperties(oldProps)),
      own,
    );

  it('updates in place with the role of its own properties', () => {
    const RoleArn = role('111122223333');
    expect(change({ RoleArn }, { RoleArn, PrincipalEntityType: 'MyApp::Person' })).toMatchObject({
      action: 'in-place',
      target: { roleArn: RoleArn },
    });
  });

  it('replaces only when the effective account changes', () => {
    const other = role('111122223333');
    expect(change({}, { RoleArn: other })).toMatchObject({
      action: 'replace',
      make: { target: { roleArn: other } },
    });
    expect(change({ RoleArn: other }, { RoleArn: role('444455556666') })).toMatchObject({
      action: 'replace',
      replaces: { identitySourceId: IDENTITY_SOURCE_ID },
    });
    // another role of the same account, or adding / removing one of the function's own
    // account: the source stays (nothing else changed, so no call at all)
    const inPlace = { action: 'no-op', identitySourceId: IDENTITY_SOURCE_ID };
    expect(change({ RoleArn: other }, { RoleArn: role('111122223333', 'B') })).toMatchObject(
      inPlace,
    );
    expect(change({}, { RoleArn: role('123456789012') })).toMatchObject(inPlace);
    expect(change({ RoleArn: role('123456789012') }, {})).toMatchObject(inPlace);
    expect(
      change(
        { RoleArn: other },
        { RoleArn: role('111122223333', 'B'), PrincipalEntityType: 'A::B' },
      ),
    ).toMatchObject({ action: 'in-place', target: { roleArn: role('111122223333', 'B') } });
  });

  it("rejects a role of another partition than the resource's region", () => {
    const plan = change({}, { RoleArn: role('111122223333'), Region: 'cn-north-1' });
    expect(plan).toEqual({
      action: 'reject',
      reason:
        'Invalid properties: RoleArn: must be a role of the aws-cn partition, the partition of region cn-north-1 (got aws)',
    });
  });
});

describe('update', () => {
  it('replaces by creating when the source is not in the target store', async () => {
    vp.on(GetIdentitySourceCommand).rejects(notFound());
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew', ...meta } as never);
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: 'PSnew' }),
      cognitoProperties(),
    );
    expect(await update(request, deps())).toMatchObject({
      status: 'SUCCESS',
      physicalResourceId: 'ISnew',
    });
    expect(vp).toHaveReceivedCommandWith(GetIdentitySourceCommand, {
      policyStoreId: 'PSnew',
      identitySourceId: IDENTITY_SOURCE_ID,
    });
    expect(vp).toHaveReceivedCommandWith(CreateIdentitySourceCommand, {
      clientToken: request.requestId,
      policyStoreId: 'PSnew',
    });
  });

  it('updates in place when rolling back a failed replacement (the source is already there)', async () => {
    vp.on(GetIdentitySourceCommand).resolves({
      identitySourceId: IDENTITY_SOURCE_ID,
      ...meta,
    } as never);
    vp.on(UpdateIdentitySourceCommand).resolves({
      identitySourceId: IDENTITY_SOURCE_ID,
      ...meta,
    } as never);
    // CloudFormation's rollback: new = the original properties, old = the failed target
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties(),
      cognitoProperties({ PolicyStoreId: 'PSnew' }),
    );
    expect(await update(request, deps())).toMatchObject({
      status: 'SUCCESS',
      physicalResourceId: IDENTITY_SOURCE_ID,
    });
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 0);
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      policyStoreId: POLICY_STORE_ID,
      identitySourceId: IDENTITY_SOURCE_ID,
    });
  });

  it('updates in place when the old and new PolicyStoreId are an alias and the id of one store', async () => {
    const alias = 'policy-store-alias/payments';
    vp.on(GetPolicyStoreAliasCommand, { aliasName: alias }).resolves({
      aliasName: alias,
      policyStoreId: POLICY_STORE_ID,
      ...meta,
    } as never);
    vp.on(UpdateIdentitySourceCommand).resolves(meta as never);
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: alias, PrincipalEntityType: 'MyApp::Person' }),
      cognitoProperties(),
    );
    expect(await update(request, deps())).toMatchObject({
      status: 'SUCCESS',
      physicalResourceId: IDENTITY_SOURCE_ID,
    });
    expect(vp).toHaveReceivedCommandTimes(GetPolicyStoreAliasCommand, 1);
    expect(vp).toHaveReceivedCommandTimes(GetIdentitySourceCommand, 0);
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 0);
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      policyStoreId: alias,
      identitySourceId: IDENTITY_SOURCE_ID,
      principalEntityType: 'MyApp::Person',
    });
  });

  it('replaces when an alias names another store', async () => {
    const alias = 'policy-store-alias/other';
    vp.on(GetPolicyStoreAliasCommand).resolves({ policyStoreId: 'PSother', ...meta } as never);
    vp.on(GetIdentitySourceCommand).rejects(notFound());
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew', ...meta } as never);
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: alias }),
      cognitoProperties(),
    );
    expect(await update(request, deps())).toMatchObject({ physicalResourceId: 'ISnew' });
    expect(vp).toHaveReceivedCommandWith(CreateIdentitySourceCommand, { policyStoreId: alias });
  });

  it('updates in place, answering with the same id and the Details', async () => {
    vp.on(UpdateIdentitySourceCommand).resolves({
      identitySourceId: IDENTITY_SOURCE_ID,
      ...meta,
    } as never);
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PrincipalEntityType: 'A::B' }),
      cognitoProperties(),
    );
    expect(await update(request, deps())).toMatchObject({
      status: 'SUCCESS',
      physicalResourceId: IDENTITY_SOURCE_ID,
      data: { IdentitySourceId: IDENTITY_SOURCE_ID, 'Details.UserPoolArn': USER_POOL_ARN },
    });
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      identitySourceId: IDENTITY_SOURCE_ID,
      principalEntityType: 'A::B',
    });
  });

  it('calls nothing for a no-op update', async () => {
    const request = updateResource(IDENTITY_SOURCE_ID, cognitoProperties(), cognitoProperties());
    expect(await update(request, deps())).toMatchObject({
      status: 'SUCCESS',
      physicalResourceId: IDENTITY_SOURCE_ID,
    });
    expect(vp.calls()).toHaveLength(0);
  });

  it('answers a failed Update with the id CloudFormation knows and the reason', async () => {
    vp.on(UpdateIdentitySourceCommand).rejects(
      Object.assign(new Error('bad'), {
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const request = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    expect(await update(request, deps())).toEqual({
      status: 'FAILED',
      physicalResourceId: IDENTITY_SOURCE_ID,
      reason: 'UpdateIdentitySource rejected the input: bad',
    });
  });

  it('answers FAILED, calling nothing, for invalid properties', async () => {
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PrincipalEntityType: '' }),
      cognitoProperties(),
    );
    expect(await update(request, deps())).toMatchObject({
      status: 'FAILED',
      physicalResourceId: IDENTITY_SOURCE_ID,
    });
    expect(vp.calls()).toHaveLength(0);
  });
});

describe('update: an earlier replacement CloudFormation never took', () => {
  const abandoned = (extra: Partial<Making> = {}): Making => ({
    state: 'created',
    kind: 'replacement',
    requestId: 'replace-1',
    region: REGION,
    input: { clientToken: 'replace-1', policyStoreId: 'PSnew', configuration: undefined },
    identitySourceId: 'ISabandoned',
    issuedAt: 1_000,
    ...extra,
  });

  it('removes what it made before the rollback is answered', async () => {
    vp.on(DeleteIdentitySourceCommand).resolves({});
    vp.on(UpdateIdentitySourceCommand).resolves({});
    const { records, cancels } = recordsWith(abandoned());
    const request = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties(), {
      issuedAt: 5_000,
    });
    expect(await update(request, deps({ records }))).toMatchObject({ status: 'SUCCESS' });
    // Given up strictly before this request (it may replace too), recorded only if found.
    expect(cancels).toEqual([{ gaveUp: { at: 4_999, ifFound: true }, given: true }]);
    expect(vp).toHaveReceivedCommandWith(DeleteIdentitySourceCommand, {
      policyStoreId: 'PSnew',
      identitySourceId: 'ISabandoned',
    });
  });

  it('makes nothing for a replacement CloudFormation gave up on before it began', async () => {
    vp.on(GetIdentitySourceCommand).rejects(notFound());
    const { records } = recordsWith(undefined);
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: 'PSnew' }),
      cognitoProperties(),
      { issuedAt: 5_000 },
    );
    const answer = await update(
      request,
      deps({ records: { ...records, begin: async () => 'given-up' } }),
    );
    expect(answer).toMatchObject({ status: 'FAILED', physicalResourceId: IDENTITY_SOURCE_ID });
    expect(answer.reason).toMatch(/^CloudFormation had already given up on this Update: /);
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 0);
  });

  it('never removes the source the request names, nor a replacement issued after it, nor a Create', async () => {
    vp.on(UpdateIdentitySourceCommand).resolves({});
    for (const making of [
      abandoned({ identitySourceId: IDENTITY_SOURCE_ID }),
      abandoned({ issuedAt: 9_000 }),
      abandoned({ kind: 'create' }),
    ]) {
      const { records } = recordsWith(making);
      const request = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties(), {
        issuedAt: 5_000,
      });
      expect(await update(request, deps({ records }))).toMatchObject({ status: 'SUCCESS' });
    }
    expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 0);
  });
});

describe('afterUpdate', () => {
  const recorder = () => {
    const calls: { step: string; args: unknown[] }[] = [];
    const records: ResourceRecords = {
      read: async () => undefined,
      begin: async () => 'begun',
      settle: async (...args) => {
        calls.push({ step: 'settle', args });
        return 'recorded';
      },
      closeCancelled: async () => {},
      moveOn: async () => true,
      cancel: async () => undefined,
      applied: async (...args) => {
        calls.push({ step: 'applied', args });
      },
      released: async () => {},
    };
    return { records, calls };
  };

  it('records what an in-place update applied once its SUCCESS was delivered', async () => {
    const { records, calls } = recorder();
    const request = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    const answer = { status: 'SUCCESS' as const, physicalResourceId: IDENTITY_SOURCE_ID };
    await afterUpdate(request, answer, false, deps({ records }));
    expect(calls).toEqual([]);
    await afterUpdate(request, answer, true, deps({ records }));
    expect(calls).toEqual([
      {
        step: 'applied',
        args: [
          request.resource,
          expect.objectContaining({
            identitySourceId: IDENTITY_SOURCE_ID,
            policyStoreId: POLICY_STORE_ID,
            region: REGION,
          }),
        ],
      },
    ]);
  });

  it('settles a replacement as a Create does', async () => {
    const { records, calls } = recorder();
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: 'PSnew' }),
      cognitoProperties(),
    );
    await afterUpdate(
      request,
      { status: 'SUCCESS', physicalResourceId: 'ISnew' },
      true,
      deps({ records }),
    );
    expect(calls.map((c) => c.step)).toEqual(['settle']);
    expect(calls[0]?.args).toMatchObject([
      request.resource,
      request.requestId,
      { identitySourceId: 'ISnew', answered: true },
    ]);
  });

  it('leaves a FAILED outcome alone', async () => {
    const { records, calls } = recorder();
    const request = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    await afterUpdate(
      request,
      { status: 'FAILED', physicalResourceId: IDENTITY_SOURCE_ID },
      true,
      deps({ records }),
    );
    expect(calls).toEqual([]);
  });
});
