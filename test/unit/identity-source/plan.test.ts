import { describe, expect, it } from 'vitest';
import { clientTokenFor } from '../../../src/identity-source/client-token.js';
import { createUnconfirmedId, notCreatedId } from '../../../src/identity-source/physical-id.js';
import { planFor } from '../../../src/identity-source/plan.js';
import {
  cognitoProperties,
  createResource,
  deleteResource,
  IDENTITY_SOURCE_ID,
  oidcProperties,
  POLICY_STORE_ID,
  USER_POOL_ARN,
  updateResource,
} from '../../fixtures/requests.js';

const REGION = 'eu-west-1';
const CONTEXT = { defaultRegion: REGION };

describe('planFor: Create', () => {
  it('creates with the RequestId as clientToken, in the function region', () => {
    const request = createResource(cognitoProperties());
    const plan = planFor(request, CONTEXT);
    expect(plan).toMatchObject({
      action: 'create',
      region: REGION,
      input: {
        clientToken: request.requestId,
        policyStoreId: POLICY_STORE_ID,
        principalEntityType: 'MyApp::User',
        configuration: { cognitoUserPoolConfiguration: { userPoolArn: USER_POOL_ARN } },
      },
    });
    expect(plan).not.toHaveProperty('replaces');
  });

  it('creates in the Region property when set', () => {
    expect(
      planFor(createResource(cognitoProperties({ Region: 'ap-southeast-2' })), CONTEXT),
    ).toMatchObject({
      action: 'create',
      region: 'ap-southeast-2',
    });
  });

  it('turns a RequestId that breaks the token rule into a deterministic token', () => {
    const request = createResource(cognitoProperties(), {
      requestId: 'request id with spaces and more than sixty-four characters in total!!',
    });
    const plan = planFor(request, CONTEXT);
    const token = plan.action === 'create' ? plan.input.clientToken : undefined;
    expect(token).toMatch(/^[a-zA-Z0-9-]{1,64}$/);
    expect(token).toBe(clientTokenFor(request.requestId));
  });

  it('rejects invalid properties with a not-created marker', () => {
    const request = createResource({ PolicyStoreId: POLICY_STORE_ID });
    expect(planFor(request, CONTEXT)).toEqual({
      action: 'reject',
      problems: [{ path: 'Configuration', message: 'is required' }],
      physicalResourceId: notCreatedId(request.requestId),
    });
  });
});

describe('planFor: Update', () => {
  it('updates in place, mapping Configuration to updateConfiguration', () => {
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PrincipalEntityType: 'MyApp::Person' }),
      cognitoProperties(),
    );
    expect(planFor(request, CONTEXT)).toMatchObject({
      action: 'update',
      region: REGION,
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
    const plan = planFor(request, CONTEXT);
    expect(plan.action === 'update' && plan.input.updateConfiguration).toEqual({
      cognitoUserPoolConfiguration: { userPoolArn: USER_POOL_ARN, clientIds: ['only-this'] },
    });
  });

  it('switches between Cognito and OIDC in place (a store holds one source)', () => {
    const request = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    const plan = planFor(request, CONTEXT);
    expect(plan.action).toBe('update');
    expect(plan.action === 'update' && plan.input.updateConfiguration).toHaveProperty(
      'openIdConnectConfiguration',
    );
  });

  it('replaces on a PolicyStoreId change, with this RequestId as token', () => {
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: 'PSother' }),
      cognitoProperties(),
    );
    expect(planFor(request, CONTEXT)).toMatchObject({
      action: 'create',
      replaces: {
        identitySourceId: IDENTITY_SOURCE_ID,
        // if the source already lives there (a rollback of a failed replacement): update it
        ifAlreadyThere: { policyStoreId: 'PSother', identitySourceId: IDENTITY_SOURCE_ID },
      },
      input: { clientToken: request.requestId, policyStoreId: 'PSother' },
    });
  });

  it('marks a change between an alias and an id for resolution: the same store is no replacement', () => {
    const alias = 'policy-store-alias/payments';
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: alias }),
      cognitoProperties(),
    );
    expect(planFor(request, CONTEXT)).toMatchObject({
      action: 'create',
      replaces: { sameStoreIf: { old: POLICY_STORE_ID, next: alias } },
    });
    const plain = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: 'PSother' }),
      cognitoProperties(),
    );
    const planned = planFor(plain, CONTEXT);
    expect(planned.action === 'create' && planned.replaces).not.toHaveProperty('sameStoreIf');
  });

  it('replaces on a Region change, but not when Region only names the default', () => {
    const moved = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ Region: 'us-east-1' }),
      cognitoProperties(),
    );
    expect(planFor(moved, CONTEXT)).toMatchObject({
      action: 'create',
      region: 'us-east-1',
      replaces: { identitySourceId: IDENTITY_SOURCE_ID },
    });
    const explicit = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ Region: REGION }),
      cognitoProperties(),
    );
    expect(planFor(explicit, CONTEXT)).toMatchObject({ action: 'no-op' });
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
    expect(planFor(updateResource(IDENTITY_SOURCE_ID, next, old), CONTEXT)).toMatchObject({
      action: 'no-op',
      identitySourceId: IDENTITY_SOURCE_ID,
    });
  });

  it('treats a rollback (old and new swapped) like any update', () => {
    const forward = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    const back = updateResource(IDENTITY_SOURCE_ID, cognitoProperties(), oidcProperties());
    expect(planFor(forward, CONTEXT).action).toBe('update');
    const plan = planFor(back, CONTEXT);
    expect(plan.action === 'update' && plan.input.updateConfiguration).toHaveProperty(
      'cognitoUserPoolConfiguration',
    );
  });

  it('rejects invalid new properties and keeps the physical id', () => {
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PrincipalEntityType: '' }),
      cognitoProperties(),
    );
    expect(planFor(request, CONTEXT)).toMatchObject({
      action: 'reject',
      physicalResourceId: IDENTITY_SOURCE_ID,
    });
  });

  it('creates when the resource has no identity source yet (marker id)', () => {
    const request = updateResource(notCreatedId('r0'), cognitoProperties(), cognitoProperties());
    expect(planFor(request, CONTEXT)).toMatchObject({ action: 'create' });
  });
});

