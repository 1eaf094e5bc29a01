/**
 * The CloudFormation lifecycle end to end, over the wire: the built bundle in a Lambda-like
 * process, real SDK serialization and SigV4 signing against the Verified Permissions double,
 * idempotency records in dynalite, responses PUT to real pre-signed S3 URLs. Every assertion
 * reads what the stand-ins recorded, not what the provider says of itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { COGNITO_API_CONFIGURATION, OIDC_API_CONFIGURATION } from '../fixtures/api-shapes.js';
import { cognitoProperties, oidcProperties, USER_POOL_ARN } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';
import { startResponseRecorder } from '../support/response-recorder.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  expect(signatureLeaks(stack.logs)).toEqual([]);
  // no event bodies in the logs: property values never appear
  expect(
    stack.logs.filter((line) => line.includes('client-a') || line.includes('auth.example.com')),
  ).toEqual([]);
  expect(stack.logs.length).toBeGreaterThan(0);
  await stack?.close();
});

/** Properties for a fresh policy store of the double. */
function cognitoIn(storeId: string, overrides: Record<string, unknown> = {}) {
  return { ...cognitoProperties(overrides), PolicyStoreId: storeId };
}
function oidcIn(storeId: string, overrides: Record<string, unknown> = {}) {
  return { ...oidcProperties(overrides), PolicyStoreId: storeId };
}

async function created(properties: Record<string, unknown>, logicalId = 'IdentitySource') {
  const exchange = await stack.send({
    RequestType: 'Create',
    LogicalResourceId: logicalId,
    ResourceProperties: properties,
  });
  expect(exchange.response?.Status, exchange.response?.Reason).toBe('SUCCESS');
  return { ...exchange, id: exchange.response?.PhysicalResourceId as string };
}

/** An Update of the resource `IdentitySource`, as CloudFormation sends it. */
function update(physicalId: string, next: Record<string, unknown>, old: Record<string, unknown>) {
  return stack.send({
    RequestType: 'Update',
    LogicalResourceId: 'IdentitySource',
    PhysicalResourceId: physicalId,
    ResourceProperties: next,
    OldResourceProperties: old,
  });
}

const sourcesIn = (storeId: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === storeId);
const operations = (calls: readonly { operation: string | undefined }[]) =>
  calls.map((c) => c.operation);

describe('Create', () => {
  it('creates a Cognito source with groups; clientToken = RequestId; Details in Data', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const { id, response, apiCalls, event } = await created(cognitoIn(store));
    expect(operations(apiCalls)).toEqual(['CreateIdentitySource']);
    expect(apiCalls[0]?.body).toMatchObject({
      clientToken: event.RequestId,
      policyStoreId: store,
      principalEntityType: 'MyApp::User',
      configuration: COGNITO_API_CONFIGURATION,
    });
    expect(apiCalls[0]?.region).toBe('eu-west-1');
    expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([id]);
    expect(response).toMatchObject({
      StackId: stack.stackId,
      RequestId: event.RequestId,
      LogicalResourceId: 'IdentitySource',
      Data: {
        IdentitySourceId: id,
        'Details.UserPoolArn': USER_POOL_ARN,
        'Details.ClientIds': ['client-a', 'client-b'],
        'Details.DiscoveryUrl': 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
        'Details.OpenIdIssuer': 'COGNITO',
      },
    });
  });

  it('creates an OIDC access-token source', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    await created(oidcIn(store));
    expect(sourcesIn(store)[0]?.configuration).toEqual(OIDC_API_CONFIGURATION);
  });

  it('creates an OIDC identity-token source', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const configuration = {
      OpenIdConnectConfiguration: {
        Issuer: 'https://idp.example.com',
        TokenSelection: { IdentityTokenOnly: { ClientIds: ['web'], PrincipalIdClaim: 'email' } },
      },
    };
    const { response } = await created(oidcIn(store, { Configuration: configuration }));
    expect(sourcesIn(store)[0]?.configuration.openIdConnectConfiguration?.tokenSelection).toEqual({
      identityTokenOnly: { clientIds: ['web'], principalIdClaim: 'email' },
    });
    expect(Object.keys(response?.Data ?? {})).toEqual(['IdentitySourceId']);
  });

  it('waits for a policy store that is not visible yet', async () => {
    const store = stack.verifiedPermissions.addPolicyStore(undefined, { visibleAfterMs: 1_500 });
    const { apiCalls } = await created(cognitoIn(store));
    expect(apiCalls.length).toBeGreaterThan(1);
    expect(apiCalls.slice(0, -1).every((c) => c.errorType === 'ResourceNotFoundException')).toBe(
      true,
    );
    expect(sourcesIn(store)).toHaveLength(1);
  });

  it('creates in the Region property, signing for that region', async () => {
    const store = stack.verifiedPermissions.addPolicyStore(undefined, { region: 'ap-southeast-2' });
    const { apiCalls, id } = await created(cognitoIn(store, { Region: 'ap-southeast-2' }));
    expect(apiCalls.map((c) => c.region)).toEqual(['ap-southeast-2']);
    expect(sourcesIn(store)[0]).toMatchObject({ identitySourceId: id, region: 'ap-southeast-2' });
  });
});

