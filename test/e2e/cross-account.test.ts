/**
 * `RoleArn` end to end: identity sources in other accounts. The built bundle assumes the role
 * at the STS stand-in (real SDK, AWS Query over HTTP) and signs its Verified Permissions calls
 * with the credentials it got; the double keeps each account's stores to that account's keys
 * and records which key signed each call, so every assertion is about what arrived on the
 * wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryRequest } from '../../local/aws-query.js';
import { type Exchange, type LocalStack, startLocalStack } from '../../local/local-stack.js';
import type { IssuedCredentials, StsStandIn } from '../../local/sts.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';

const ROLE_A = 'arn:aws:iam::111111111111:role/IdentitySources';
const ROLE_A_OTHER = 'arn:aws:iam::111111111111:role/platform/IdentitySourcesToo';
const ROLE_B = 'arn:aws:iam::222222222222:role/IdentitySources';
const DENIED_ROLE = 'arn:aws:iam::333333333333:role/NotTrustingTheProvider';
/** Not the function's region (eu-west-1): STS and Verified Permissions are called here. */
const REGION = 'us-west-2';

let stack: LocalStack;
let sts: StsStandIn;
beforeAll(async () => {
  stack = await startLocalStack({ withSts: true, withCloudFormation: true });
  sts = stack.sts!;
});
afterAll(async () => {
  expect(signatureLeaks(stack.logs)).toEqual([]);
  await stack?.close();
});

/** A store of `accountId` in {@link REGION}: only that account's keys find it. */
const storeOf = (accountId: string) =>
  stack.verifiedPermissions.addPolicyStore(undefined, { accountId, region: REGION });
const propertiesFor = (store: string, roleArn: string, overrides: Record<string, unknown> = {}) =>
  cognitoProperties({ PolicyStoreId: store, RoleArn: roleArn, Region: REGION, ...overrides });
const sourcesIn = (store: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store);

/** One request, with what STS saw and handed out while it ran. */
async function send(
  request: Parameters<LocalStack['send']>[0],
): Promise<Exchange & { assumeRoles: QueryRequest[]; issued: IssuedCredentials[] }> {
  const before = { requests: sts.requests.length, issued: sts.issued.length };
  const exchange = await stack.send(request);
  return {
    ...exchange,
    assumeRoles: sts.requests.slice(before.requests),
    issued: sts.issued.slice(before.issued),
  };
}

/** The request assumed `roleArn` once, in REGION, and signed every Verified Permissions call with what it got. */
function expectAllSignedAs(exchange: Awaited<ReturnType<typeof send>>, roleArn: string) {
  const logicalId = exchange.event.LogicalResourceId as string;
  const requestId = exchange.event.RequestId as string;
  expect(exchange.assumeRoles).toHaveLength(1);
  expect(exchange.assumeRoles[0]).toMatchObject({
    action: 'AssumeRole',
    region: REGION,
    accessKeyId: stack.env.AWS_ACCESS_KEY_ID,
    status: 200,
    params: { RoleArn: roleArn, RoleSessionName: `cfn-${logicalId}-${requestId}` },
  });
  const [credentials] = exchange.issued;
  expect(credentials?.roleArn).toBe(roleArn);
  expect(exchange.apiCalls.length).toBeGreaterThan(0);
  for (const call of exchange.apiCalls) {
    expect(call, call.operation).toMatchObject({
      accessKeyId: credentials?.accessKeyId,
      region: REGION,
    });
  }
}

const operations = (exchange: Exchange) => exchange.apiCalls.map((c) => c.operation);

