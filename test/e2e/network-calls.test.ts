/**
 * Network calls per request on the happy path, as the stand-ins recorded them while the function
 * ran: Verified Permissions requests at the double, DynamoDB requests at dynalite (which record
 * each touched), the response PUT at the bucket. Each call is there for a reason, said beside
 * it; one more is a cost every request pays. The benchmark reports the same records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(() => stack?.close());

/** Which record of the table a DynamoDB call reads or writes, by its item id's prefix. */
function recordOf(itemId: string | undefined): string {
  const prefix = itemId?.split('#')[0];
  if (prefix === 'resource' || prefix === 'ownership') return prefix;
  // Powertools names idempotency records after the function: `<function name>#<hash>`
  return prefix === 'identity-source-provider' ? 'idempotency' : `other (${itemId})`;
}

/**
 * What one request caused: the Verified Permissions operations, which table records its
 * DynamoDB calls touched, in order (the idempotency record, the resource's record, the store's
 * ownership record; which operations they use is the persistence layer's business), the
 * response PUTs, and the total.
 */
function tally({ networkCalls }: Exchange) {
  const of = (service: string) => networkCalls.filter((call) => call.service === service);
  return {
    verifiedPermissions: of('Verified Permissions').map((call) => call.operation),
    dynamoDb: of('DynamoDB').map((call) => recordOf(call.itemId)),
    s3: of('S3').map((call) => call.operation),
    total: networkCalls.length,
  };
}

/**
 * Create → Update → Delete of one identity source in a fresh store, each answered SUCCESS; a
 * resource of its own each time (a Delete marks the resource's earlier requests given up, to the
 * second: a Create of the same logical id in that second would make nothing).
 */
async function cycle(logicalId: string): Promise<Exchange[]> {
  const store = stack.verifiedPermissions.addPolicyStore();
  const properties = { ...cognitoProperties(), PolicyStoreId: store };
  const updated = { ...properties, PrincipalEntityType: 'MyApp::Person' };
  const create = await stack.send({
    RequestType: 'Create',
    LogicalResourceId: logicalId,
    ResourceProperties: properties,
  });
  const PhysicalResourceId = create.response?.PhysicalResourceId;
  const update = await stack.send({
    RequestType: 'Update',
    LogicalResourceId: logicalId,
    PhysicalResourceId,
    ResourceProperties: updated,
    OldResourceProperties: properties,
  });
  const remove = await stack.send({
    RequestType: 'Delete',
    LogicalResourceId: logicalId,
    PhysicalResourceId,
    ResourceProperties: updated,
  });
  const exchanges = [create, update, remove];
  expect(exchanges.map((e) => e.response?.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
  return exchanges;
}

describe('network calls per request', () => {
  it('Create makes 7 (the first after the import too), Update 7, Delete 8', async () => {
    for (const round of ['FirstInvocations', 'Warm']) {
      const [create, update, remove] = await cycle(round);
      expect(create && tally(create)).toEqual({
        verifiedPermissions: ['CreateIdentitySource'],
        dynamoDb: [
          'idempotency', // the request marked in progress: a duplicate waits, a retry takes over
          'resource', // what the Create is making, before its call: a Delete can find and remove it
          'ownership', // who owns the store's one source: a rename may take it over, a second resource not
          'idempotency', // the SUCCESS stored: a repeated delivery re-sends it without a call
          'resource', // after the answer: settled, live with the properties applied
        ],
        s3: ['PUT'],
        total: 7,
      });
      expect(update && tally(update)).toEqual({
        verifiedPermissions: ['UpdateIdentitySource'],
        dynamoDb: [
          'idempotency', // in progress
          'resource', // moved on: an older request of the resource, delivered late, then changes nothing
          'resource', // read: what an earlier failed replacement made, to remove before going on
          'idempotency', // the SUCCESS stored
          'resource', // after the answer: live with the properties now applied
        ],
        s3: ['PUT'],
        total: 7,
      });
      expect(remove && tally(remove)).toEqual({
        verifiedPermissions: ['DeleteIdentitySource'],
        dynamoDb: [
          'idempotency', // in progress
          'ownership', // released: the resource owned it plainly (nothing to hand back), so it is deleted
          'resource', // the live source forgotten
          'resource', // given up: a late duplicate of an earlier request of the resource makes nothing
          'resource', // read: what a Create CloudFormation gave up on made, to remove (none here)
          'idempotency', // the SUCCESS stored
        ],
        s3: ['PUT'],
        total: 8,
      });
    }
  });
});