describe('Update', () => {
  it('updates in place and keeps the physical id', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const first = await created(cognitoIn(store));
    const next = cognitoIn(store, {
      Configuration: {
        CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, ClientIds: ['client-c'] },
      },
    });
    const { response, apiCalls } = await update(first.id, next, cognitoIn(store));
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: first.id,
      Data: { 'Details.ClientIds': ['client-c'] },
    });
    expect(operations(apiCalls)).toEqual(['UpdateIdentitySource']);
    expect(sourcesIn(store)[0]?.configuration.cognitoUserPoolConfiguration?.clientIds).toEqual([
      'client-c',
    ]);
  });

  it('updates only PrincipalEntityType', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const first = await created(cognitoIn(store));
    const { response, apiCalls } = await update(
      first.id,
      cognitoIn(store, { PrincipalEntityType: 'MyApp::Person' }),
      cognitoIn(store),
    );
    expect(response?.Status).toBe('SUCCESS');
    expect(apiCalls[0]?.body).toMatchObject({
      identitySourceId: first.id,
      principalEntityType: 'MyApp::Person',
    });
    expect(sourcesIn(store)[0]?.principalEntityType).toBe('MyApp::Person');
  });

  it('switches Cognito to OIDC in place, and rolls back', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const first = await created(cognitoIn(store));
    const forward = await update(first.id, oidcIn(store), cognitoIn(store));
    expect(forward.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: first.id });
    expect(sourcesIn(store)[0]?.configuration).toHaveProperty('openIdConnectConfiguration');
    // CloudFormation rolls back with old and new swapped
    const back = await update(first.id, cognitoIn(store), oidcIn(store));
    expect(back.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: first.id });
    expect(sourcesIn(store)).toHaveLength(1);
    expect(sourcesIn(store)[0]?.configuration).toHaveProperty('cognitoUserPoolConfiguration');
  });

  it('replaces on a PolicyStoreId change; the cleanup Delete removes the old source', async () => {
    const oldStore = stack.verifiedPermissions.addPolicyStore();
    const newStore = stack.verifiedPermissions.addPolicyStore();
    const first = await created(cognitoIn(oldStore));
    const replaced = await update(first.id, cognitoIn(newStore), cognitoIn(oldStore));
    const newId = replaced.response?.PhysicalResourceId;
    expect(replaced.response?.Status).toBe('SUCCESS');
    expect(newId).not.toBe(first.id);
    expect(operations(replaced.apiCalls)).toEqual(['GetIdentitySource', 'CreateIdentitySource']);
    expect(replaced.apiCalls[1]?.body).toMatchObject({
      clientToken: replaced.event.RequestId,
      policyStoreId: newStore,
    });
    const cleanup = await stack.send({
      RequestType: 'Delete',
      LogicalResourceId: 'IdentitySource',
      PhysicalResourceId: first.id,
      ResourceProperties: cognitoIn(oldStore),
    });
    expect(cleanup.response?.Status).toBe('SUCCESS');
    expect(sourcesIn(oldStore)).toEqual([]);
    expect(sourcesIn(newStore).map((s) => s.identitySourceId)).toEqual([newId]);
  });

  it('rolls back a failed replacement in place, without a second source', async () => {
    const home = stack.verifiedPermissions.addPolicyStore();
    const full = stack.verifiedPermissions.addPolicyStore();
    const first = await created(cognitoIn(home));
    await created(cognitoIn(full), 'Occupant');
    const failed = await update(first.id, cognitoIn(full), cognitoIn(home));
    expect(failed.response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: first.id });
    expect(failed.response?.Reason).toMatch(/holds only one/);
    // CloudFormation rolls back: the original properties are now the new ones
    const rollback = await update(first.id, cognitoIn(home), cognitoIn(full));
    expect(rollback.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: first.id });
    expect(operations(rollback.apiCalls)).toEqual(['GetIdentitySource', 'UpdateIdentitySource']);
    expect(sourcesIn(home).map((s) => s.identitySourceId)).toEqual([first.id]);
  });

  it('answers a failed update with the old id, then rolls back cleanly', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const first = await created(cognitoIn(store));
    const bad = await update(
      first.id,
      cognitoIn(store, { PrincipalEntityType: '' }),
      cognitoIn(store),
    );
    expect(bad.response).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: first.id,
      Reason: 'Invalid properties: PrincipalEntityType: must not be empty (got 0)',
    });
    expect(bad.apiCalls).toEqual([]);
  });

  it('makes no call when nothing that matters changed', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const first = await created(cognitoIn(store));
    const { response, apiCalls } = await update(
      first.id,
      cognitoIn(store, {
        ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:v2',
      }),
      cognitoIn(store),
    );
    expect(apiCalls).toEqual([]);
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: first.id,
      Data: first.response?.Data,
    });
  });
});