describe('RoleArn', () => {
  it('creates, updates in place, replaces across accounts and deletes, each with its own role', async () => {
    const storeA = storeOf('111111111111');
    const storeB = storeOf('222222222222');
    const logicalId = 'CrossAccountSource';

    // Create: the new properties' role, in the resource's region
    const v1 = propertiesFor(storeA, ROLE_A);
    const create = await send({
      RequestType: 'Create',
      LogicalResourceId: logicalId,
      ResourceProperties: v1,
    });
    expect(create.response?.Status, create.response?.Reason).toBe('SUCCESS');
    expect(operations(create)).toEqual(['CreateIdentitySource']);
    expectAllSignedAs(create, ROLE_A);
    const first = create.response!.PhysicalResourceId;
    expect(sourcesIn(storeA).map((s) => s.identitySourceId)).toEqual([first]);

    // another role of the same account: in place, with the new role
    const v2 = propertiesFor(storeA, ROLE_A_OTHER, { PrincipalEntityType: 'MyApp::Person' });
    const inPlace = await send({
      RequestType: 'Update',
      LogicalResourceId: logicalId,
      PhysicalResourceId: first,
      ResourceProperties: v2,
      OldResourceProperties: v1,
    });
    expect(inPlace.response?.Status, inPlace.response?.Reason).toBe('SUCCESS');
    expect(inPlace.response?.PhysicalResourceId).toBe(first);
    expect(operations(inPlace)).toEqual(['UpdateIdentitySource']);
    expectAllSignedAs(inPlace, ROLE_A_OTHER);
    expect(sourcesIn(storeA)[0]?.principalEntityType).toBe('MyApp::Person');

    // a role in another account: replacement, a new source in that account's store
    const v3 = propertiesFor(storeB, ROLE_B);
    const replace = await send({
      RequestType: 'Update',
      LogicalResourceId: logicalId,
      PhysicalResourceId: first,
      ResourceProperties: v3,
      OldResourceProperties: v2,
    });
    expect(replace.response?.Status, replace.response?.Reason).toBe('SUCCESS');
    const second = replace.response!.PhysicalResourceId;
    expect(second).not.toBe(first);
    expect(operations(replace)).toContain('CreateIdentitySource');
    expect(operations(replace)).not.toContain('UpdateIdentitySource');
    expectAllSignedAs(replace, ROLE_B);
    expect(sourcesIn(storeB).map((s) => s.identitySourceId)).toEqual([second]);
    expect(sourcesIn(storeA).map((s) => s.identitySourceId)).toEqual([first]);

    /** A Delete with these (its own) properties deletes the source, with their role. */
    const deletes = async (physicalId: string, properties: Record<string, unknown>) => {
      const remove = await send({
        RequestType: 'Delete',
        LogicalResourceId: logicalId,
        PhysicalResourceId: physicalId,
        ResourceProperties: properties,
      });
      expect(remove.response?.Status, remove.response?.Reason).toBe('SUCCESS');
      expect(operations(remove)).toContain('DeleteIdentitySource');
      expectAllSignedAs(remove, properties.RoleArn as string);
    };
    // CloudFormation's cleanup Delete of the old source: its own (old) properties' role
    await deletes(first, v2);
    expect(sourcesIn(storeA)).toEqual([]);
    expect(sourcesIn(storeB)).toHaveLength(1);
    // the stack's Delete: the resource's role of the other account
    await deletes(second, v3);
    expect(sourcesIn(storeB)).toEqual([]);
  });

  it('never signs with the function’s own key: without the role its store is not even visible', async () => {
    // the double keeps the store to account 111111111111, so the role is what makes it work
    const store = storeOf('111111111111');
    const create = await send({
      RequestType: 'Create',
      LogicalResourceId: 'OwnKeyNeverUsed',
      ResourceProperties: propertiesFor(store, ROLE_A),
    });
    expect(create.response?.Status, create.response?.Reason).toBe('SUCCESS');
    const ownKey = stack.env.AWS_ACCESS_KEY_ID;
    expect(create.apiCalls.filter((c) => c.accessKeyId === ownKey)).toEqual([]);
  });

  it('reads a rollback with the function’s own key, and hands an adopted source back with the role', async () => {
    const store = storeOf('111111111111');
    const otherStack = stack.stackId.replace('/local-stack/', '/central-stack/');
    const theirs = await send({
      RequestType: 'Create',
      LogicalResourceId: 'CentralSource',
      StackId: otherStack,
      ResourceProperties: propertiesFor(store, ROLE_A),
    });
    expect(theirs.response?.Status, theirs.response?.Reason).toBe('SUCCESS');
    const before = sourcesIn(store);
    const properties = propertiesFor(store, ROLE_A_OTHER, {
      AdoptExisting: 'true',
      PrincipalEntityType: 'MyApp::Adopter',
    });
    const adopted = await send({
      RequestType: 'Create',
      LogicalResourceId: 'AdoptsCentralSource',
      ResourceProperties: properties,
    });
    expect(adopted.response?.Status, adopted.response?.Reason).toBe('SUCCESS');
    expectAllSignedAs(adopted, ROLE_A_OTHER);

    stack.cloudFormation!.setStackStatus(stack.stackId, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const rollback = await send({
      RequestType: 'Delete',
      LogicalResourceId: 'AdoptsCentralSource',
      PhysicalResourceId: adopted.response!.PhysicalResourceId,
      ResourceProperties: properties,
    });
    expect(rollback.response?.Status, rollback.response?.Reason).toBe('SUCCESS');
    expect(operations(rollback)).toEqual(['UpdateIdentitySource']);
    expectAllSignedAs(rollback, ROLE_A_OTHER);
    expect(stack.cloudFormation!.requests.at(-1)).toMatchObject({
      action: 'DescribeStacks',
      region: stack.region,
      accessKeyId: stack.env.AWS_ACCESS_KEY_ID,
      status: 200,
    });
    expect(sourcesIn(store).map((s) => [s.configuration, s.principalEntityType])).toEqual(
      before.map((s) => [s.configuration, s.principalEntityType]),
    );
  });

  it('answers FAILED naming a role STS denies, with no Verified Permissions call', async () => {
    sts.deny(DENIED_ROLE);
    const store = storeOf('333333333333');
    const create = await send({
      RequestType: 'Create',
      LogicalResourceId: 'DeniedRoleSource',
      ResourceProperties: propertiesFor(store, DENIED_ROLE),
    });
    expect(create.response?.Status).toBe('FAILED');
    expect(create.response?.Reason).toContain(DENIED_ROLE);
    expect(create.response?.Reason).toContain('AccessDenied');
    expect(create.response?.Reason).toContain('AssumableRoleArns');
    expect(create.assumeRoles.map((r) => [r.region, r.errorCode])).toEqual([
      [REGION, 'AccessDenied'],
    ]);
    expect(create.apiCalls).toEqual([]);
    expect(create.networkCalls.filter((c) => c.service === 'Verified Permissions')).toEqual([]);
    expect(sourcesIn(store)).toEqual([]);

    // the Delete CloudFormation sends next knows nothing was made: no role, no call
    const remove = await send({
      RequestType: 'Delete',
      LogicalResourceId: 'DeniedRoleSource',
      PhysicalResourceId: create.response!.PhysicalResourceId,
      ResourceProperties: propertiesFor(store, DENIED_ROLE),
    });
    expect(remove.response?.Status, remove.response?.Reason).toBe('SUCCESS');
    expect(remove.assumeRoles).toEqual([]);
    expect(remove.apiCalls).toEqual([]);
  });
});
