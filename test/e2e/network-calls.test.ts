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

/**
 * What one request caused: the Verified Permissions operations, how many DynamoDB calls (the
 * idempotency record, the create journal, the ownership record; which operations they use is
 * the persistence layer's business), the response PUTs, and the total.
 */
function tally({ networkCalls }: Exchange) {
  const of = (service: string) =>
    networkCalls.filter((call) => call.service === service).map((call) => call.operation);
  return {
    verifiedPermissions: of('Verified Permissions'),
    dynamoDbCalls: of('DynamoDB').length,
    s3: of('S3'),
    total: networkCalls.length,
  };
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
  it('Create makes 7 (the first after the import too), Update 4, Delete 5', async () => {
    for (const _round of ['first invocations', 'warm']) {
      const [create, update, remove] = await cycle();
      expect(create && tally(create)).toEqual({
        verifiedPermissions: ['CreateIdentitySource'],
        // idempotency record put and completed, journal opened and settled, ownership recorded
        dynamoDbCalls: 5,
        s3: ['PUT'],
        total: 7,
      });
      expect(update && tally(update)).toEqual({
        verifiedPermissions: ['UpdateIdentitySource'],
        dynamoDbCalls: 2,
        s3: ['PUT'],
        total: 4,
      });
      expect(remove && tally(remove)).toEqual({
        verifiedPermissions: ['DeleteIdentitySource'],
        // idempotency record put and completed, ownership record removed
        dynamoDbCalls: 3,
        s3: ['PUT'],
        total: 5,
      });
    }
  });
});