describe('Delete', () => {
  it('deletes, and a second Delete still succeeds', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    // A resource of its own: a Delete that finds nothing marks its earlier Creates given up.
    const first = await created(cognitoIn(store), 'Deleted');
    const request = {
      RequestType: 'Delete',
      LogicalResourceId: 'Deleted',
      PhysicalResourceId: first.id,
      ResourceProperties: cognitoIn(store),
    };
    const once = await stack.send(request);
    expect(once.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: first.id });
    expect(operations(once.apiCalls)).toEqual(['DeleteIdentitySource']);
    expect(sourcesIn(store)).toEqual([]);
    const twice = await stack.send(request);
    expect(twice.response?.Status).toBe('SUCCESS');
    expect(twice.apiCalls[0]?.errorType).toBe('ResourceNotFoundException');
  });

  it('acknowledges the Delete after a failed Create without calling the API', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const failed = await stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'IdentitySource',
      ResourceProperties: cognitoIn(store, {
        Configuration: { CognitoUserPoolConfiguration: { UserPoolArn: 'not-an-arn' } },
      }),
    });
    expect(failed.response?.Status).toBe('FAILED');
    expect(failed.response?.Reason).toContain(
      'Configuration.CognitoUserPoolConfiguration.UserPoolArn: must be a Cognito user pool ARN',
    );
    expect(failed.apiCalls).toEqual([]);
    const cleanup = await stack.send({
      RequestType: 'Delete',
      LogicalResourceId: 'IdentitySource',
      PhysicalResourceId: failed.response?.PhysicalResourceId as string,
      ResourceProperties: failed.event.ResourceProperties as Record<string, unknown>,
    });
    expect(cleanup.response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: failed.response?.PhysicalResourceId,
    });
    expect(cleanup.apiCalls).toEqual([]);
  });

  it('acknowledges an id CloudFormation made up, deleting nothing that exists', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const other = await created(cognitoIn(store), 'Other');
    // A resource of its own: CloudFormation gave up on its Create, so it stays given up.
    const madeUp = `local-stack-GivenUp-${'X'.repeat(12)}`;
    const { response } = await stack.send({
      RequestType: 'Delete',
      LogicalResourceId: 'GivenUp',
      PhysicalResourceId: madeUp,
      ResourceProperties: cognitoIn(store),
    });
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: madeUp });
    expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([other.id]);
  });
});