describe('planFor: Delete', () => {
  it('deletes the identity source in its store and region', () => {
    const request = deleteResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ Region: 'eu-central-1' }),
    );
    expect(planFor(request, CONTEXT)).toEqual({
      action: 'delete',
      region: 'eu-central-1',
      input: { policyStoreId: POLICY_STORE_ID, identitySourceId: IDENTITY_SOURCE_ID },
      resource: request.resource,
    });
  });

  it('deletes even when properties other than the location are invalid', () => {
    const request = deleteResource(IDENTITY_SOURCE_ID, {
      PolicyStoreId: POLICY_STORE_ID,
      Configuration: 'broken',
    });
    expect(planFor(request, CONTEXT)).toMatchObject({ action: 'delete' });
  });

  it('acknowledges the marker of a Create that made nothing', () => {
    expect(planFor(deleteResource(notCreatedId('r1'), {}), CONTEXT)).toMatchObject({
      action: 'acknowledge',
    });
  });

  it('sweeps for an unanswered Create when the id cannot be an identity source id', () => {
    const request = deleteResource(
      'arn:aws:cloudformation:made-up|IdentitySource|xyz',
      cognitoProperties(),
    );
    expect(planFor(request, CONTEXT)).toEqual({
      action: 'sweep',
      region: REGION,
      resource: request.resource,
    });
  });

  it('replays an unconfirmed Create with its token to find what it made', () => {
    const request = deleteResource(createUnconfirmedId('token-1'), cognitoProperties());
    expect(planFor(request, CONTEXT)).toMatchObject({
      action: 'delete-unconfirmed',
      region: REGION,
      replay: { clientToken: 'token-1', policyStoreId: POLICY_STORE_ID },
    });
  });

  it('rejects a Delete whose PolicyStoreId is unusable', () => {
    const request = deleteResource(IDENTITY_SOURCE_ID, { PolicyStoreId: 'no spaces allowed' });
    expect(planFor(request, CONTEXT)).toMatchObject({
      action: 'reject',
      physicalResourceId: IDENTITY_SOURCE_ID,
      problems: [{ path: 'PolicyStoreId' }],
    });
  });
});

describe('planFor: RoleArn', () => {
  const role = (account: string, name = 'Manager') => `arn:aws:iam::${account}:role/${name}`;
  const own = { defaultRegion: REGION, functionAccountId: '123456789012' };
  const change = (oldProps: Record<string, unknown>, newProps: Record<string, unknown>) =>
    planFor(
      updateResource(IDENTITY_SOURCE_ID, cognitoProperties(newProps), cognitoProperties(oldProps)),
      own,
    );

  it('makes a Create, an in-place Update and a Delete with the role of their own properties', () => {
    const RoleArn = role('111122223333');
    expect(planFor(createResource(cognitoProperties({ RoleArn })), own)).toMatchObject({
      action: 'create',
      roleArn: RoleArn,
    });
    expect(change({ RoleArn }, { RoleArn, PrincipalEntityType: 'MyApp::Person' })).toMatchObject({
      action: 'update',
      roleArn: RoleArn,
    });
    expect(
      planFor(deleteResource(IDENTITY_SOURCE_ID, cognitoProperties({ RoleArn })), own),
    ).toMatchObject({ action: 'delete', roleArn: RoleArn });
  });

  it('replaces only when the effective account changes', () => {
    const other = role('111122223333');
    expect(change({}, { RoleArn: other })).toMatchObject({ action: 'create', roleArn: other });
    expect(change({ RoleArn: other }, { RoleArn: role('444455556666') })).toMatchObject({
      action: 'create',
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
    ).toMatchObject({ action: 'update', roleArn: role('111122223333', 'B') });
  });

  it("rejects a role of another partition than the resource's region", () => {
    const plan = planFor(
      createResource(cognitoProperties({ RoleArn: role('111122223333'), Region: 'cn-north-1' })),
      own,
    );
    expect(plan).toMatchObject({
      action: 'reject',
      problems: [
        {
          path: 'RoleArn',
          message:
            'must be a role of the aws-cn partition, the partition of region cn-north-1 (got aws)',
        },
      ],
    });
  });
});
