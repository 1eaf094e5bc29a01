/**
 * One source per store, end to end: a renamed resource takes its source over in place, a
 * rollback hands it back; `AdoptExisting` takes over a source made outside this stack (the
 * native type's, created here straight at the double, or another stack's) and hands it back
 * during a rollback, which the provider reads from the CloudFormation API stand-in; without
 * `AdoptExisting` such a Create fails and writes nothing. What is asserted is what the double
 * holds and was sent, and what the stand-ins and dynalite recorded.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudFormationApi } from '../../local/cloudformation-api.js';
import { type Exchange, type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { cognitoProperties, oidcProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';

let stack: LocalStack;
let cloudFormation: CloudFormationApi;
let native: VerifiedPermissionsClient;
beforeAll(async () => {
  stack = await startLocalStack({ withCloudFormation: true });
  cloudFormation = stack.cloudFormation!;
  // what AWS::VerifiedPermissions::IdentitySource's handler would call, with its own key
  native = new VerifiedPermissionsClient({
    region: stack.region,
    endpoint: stack.verifiedPermissions.endpoint,
    credentials: { accessKeyId: 'AKIDNATIVETYPE', secretAccessKey: 'native-secret' },
  });
});
afterAll(async () => {
  expect(signatureLeaks(stack.logs)).toEqual([]);
  native?.destroy();
  await stack?.close();
});

/** A source made outside the provider (the native type's), as it lands at the service. */
const NATIVE_CONFIGURATION = {
  openIdConnectConfiguration: {
    issuer: 'https://native.example.com',
    entityIdPrefix: 'Native',
    tokenSelection: {
      identityTokenOnly: { clientIds: ['native-web'], principalIdClaim: 'sub' },
    },
  },
};
async function nativeSourceIn(store: string): Promise<string> {
  const made = await native.send(
    new CreateIdentitySourceCommand({
      policyStoreId: store,
      configuration: NATIVE_CONFIGURATION,
      principalEntityType: 'Native::User',
    }),
  );
  return made.identitySourceId!;
}

const sourcesIn = (store: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store);
/** What a hand-back must restore: the source's configuration and principal type. */
const stateOf = (store: string) =>
  sourcesIn(store).map(({ identitySourceId, configuration, principalEntityType }) => ({
    identitySourceId,
    configuration,
    principalEntityType,
  }));
const operations = (exchange: Exchange) => exchange.apiCalls.map((c) => c.operation);
/** The calls of a takeover: the Create meets the full store, finds its source, updates it. */
const TAKEOVER = ['CreateIdentitySource', 'ListIdentitySources', 'UpdateIdentitySource'];
/** Writes of ownership records (DynamoDB items `ownership#…`) during an exchange. */
const ownershipWrites = (exchange: Exchange) =>
  exchange.networkCalls.filter(
    (c) =>
      c.service === 'DynamoDB' && c.itemId?.startsWith('ownership#') && c.operation !== 'GetItem',
  );
const describeStacksOf = (exchange: Exchange) =>
  exchange.networkCalls.filter((c) => c.service === 'CloudFormation');
/** The function's WARN log lines during an exchange. */
const warningsOf = (exchange: Exchange) =>
  exchange.invocation.logs
    .map((line) => JSON.parse(line) as { level?: string; message?: string })
    .filter((line) => line.level === 'WARN')
    .map((line) => line.message);
const HANDED_BACK_UNREAD =
  "Could not read the stack's status: handing the adopted source back, not deleting it";
/** A Delete, with the DescribeStacks requests the CloudFormation stand-in answered meanwhile. */
async function removeReadingStatus(...args: Parameters<typeof remove>) {
  const before = cloudFormation.requests.length;
  const exchange = await succeeded(remove(...args));
  return { ...exchange, describeStacks: cloudFormation.requests.slice(before) };
}

const cognitoIn = (store: string, overrides: Record<string, unknown> = {}) =>
  cognitoProperties({ PolicyStoreId: store, ...overrides });
/** Other in-place properties than {@link cognitoIn}'s: an OIDC source. */
const oidcIn = (store: string, overrides: Record<string, unknown> = {}) =>
  oidcProperties({ PolicyStoreId: store, ...overrides });

