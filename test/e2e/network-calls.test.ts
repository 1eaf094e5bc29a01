/**
 * Network calls per request on the happy path, as the stand-ins recorded them while the function
 * ran: Verified Permissions requests at the double, DynamoDB requests at dynalite, the response
 * PUT at the bucket. The benchmark reports the same records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(() => stack?.close());

/** The operations each stand-in saw, in the order it saw them. */
function byService({ networkCalls }: Exchange): Record<string, string[]> {
  const calls: Record<string, string[]> = {};
  for (const call of networkCalls) {
    calls[call.service] = [...(calls[call.service] ?? []), call.operation];
  }
  return calls;
}

/** Create → Update → Delete of one identity source in a fresh store, each answered SUCCESS. */
async function cycle(): Promise<Exchange[]> {
  const store = stack.verifiedPermissions.addPolicyStore();
  const properties = { ...cognitoProperties(), PolicyStoreId: store };
  const updated = { ...properties, PrincipalEntityType: 'MyApp::Person' };
  const create = await stack.send({
    RequestType: 'Create',
    LogicalResourceId: 'IdentitySource',
    ResourceProperties: properties,
  });
  const PhysicalResourceId = create.response?.PhysicalResourceId;
  const update = await stack.send({
    RequestType: 'Update',
    LogicalResourceId: 'IdentitySource',
    PhysicalResourceId,
    ResourceProperties: updated,
    OldResourceProperties: properties,
  });
  const remove = await stack.send({
    RequestType: 'Delete',
    LogicalResourceId: 'IdentitySource',
    PhysicalResourceId,
    ResourceProperties: updated,
  });
  const exchanges = [create, update, remove];
  expect(exchanges.map((e) => e.response?.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
  return exchanges;
}

describe('network calls per request', () => {
  it('Create makes 6 (the first after the import too), Update and Delete 4 each', async () => {
    for (const _round of ['first invocations', 'warm']) {
      const [create, update, remove] = await cycle();
      expect(create && byService(create)).toEqual({
        DynamoDB: ['PutItem', 'PutItem', 'UpdateItem', 'UpdateItem'],
        'Verified Permissions': ['CreateIdentitySource'],
        S3: ['PUT'],
      });
      expect(update && byService(update)).toEqual({
        DynamoDB: ['PutItem', 'UpdateItem'],
        'Verified Permissions': ['UpdateIdentitySource'],
        S3: ['PUT'],
      });
      expect(remove && byService(remove)).toEqual({
        DynamoDB: ['PutItem', 'UpdateItem'],
        'Verified Permissions': ['DeleteIdentitySource'],
        S3: ['PUT'],
      });
      expect([create, update, remove].map((e) => e?.networkCalls.length)).toEqual([6, 4, 4]);
    }
  });
});
