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

describe('planFor: Create', () => {
  it('creates with the RequestId as clientToken, in the function region', () => {
    const request = createResource(cognitoProperties());
    const plan = planFor(request, REGION);
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
      planFor(createResource(cognitoProperties({ Region: 'ap-southeast-2' })), REGION),
    ).toMatchObject({
      action: 'create',
      region: 'ap-southeast-2',
    });
  });

  it('turns a RequestId that breaks the token rule into a deterministic token', () => {
    const request = createResource(cognitoProperties(), {
      requestId: 'request id with spaces and more than sixty-four characters in total!!',
    });
    const plan = planFor(request, REGION);
    const token = plan.action === 'create' ? plan.input.clientToken : undefined;
    expect(token).toMatch(/^[a-zA-Z0-9-]{1,64}$/);
    expect(token).toBe(clientTokenFor(request.requestId));
  });

  it('rejects invalid properties with a not-created marker', () => {
    const request = createResource({ PolicyStoreId: POLICY_STORE_ID });
    expect(planFor(request, REGION)).toEqual({
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
    expect(planFor(request, REGION)).toMatchObject({
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
    const plan = planFor(request, REGION);
    expect(plan.action === 'update' && plan.input.updateConfiguration).toEqual({
      cognitoUserPoolConfiguration: { userPoolArn: USER_POOL_ARN, clientIds: ['only-this'] },
    });
  });

  it('switches between Cognito and OIDC in place (a store holds one source)', () => {
    const request = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    const plan = planFor(request, REGION);
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
    expect(planFor(request, REGION)).toMatchObject({
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
    expect(planFor(request, REGION)).toMatchObject({
      action: 'create',
      replaces: { sameStoreIf: { old: POLICY_STORE_ID, next: alias } },
    });
    const plain = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: 'PSother' }),
      cognitoProperties(),
    );
    const planned = planFor(plain, REGION);
    expect(planned.action === 'create' && planned.replaces).not.toHaveProperty('sameStoreIf');
  });

  it('replaces on a Region change, but not when Region only names the default', () => {
    const moved = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ Region: 'us-east-1' }),
      cognitoProperties(),
    );
    expect(planFor(moved, REGION)).toMatchObject({
      action: 'create',
      region: 'us-east-1',
      replaces: { identitySourceId: IDENTITY_SOURCE_ID },
    });
    const explicit = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ Region: REGION }),
      cognitoProperties(),
    );
    expect(planFor(explicit, REGION)).toMatchObject({ action: 'no-op' });
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
    expect(planFor(updateResource(IDENTITY_SOURCE_ID, next, old), REGION)).toMatchObject({
      action: 'no-op',
      identitySourceId: IDENTITY_SOURCE_ID,
    });
  });

  it('treats a rollback (old and new swapped) like any update', () => {
    const forward = updateResource(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    const back = updateResource(IDENTITY_SOURCE_ID, cognitoProperties(), oidcProperties());
    expect(planFor(forward, REGION).action).toBe('update');
    const plan = planFor(back, REGION);
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
    expect(planFor(request, REGION)).toMatchObject({
      action: 'reject',
      physicalResourceId: IDENTITY_SOURCE_ID,
    });
  });

  it('creates when the resource has no identity source yet (marker id)', () => {
    const request = updateResource(notCreatedId('r0'), cognitoProperties(), cognitoProperties());
    expect(planFor(request, REGION)).toMatchObject({ action: 'create' });
  });
});

describe('planFor: Delete', () => {
  it('deletes the identity source in its store and region', () => {
    const request = deleteResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ Region: 'eu-central-1' }),
    );
    expect(planFor(request, REGION)).toEqual({
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
    expect(planFor(request, REGION)).toMatchObject({ action: 'delete' });
  });

  it('acknowledges the marker of a Create that made nothing', () => {
    expect(planFor(deleteResource(notCreatedId('r1'), {}), REGION)).toMatchObject({
      action: 'acknowledge',
    });
  });

  it('sweeps for an unanswered Create when the id cannot be an identity source id', () => {
    const request = deleteResource(
      'arn:aws:cloudformation:made-up|IdentitySource|xyz',
      cognitoProperties(),
    );
    expect(planFor(request, REGION)).toEqual({
      action: 'sweep',
      resource: request.resource,
    });
  });

  it('replays an unconfirmed Create with its token to find what it made', () => {
    const request = deleteResource(createUnconfirmedId('token-1'), cognitoProperties());
    expect(planFor(request, REGION)).toMatchObject({
      action: 'delete-unconfirmed',
      region: REGION,
      replay: { clientToken: 'token-1', policyStoreId: POLICY_STORE_ID },
    });
  });

  it('rejects a Delete whose PolicyStoreId is unusable', () => {
    const request = deleteResource(IDENTITY_SOURCE_ID, { PolicyStoreId: 'no spaces allowed' });
    expect(planFor(request, REGION)).toMatchObject({
      action: 'reject',
      physicalResourceId: IDENTITY_SOURCE_ID,
      problems: [{ path: 'PolicyStoreId' }],
    });
  });
});
