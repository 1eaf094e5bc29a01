/**
 * Verified Permissions is eventually consistent: an identity source made moments ago may answer
 * "not found". A rollback Delete that follows its Create at once (another resource of the stack
 * failed) must still delete it — never take "not visible yet" for "already gone" and leave a
 * source no stack knows. The double hides each new source for 4 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ verifiedPermissions: { identitySourceVisibleAfterMs: 4_000 } });
}, 60_000);
afterAll(async () => {
  expect(signatureLeaks(stack.logs)).toEqual([]);
  await stack?.close();
});

const sourcesIn = (store: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store);

describe('a Delete right after its Create, while the new source is not visible yet', () => {
  it('waits for it to become visible and deletes it: no source left', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const properties = cognitoProperties({ PolicyStoreId: store });
    const made = await stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'Quick',
      ResourceProperties: properties,
    });
    expect(made.response?.Status).toBe('SUCCESS');
    const id = made.response?.PhysicalResourceId as string;

    const deleted = await stack.send({
      RequestType: 'Delete',
      LogicalResourceId: 'Quick',
      PhysicalResourceId: id,
      ResourceProperties: properties,
    });
    expect(deleted.response?.Status).toBe('SUCCESS');
    const deletes = deleted.apiCalls.filter((c) => c.operation === 'DeleteIdentitySource');
    // at least one "not found" while it was invisible, then the delete that took effect
    expect(deletes.length).toBeGreaterThan(1);
    expect(deletes.at(-1)?.status).toBe(200);
    expect(sourcesIn(store)).toEqual([]);
  });

  it('a source deleted long ago is acknowledged at once, without waiting', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const properties = cognitoProperties({ PolicyStoreId: store });
    // a Delete of an id this resource never made: nothing to wait for, one call
    const deleted = await stack.send({
      RequestType: 'Delete',
      LogicalResourceId: 'NeverMade',
      PhysicalResourceId: 'ISnevermade0000000000x',
      ResourceProperties: properties,
    });
    expect(deleted.response?.Status).toBe('SUCCESS');
    expect(deleted.apiCalls.filter((c) => c.operation === 'DeleteIdentitySource')).toHaveLength(1);
  });
});