function create(logicalId: string, properties: Record<string, unknown>, stackId?: string) {
  return stack.send({
    RequestType: 'Create',
    LogicalResourceId: logicalId,
    ResourceProperties: properties,
    ...(stackId !== undefined && { StackId: stackId }),
  });
}
function remove(
  logicalId: string,
  physicalId: string,
  properties: Record<string, unknown>,
  options: { stackId?: string; timeoutMs?: number } = {},
) {
  return stack.send(
    {
      RequestType: 'Delete',
      LogicalResourceId: logicalId,
      PhysicalResourceId: physicalId,
      ResourceProperties: properties,
      ...(options.stackId !== undefined && { StackId: options.stackId }),
    },
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
}
async function succeeded(exchange: Promise<Exchange>): Promise<Exchange & { id: string }> {
  const done = await exchange;
  expect(done.response?.Status, done.response?.Reason).toBe('SUCCESS');
  return { ...done, id: done.response!.PhysicalResourceId };
}

describe('rename: a Create for the same stack under another logical id', () => {
  it('takes the source over in place; the old resource’s cleanup Delete leaves it to the new one', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const old = await succeeded(create('RenameOld', cognitoIn(store)));

    const renamed = await succeeded(create('RenameNew', oidcIn(store)));
    expect(renamed.id).toBe(old.id);
    expect(operations(renamed)).toEqual(TAKEOVER);
    expect(stateOf(store)).toEqual([
      expect.objectContaining({
        identitySourceId: old.id,
        configuration: expect.objectContaining({ openIdConnectConfiguration: expect.anything() }),
      }),
    ]);
    const taken = stateOf(store);

    const cleanup = await succeeded(remove('RenameOld', old.id, cognitoIn(store)));
    expect(operations(cleanup)).toEqual([]);
    expect(stateOf(store)).toEqual(taken);

    // the new resource owns it outright now: its Delete deletes it, without asking the stack
    const gone = await succeeded(remove('RenameNew', old.id, oidcIn(store)));
    expect(operations(gone)).toEqual(['DeleteIdentitySource']);
    expect(describeStacksOf(gone)).toEqual([]);
    expect(sourcesIn(store)).toEqual([]);
  });

  it('hands the source back with the old configuration when the stack rolls back, never deleting it', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const old = await succeeded(create('RollbackOld', cognitoIn(store)));
    const before = stateOf(store);
    await succeeded(create('RollbackNew', oidcIn(store)));
    expect(stateOf(store)).not.toEqual(before);

    // the rollback: the new resource's Delete while the old one still exists
    cloudFormation.setStackStatus(stack.stackId, 'UPDATE_ROLLBACK_IN_PROGRESS');
    try {
      const rollback = await succeeded(remove('RollbackNew', old.id, oidcIn(store)));
      expect(operations(rollback)).toEqual(['UpdateIdentitySource']);
      expect(stateOf(store)).toEqual(before);
    } finally {
      cloudFormation.setStackStatus(stack.stackId, 'UPDATE_IN_PROGRESS');
    }

    // the old resource owns it again: its own Delete deletes it
    const gone = await succeeded(remove('RollbackOld', old.id, cognitoIn(store)));
    expect(operations(gone)).toEqual(['DeleteIdentitySource']);
    expect(sourcesIn(store)).toEqual([]);
  });

  it('a rename whose old resource is gone for good: the stack’s deletion deletes the source, never hands it to a resource that no longer exists', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const old = await succeeded(create('GoneOld', cognitoIn(store)));
    await succeeded(create('GoneNew', oidcIn(store)));
    // the old resource's cleanup Delete failed (CloudFormation ignores that): the rename's record
    // still names GoneOld; then the stack is deleted
    cloudFormation.setStackStatus(stack.stackId, 'DELETE_IN_PROGRESS');
    try {
      const gone = await succeeded(remove('GoneNew', old.id, oidcIn(store)));
      expect(operations(gone)).toEqual(['DeleteIdentitySource']);
      expect(sourcesIn(store)).toEqual([]);
    } finally {
      cloudFormation.setStackStatus(stack.stackId, 'UPDATE_IN_PROGRESS');
    }
  });

  it('two live resources of the stack never share the store’s one source: the second Create fails, naming the owner', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    await succeeded(create('FirstOwner', cognitoIn(store)));
    const before = stateOf(store);
    cloudFormation.setTemplateResources(stack.stackId, ['FirstOwner', 'SecondWanter']);
    try {
      const second = await create('SecondWanter', oidcIn(store));
      expect(second.response?.Status).toBe('FAILED');
      expect(second.response?.Reason).toMatch(/which resource FirstOwner of this stack owns/);
      expect(second.response?.PhysicalResourceId).toMatch(/^NotCreated:/);
      expect(stateOf(store)).toEqual(before);
    } finally {
      cloudFormation.setTemplateResources(stack.stackId, []);
    }
  });

  it('a rename cannot be told from a second resource when the template cannot be read: FAILED, nothing changed', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    await succeeded(create('UnreadOld', cognitoIn(store)));
    const before = stateOf(store);
    cloudFormation.setDown(true);
    try {
      const refused = await create('UnreadNew', oidcIn(store));
      expect(refused.response?.Status).toBe('FAILED');
      expect(refused.response?.Reason).toMatch(/template could not be read/);
      expect(stateOf(store)).toEqual(before);
    } finally {
      cloudFormation.setDown(false);
    }
  });
});