describe('repeated delivery', () => {
  it('answers a repeated Create identically with one API call, in the same and a fresh process', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const event = await stack.event({
      RequestType: 'Create',
      LogicalResourceId: 'IdentitySource',
      ResourceProperties: cognitoIn(store),
    });
    const before = stack.verifiedPermissions.requests.length;
    await stack.lambda.invoke(event);
    const first = await stack.responseTo(event);
    await stack.lambda.invoke(event);
    const second = await stack.responseTo(event);
    const fresh = await startLocalStackProcess();
    try {
      await fresh.invoke(event);
    } finally {
      await fresh.close();
    }
    const third = await stack.responseTo(event);
    const creates = stack.verifiedPermissions.requests
      .slice(before)
      .filter((r) => r.operation === 'CreateIdentitySource');
    expect(creates).toHaveLength(1);
    expect(first?.Status).toBe('SUCCESS');
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(sourcesIn(store)).toHaveLength(1);
  });
});

describe('faults', () => {
  it('answers FAILED before the deadline when the endpoint hangs', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    stack.verifiedPermissions.hangNext('CreateIdentitySource', 1);
    const { response, invocation } = await stack.send(
      {
        RequestType: 'Create',
        LogicalResourceId: 'IdentitySource',
        ResourceProperties: cognitoIn(store),
      },
      { timeoutMs: 4_000 },
    );
    expect(invocation.timedOut).toBe(false);
    expect(invocation.durationMs).toBeLessThan(4_000);
    expect(response?.Status).toBe('FAILED');
    expect(response?.Reason).toMatch(/^timed out waiting for CreateIdentitySource in eu-west-1/);
    expect(response?.PhysicalResourceId).toMatch(/^CreateUnconfirmed:/);
  });

  it('delivers the response when the PUT is answered 503 twice', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const recorder = await startResponseRecorder({ script: [{ status: 503 }, { status: 503 }] });
    try {
      const { invocation } = await stack.send(
        {
          RequestType: 'Create',
          LogicalResourceId: 'IdentitySource',
          ResourceProperties: cognitoIn(store),
        },
        { responseUrl: recorder.url('/cfn-response?X-Amz-Signature=secret') },
      );
      expect(recorder.requests.map((r) => r.reply)).toEqual([503, 503, 200]);
      expect(new Set(recorder.requests.map((r) => r.body)).size).toBe(1);
      expect(recorder.requests[2]?.json).toMatchObject({ Status: 'SUCCESS' });
      expect(recorder.requests[0]?.headers['content-type'] ?? '').toBe('');
      expect(invocation.logs.join('\n')).not.toContain('secret');
    } finally {
      await recorder.close();
    }
  });

  it('answers a SigV2 pre-signed URL, which signs the (absent) Content-Type', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const key = `sigv2/${store}`;
    const { invocation } = await stack.send(
      {
        RequestType: 'Create',
        LogicalResourceId: 'IdentitySource',
        ResourceProperties: cognitoIn(store),
      },
      { responseUrl: stack.bucket.sigV2ResponseUrl(key) },
    );
    const stored = await stack.bucket.readResponse(key);
    expect(stored?.body).toMatchObject({ Status: 'SUCCESS' });
    expect(invocation.logs.join('\n')).toContain('Response delivered');
  });

  it('answers nothing, and calls nothing, for a ResponseURL that is not allowed', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const { response, apiCalls, invocation } = await stack.send(
      {
        RequestType: 'Create',
        LogicalResourceId: 'IdentitySource',
        ResourceProperties: cognitoIn(store),
      },
      { responseUrl: 'https://s3.amazonaws.com.evil.io/x?X-Amz-Signature=secret' },
    );
    expect(response).toBeUndefined();
    expect(apiCalls).toEqual([]);
    expect(invocation.logs.join('\n')).toContain('ResponseURL is not allowed');
    expect(invocation.logs.join('\n')).not.toContain('secret');
  });
});

/** A second Lambda process with the same environment: another execution environment. */
async function startLocalStackProcess() {
  const { startLambdaProcess } = await import('../../local/lambda-process.js');
  return startLambdaProcess({ env: { ...stack.env } });
}