describe('a source this provider did not make for this stack', () => {
  it('without AdoptExisting: FAILED naming AdoptExisting, and nothing written', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    await nativeSourceIn(store);
    const before = stateOf(store);

    const refused = await create('NotAdopting', cognitoIn(store));
    expect(refused.response?.Status).toBe('FAILED');
    expect(refused.response?.Reason).toMatch(
      /^policy store \S+ already holds its one identity source/,
    );
    expect(refused.response?.Reason).toContain('AdoptExisting');
    expect(operations(refused)).not.toContain('UpdateIdentitySource');
    expect(operations(refused)).not.toContain('DeleteIdentitySource');
    expect(ownershipWrites(refused)).toEqual([]);
    expect(stateOf(store)).toEqual(before);

    // the Delete after the failed Create leaves the source alone
    const cleanup = await succeeded(
      remove('NotAdopting', refused.response!.PhysicalResourceId, cognitoIn(store)),
    );
    expect(operations(cleanup)).toEqual([]);
    expect(stateOf(store)).toEqual(before);
  });

  it('with AdoptExisting: takes the native source over; outside a rollback its Delete deletes it', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const nativeId = await nativeSourceIn(store);

    const adopted = await succeeded(create('Adopter', cognitoIn(store, { AdoptExisting: 'true' })));
    expect(adopted.id).toBe(nativeId);
    expect(adopted.response?.Data?.IdentitySourceId).toBe(nativeId);
    expect(operations(adopted)).toEqual(TAKEOVER);
    expect(stateOf(store)).toEqual([
      expect.objectContaining({
        identitySourceId: nativeId,
        principalEntityType: 'MyApp::User',
        configuration: { cognitoUserPoolConfiguration: expect.anything() },
      }),
    ]);

    cloudFormation.setStackStatus(stack.stackId, 'DELETE_IN_PROGRESS');
    const gone = await removeReadingStatus(
      'Adopter',
      nativeId,
      cognitoIn(store, { AdoptExisting: 'true' }),
    );
    // the stack's status, read once: its own StackId, in its region, with the function's own key
    expect(gone.describeStacks).toEqual([
      expect.objectContaining({
        action: 'DescribeStacks',
        params: expect.objectContaining({ StackName: stack.stackId }),
        region: stack.region,
        accessKeyId: stack.env.AWS_ACCESS_KEY_ID,
        status: 200,
      }),
    ]);
    expect(operations(gone)).toEqual(['DeleteIdentitySource']);
    expect(sourcesIn(store)).toEqual([]);
    expect(warningsOf(gone)).not.toContain(HANDED_BACK_UNREAD);
  });

  it.each(['UPDATE_ROLLBACK_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'])(
    'hands the adopted source back with its configuration before when the stack is in %s',
    async (status) => {
      const store = stack.verifiedPermissions.addPolicyStore();
      await nativeSourceIn(store);
      const before = stateOf(store);
      const logicalId = `AdoptThenRollback${status.split('_')[0]}`;
      const properties = cognitoIn(store, { AdoptExisting: true });
      const adopted = await succeeded(create(logicalId, properties));
      expect(stateOf(store)).not.toEqual(before);

      cloudFormation.setStackStatus(stack.stackId, status);
      const rollback = await removeReadingStatus(logicalId, adopted.id, properties);
      expect(rollback.describeStacks.map((r) => r.status)).toEqual([200]);
      expect(warningsOf(rollback)).not.toContain(HANDED_BACK_UNREAD);
      expect(operations(rollback)).toEqual(['UpdateIdentitySource']);
      expect(stateOf(store)).toEqual(before);

      // handed back to no one here: the provider forgot it, so taking it needs AdoptExisting again
      const again = await create(`${logicalId}Again`, cognitoIn(store));
      expect(again.response?.Status).toBe('FAILED');
      expect(again.response?.Reason).toContain('AdoptExisting');
    },
  );

  it.each([
    ['unreachable', () => cloudFormation.setDown(true)],
    ['too slow', () => cloudFormation.setDelay(10_000)],
  ])(
    'hands the adopted source back, with a warning, when the stack status is %s',
    async (how, breakIt) => {
      const store = stack.verifiedPermissions.addPolicyStore();
      await nativeSourceIn(store);
      const before = stateOf(store);
      const logicalId = `AdoptStatusUnknown${how === 'unreachable' ? 'Down' : 'Slow'}`;
      const properties = cognitoIn(store, { AdoptExisting: 'true' });
      const adopted = await succeeded(create(logicalId, properties));
      cloudFormation.setStackStatus(stack.stackId, 'DELETE_IN_PROGRESS');

      breakIt();
      try {
        // a short invocation, so that a slow DescribeStacks outlasts its share of the budget
        const unknown = await succeeded(
          remove(logicalId, adopted.id, properties, { timeoutMs: 6_000 }),
        );
        expect(operations(unknown)).toEqual(['UpdateIdentitySource']);
        expect(stateOf(store)).toEqual(before);
        expect(warningsOf(unknown)).toContain(HANDED_BACK_UNREAD);
      } finally {
        cloudFormation.setDown(false);
        cloudFormation.setDelay(0);
      }
    },
  );

  describe("another stack's source", () => {
    const otherStack = `arn:aws:cloudformation:${'eu-west-1'}:123456789012:stack/other-stack/${randomUUID()}`;

    it('is refused without AdoptExisting, naming its owner', async () => {
      const store = stack.verifiedPermissions.addPolicyStore();
      await succeeded(create('TheirSource', oidcIn(store), otherStack));
      const refused = await create('WantsTheirs', cognitoIn(store));
      expect(refused.response?.Status).toBe('FAILED');
      expect(refused.response?.Reason).toContain('TheirSource');
      expect(refused.response?.Reason).toContain('AdoptExisting');
      expect(ownershipWrites(refused)).toEqual([]);
    });

    it('is taken over with AdoptExisting; the other stack’s Delete then leaves it, ours deletes it', async () => {
      const store = stack.verifiedPermissions.addPolicyStore();
      const theirs = await succeeded(create('TheirKept', oidcIn(store), otherStack));
      const properties = cognitoIn(store, { AdoptExisting: 'true' });
      await succeeded(create('OursNow', properties));
      const taken = stateOf(store);

      const theirDelete = await succeeded(
        remove('TheirKept', theirs.id, oidcIn(store), { stackId: otherStack }),
      );
      expect(operations(theirDelete)).toEqual([]);
      expect(stateOf(store)).toEqual(taken);

      cloudFormation.setStackStatus(stack.stackId, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      const ours = await removeReadingStatus('OursNow', theirs.id, properties);
      expect(operations(ours)).toEqual(['DeleteIdentitySource']);
      expect(sourcesIn(store)).toEqual([]);
    });

    it('is handed back to the other stack’s resource during our rollback', async () => {
      const store = stack.verifiedPermissions.addPolicyStore();
      const theirs = await succeeded(create('TheirLent', oidcIn(store), otherStack));
      const before = stateOf(store);
      const properties = cognitoIn(store, { AdoptExisting: true });
      await succeeded(create('OursBriefly', properties));

      cloudFormation.setStackStatus(stack.stackId, 'UPDATE_ROLLBACK_IN_PROGRESS');
      const rollback = await removeReadingStatus('OursBriefly', theirs.id, properties);
      expect(rollback.describeStacks.map((r) => r.status)).toEqual([200]);
      expect(operations(rollback)).toEqual(['UpdateIdentitySource']);
      expect(stateOf(store)).toEqual(before);

      // theirs again, plainly: their Delete deletes it
      const theirDelete = await succeeded(
        remove('TheirLent', theirs.id, oidcIn(store), { stackId: otherStack }),
      );
      expect(operations(theirDelete)).toEqual(['DeleteIdentitySource']);
      expect(sourcesIn(store)).toEqual([]);
    });
  });
});

describe('AdoptExisting into an empty store', () => {
  it('is an ordinary Create: the resource made the source, so even a rollback deletes it', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const properties = cognitoIn(store, { AdoptExisting: 'true' });
    const made = await succeeded(create('AdoptNothing', properties));
    expect(operations(made)).toEqual(['CreateIdentitySource']);
    expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([made.id]);

    cloudFormation.setStackStatus(stack.stackId, 'ROLLBACK_IN_PROGRESS');
    const gone = await succeeded(remove('AdoptNothing', made.id, properties));
    expect(operations(gone)).toEqual(['DeleteIdentitySource']);
    expect(describeStacksOf(gone)).toEqual([]);
    expect(sourcesIn(store)).toEqual([]);
  });
});
