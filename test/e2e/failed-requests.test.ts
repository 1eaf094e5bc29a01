/**
 * What a failed request leaves behind, end to end (issue 15): once CloudFormation's answer to
 * the failure — its rollback, its cleanup, its deletion of the stack — has been answered, no
 * source is left that no stack knows, no other owner's source is left changed, and no live
 * source is deleted.
 *
 * - a replacement that answered FAILED while the service made its source anyway;
 * - a cleanup Delete of a replaced source that is already gone, while the replacement's record
 *   was never settled;
 * - a takeover (`AdoptExisting`) that answered FAILED while the service applied its update anyway;
 * - a late duplicate of a Create whose "not created" marker CloudFormation already rolled back;
 * - a rollback the resource's own stack does not show (its root stack's, a creation that failed);
 * - a request that never reached the service (a Region typo): nothing was sent, and it says so.
 *
 * Each test works in its own policy stores and, where the stack's status matters, its own stack
 * (the CloudFormation API stand-in answers for it). The service's slowness is the double's
 * `delay` fault: the request is answered late, and still takes effect.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateIdentitySourceCommand,
  DeleteIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudFormationApi } from '../../local/cloudformation-api.js';
import { type LambdaProcess, startLambdaProcess } from '../../local/lambda-process.js';
import {
  type Exchange,
  type LocalStack,
  type StackRequest,
  startLocalStack,
} from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';

let stack: LocalStack;
let cloudFormation: CloudFormationApi;
/** What another client (the native type's handler, an operator) calls, with its own key. */
let outside: VerifiedPermissionsClient;
/** Other execution environments started by a test, killed at the end. */
const environments: LambdaProcess[] = [];
beforeAll(async () => {
  stack = await startLocalStack({ withCloudFormation: true });
  cloudFormation = stack.cloudFormation!;
  outside = new VerifiedPermissionsClient({
    region: stack.region,
    endpoint: stack.verifiedPermissions.endpoint,
    credentials: { accessKeyId: 'AKIDOUTSIDE', secretAccessKey: 'outside-secret' },
  });
});
afterAll(async () => {
  expect(signatureLeaks(stack.logs)).toEqual([]);
  outside?.destroy();
  await Promise.all(environments.map((environment) => environment.close()));
  await stack?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(25);
  }
}
/** Waits into the next whole second: a URL signed after this has a later X-Amz-Date. */
const nextSecond = () => sleep(1000 - (Date.now() % 1000) + 20);

/** A stack of its own, in the local stack's region and account, known to the stand-in. */
function newStack(name: string, status = 'UPDATE_IN_PROGRESS'): string {
  const stackId = `arn:aws:cloudformation:${stack.region}:${stack.accountId}:stack/${name}/${randomUUID()}`;
  cloudFormation.setStackStatus(stackId, status);
  return stackId;
}

const cognitoIn = (store: string, overrides: Record<string, unknown> = {}) =>
  cognitoProperties({ PolicyStoreId: store, ...overrides });
const sourcesIn = (store: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store);
/** What a hand-back must restore: the source's configuration and principal type. */
const stateOf = (store: string) =>
  sourcesIn(store).map(({ identitySourceId, configuration, principalEntityType }) => ({
    identitySourceId,
    configuration,
    principalEntityType,
  }));
const operations = (exchange: Pick<Exchange, 'apiCalls'>) =>
  exchange.apiCalls.map((c) => c.operation);

/** The resource's record in the provider's table, as dynalite holds it. */
async function resourceRecord(logicalId: string) {
  const dynamo = stack.dynamo!;
  const { Item } = await dynamo.client.send(
    new GetItemCommand({
      TableName: dynamo.tableName,
      Key: { id: { S: `resource#${stack.stackId}#${logicalId}` } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** A source made outside the provider (the native type's), as it lands at the service. */
async function outsideSourceIn(store: string): Promise<string> {
  const made = await outside.send(
    new CreateIdentitySourceCommand({
      policyStoreId: store,
      configuration: {
        openIdConnectConfiguration: {
          issuer: 'https://native.example.com',
          entityIdPrefix: 'Native',
          tokenSelection: {
            identityTokenOnly: { clientIds: ['native-web'], principalIdClaim: 'sub' },
          },
        },
      },
      principalEntityType: 'Native::User',
    }),
  );
  return made.identitySourceId as string;
}

function create(
  logicalId: string,
  properties: Record<string, unknown>,
  options: { stackId?: string; timeoutMs?: number } = {},
) {
  return stack.send(
    {
      RequestType: 'Create',
      LogicalResourceId: logicalId,
      ResourceProperties: properties,
      ...(options.stackId !== undefined && { StackId: options.stackId }),
    },
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
}
function update(
  logicalId: string,
  physicalId: string,
  next: Record<string, unknown>,
  old: Record<string, unknown>,
  options: { timeoutMs?: number } = {},
) {
  return stack.send(
    {
      RequestType: 'Update',
      LogicalResourceId: logicalId,
      PhysicalResourceId: physicalId,
      ResourceProperties: next,
      OldResourceProperties: old,
    },
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
}
function remove(
  logicalId: string,
  physicalId: string,
  properties: Record<string, unknown>,
  stackId?: string,
) {
  return stack.send({
    RequestType: 'Delete',
    LogicalResourceId: logicalId,
    PhysicalResourceId: physicalId,
    ResourceProperties: properties,
    ...(stackId !== undefined && { StackId: stackId }),
  });
}
async function succeeded(exchange: Promise<Exchange>): Promise<Exchange & { id: string }> {
  const done = await exchange;
  expect(done.response?.Status, done.response?.Reason).toBe('SUCCESS');
  return { ...done, id: done.response!.PhysicalResourceId };
}

/**
 * A request whose Verified Permissions call outlasts its time budget: a 6 s invocation (its
 * work ends about 4.8 s in), and the service answers the call 8 s after it arrives — and then
 * applies it.
 */
const SHORT_INVOCATION_MS = 6_000;
const PAST_THE_BUDGET_MS = 8_000;

describe('a replacement that answered FAILED', () => {
  it('leaves no source in the new store once its rollback is answered, though the service made one', async () => {
    const home = stack.verifiedPermissions.addPolicyStore();
    const away = stack.verifiedPermissions.addPolicyStore();
    const first = await succeeded(create('Moved', cognitoIn(home)));

    stack.verifiedPermissions.delayNext('CreateIdentitySource', PAST_THE_BUDGET_MS);
    const failed = await update('Moved', first.id, cognitoIn(away), cognitoIn(home), {
      timeoutMs: SHORT_INVOCATION_MS,
    });
    expect(failed.invocation.timedOut).toBe(false);
    expect(failed.response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: first.id });
    expect(failed.response?.Reason).toMatch(/CreateIdentitySource/);
    // the service makes the new source anyway, once its slow request completes
    await until(() => sourcesIn(away).length === 1);

    // CloudFormation rolls the update back: old and new swapped, the old physical id
    const rollback = await update('Moved', first.id, cognitoIn(home), cognitoIn(away));
    expect(rollback.response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: first.id });
    expect(sourcesIn(away)).toEqual([]);
    expect(sourcesIn(home).map((s) => s.identitySourceId)).toEqual([first.id]);

    // the resource is whole again: its Delete removes its one source
    await succeeded(remove('Moved', first.id, cognitoIn(home)));
    expect(sourcesIn(home)).toEqual([]);
  }, 60_000);
});

describe('a cleanup Delete of a replaced source that is already gone', () => {
  it('never deletes the live replacement, even when the replacement’s record never settled', async () => {
    const home = stack.verifiedPermissions.addPolicyStore();
    const away = stack.verifiedPermissions.addPolicyStore();
    const first = await succeeded(create('Replaced', cognitoIn(home)));

    // The replacement succeeds, but everything it writes to the table after its call is lost:
    // DynamoDB goes down while CreateIdentitySource is answered late.
    const dynamo = stack.dynamo!;
    stack.verifiedPermissions.delayNext('CreateIdentitySource', 2_000);
    const replacing = update('Replaced', first.id, cognitoIn(away), cognitoIn(home));
    let replacement: Exchange & { id: string };
    try {
      await until(() =>
        stack.verifiedPermissions.requests.some(
          (r) =>
            r.operation === 'CreateIdentitySource' &&
            (r.body as { policyStoreId?: string })?.policyStoreId === away,
        ),
      );
      dynamo.setDown(true);
      replacement = await succeeded(replacing);
    } finally {
      dynamo.setDown(false);
    }
    expect(replacement.id).not.toBe(first.id);
    expect(sourcesIn(away).map((s) => s.identitySourceId)).toEqual([replacement.id]);

    // the old source is gone already (removed by hand, or by an earlier cleanup attempt)
    await outside.send(
      new DeleteIdentitySourceCommand({ policyStoreId: home, identitySourceId: first.id }),
    );

    const cleanup = await succeeded(remove('Replaced', first.id, cognitoIn(home)));
    const deletedIds = cleanup.apiCalls
      .filter((c) => c.operation === 'DeleteIdentitySource')
      .map((c) => (c.body as { identitySourceId?: string }).identitySourceId);
    expect(deletedIds).not.toContain(replacement.id);
    expect(sourcesIn(away).map((s) => s.identitySourceId)).toEqual([replacement.id]);
    // what made this case: the resource's record still shows the replacement as making,
    // never settled — and the cleanup left it so
    expect(await resourceRecord('Replaced')).toMatchObject({
      requestId: { S: replacement.event.RequestId },
      state: { S: 'in-flight' },
    });
  }, 60_000);
});

describe('a takeover (AdoptExisting) that answered FAILED', () => {
  /**
   * Adopts a source made outside the provider, in a stack of its own, with an
   * UpdateIdentitySource the service applies only after the Create gave up on it.
   */
  async function failedAdoption(logicalId: string, stackId: string) {
    const store = stack.verifiedPermissions.addPolicyStore();
    await outsideSourceIn(store);
    const before = stateOf(store);
    const properties = cognitoIn(store, { AdoptExisting: true });

    stack.verifiedPermissions.delayNext('UpdateIdentitySource', PAST_THE_BUDGET_MS);
    const failed = await create(logicalId, properties, {
      stackId,
      timeoutMs: SHORT_INVOCATION_MS,
    });
    expect(failed.invocation.timedOut).toBe(false);
    expect(failed.response?.Status).toBe('FAILED');
    expect(failed.response?.PhysicalResourceId).toMatch(/^CreateUnconfirmed:/);
    // the service applies the takeover's update after all
    await until(() => sourcesIn(store)[0]?.principalEntityType === 'MyApp::User');
    expect(stateOf(store)).not.toEqual(before);
    return { store, before, properties, marker: failed.response!.PhysicalResourceId };
  }

  it('is handed back as its owner had it when the stack rolls back', async () => {
    const stackId = newStack('adopt-rollback', 'CREATE_IN_PROGRESS');
    const { store, before, properties, marker } = await failedAdoption('AdoptSlow', stackId);

    cloudFormation.setStackStatus(stackId, 'ROLLBACK_IN_PROGRESS');
    const rollback = await succeeded(remove('AdoptSlow', marker, properties, stackId));
    expect(operations(rollback)).not.toContain('DeleteIdentitySource');
    expect(stateOf(store)).toEqual(before);
  }, 60_000);

  it('is handed back, never deleted, when the stack does not roll back (DisableRollback) and is deleted later', async () => {
    const stackId = newStack('adopt-kept', 'CREATE_IN_PROGRESS');
    const { store, before, properties, marker } = await failedAdoption('AdoptKept', stackId);

    cloudFormation.setStackStatus(stackId, 'CREATE_FAILED');
    // later, the failed stack is deleted: no rollback, a plain deletion
    cloudFormation.setStackStatus(stackId, 'DELETE_IN_PROGRESS');
    const deletion = await succeeded(remove('AdoptKept', marker, properties, stackId));
    expect(operations(deletion)).not.toContain('DeleteIdentitySource');
    expect(stateOf(store)).toEqual(before);
  }, 60_000);
});

describe('a rename that answered FAILED', () => {
  it('hands the source back to the old resource as it had it, which then owns it again', async () => {
    const stackId = newStack('rename-rollback');
    const store = stack.verifiedPermissions.addPolicyStore();
    const old = await succeeded(create('RenamedFrom', cognitoIn(store), { stackId }));
    const before = stateOf(store);
    // the template moves to RenamedTo only: the old logical id is gone, so this is a rename
    cloudFormation.setTemplateResources(stackId, ['RenamedTo']);
    const renamed = cognitoIn(store, { PrincipalEntityType: 'MyApp::Renamed' });

    stack.verifiedPermissions.delayNext('UpdateIdentitySource', PAST_THE_BUDGET_MS);
    const failed = await create('RenamedTo', renamed, { stackId, timeoutMs: SHORT_INVOCATION_MS });
    expect(failed.response?.Status).toBe('FAILED');
    expect(failed.response?.PhysicalResourceId).toMatch(/^CreateUnconfirmed:/);
    await until(() => sourcesIn(store)[0]?.principalEntityType === 'MyApp::Renamed');

    cloudFormation.setStackStatus(stackId, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const rollback = await succeeded(
      remove('RenamedTo', failed.response!.PhysicalResourceId, renamed, stackId),
    );
    expect(operations(rollback)).not.toContain('DeleteIdentitySource');
    expect(stateOf(store)).toEqual(before);

    // the old resource owns it again: the stack's deletion later deletes it
    cloudFormation.setStackStatus(stackId, 'DELETE_IN_PROGRESS');
    const gone = await succeeded(remove('RenamedFrom', old.id, cognitoIn(store), stackId));
    expect(operations(gone)).toEqual(['DeleteIdentitySource']);
    expect(sourcesIn(store)).toEqual([]);
  }, 60_000);
});

describe('a late duplicate of a Create whose marker was rolled back', () => {
  it('makes nothing; a retried deployment (same RequestId, a fresh ResponseURL) still creates', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const request: StackRequest = {
      RequestType: 'Create',
      LogicalResourceId: 'Denied',
      ResourceProperties: cognitoIn(store),
    };
    const event = await stack.event(request);
    stack.verifiedPermissions.failNext('CreateIdentitySource', {
      errorType: 'AccessDeniedException',
    });
    await stack.lambda.invoke(event);
    const denied = await stack.responseTo(event);
    expect(denied?.Status).toBe('FAILED');
    const marker = denied?.PhysicalResourceId as string;
    expect(marker).toMatch(/^NotCreated:/);

    const rollback = await succeeded(remove('Denied', marker, cognitoIn(store)));
    expect(operations(rollback)).toEqual([]);

    // Lambda delivers the Create once more (at least once): same RequestId, same ResponseURL
    const before = stack.verifiedPermissions.requests.length;
    await stack.lambda.invoke(event);
    const duplicateCalls = stack.verifiedPermissions.requests.slice(before);
    expect(
      duplicateCalls.filter((c) => c.operation === 'CreateIdentitySource' && c.status === 200),
    ).toEqual([]);
    expect(sourcesIn(store)).toEqual([]);

    // the deployment retried: CloudFormation reuses the RequestId with a freshly signed URL
    await nextSecond();
    const retried = await succeeded(stack.send({ ...request, RequestId: String(event.RequestId) }));
    expect(operations(retried)).toEqual(['CreateIdentitySource']);
    expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([retried.id]);
  });
});

describe('a rollback the resource’s own stack does not show', () => {
  /** A source made outside the provider, adopted by a resource of `stackId`. */
  async function adoptedIn(stackId: string, logicalId: string) {
    const store = stack.verifiedPermissions.addPolicyStore();
    await outsideSourceIn(store);
    const before = stateOf(store);
    const properties = cognitoIn(store, { AdoptExisting: true });
    const adopted = await succeeded(create(logicalId, properties, { stackId }));
    expect(stateOf(store)).not.toEqual(before);
    return { store, before, properties, id: adopted.id };
  }

  it('a nested stack deleted by its root stack’s rollback (RootId): handed back, not deleted', async () => {
    const root = newStack('root', 'UPDATE_IN_PROGRESS');
    const nested = newStack('root-Nested-ABC123', 'CREATE_IN_PROGRESS');
    const { store, before, properties, id } = await adoptedIn(nested, 'NestedAdopter');

    cloudFormation.setStackStatus(root, 'UPDATE_ROLLBACK_IN_PROGRESS');
    cloudFormation.setStackStatus(nested, 'DELETE_IN_PROGRESS', { rootId: root });
    const gone = await succeeded(remove('NestedAdopter', id, properties, nested));
    expect(operations(gone)).toEqual(['UpdateIdentitySource']);
    expect(stateOf(store)).toEqual(before);
  });

  it('a stack whose creation failed, deleted for it (OnFailure=DELETE): handed back, not deleted', async () => {
    const stackId = newStack('on-failure-delete', 'CREATE_IN_PROGRESS');
    const { store, before, properties, id } = await adoptedIn(stackId, 'FailedStackAdopter');

    cloudFormation.setStackStatus(stackId, 'DELETE_IN_PROGRESS', {
      reason: 'The following resource(s) failed to create: [Broken]. ',
    });
    const gone = await succeeded(remove('FailedStackAdopter', id, properties, stackId));
    expect(operations(gone)).toEqual(['UpdateIdentitySource']);
    expect(stateOf(store)).toEqual(before);
  });

  it('a plain stack deletion (no root, no failed creation) deletes the adopted source', async () => {
    const root = newStack('plain-root', 'UPDATE_COMPLETE');
    const stackId = newStack('plain-deletion', 'CREATE_IN_PROGRESS');
    const { store, properties, id } = await adoptedIn(stackId, 'PlainAdopter');

    // the root stack is not rolling back, and the stack gives no failed creation as its reason
    cloudFormation.setStackStatus(stackId, 'DELETE_IN_PROGRESS', {
      reason: 'User Initiated',
      rootId: root,
    });
    const gone = await succeeded(remove('PlainAdopter', id, properties, stackId));
    expect(operations(gone)).toEqual(['DeleteIdentitySource']);
    expect(sourcesIn(store)).toEqual([]);
  });
});

describe('a request that never reached the service', () => {
  /** A loopback port nobody listens on: connections to it are refused. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  it('Region typo: FAILED well before its budget, nothing sent, a marker whose Delete calls nothing', async () => {
    const refused = await startLambdaProcess({
      env: {
        ...stack.env,
        AWS_ENDPOINT_URL_VERIFIEDPERMISSIONS: `http://127.0.0.1:${await closedPort()}`,
      },
    });
    environments.push(refused);
    const store = stack.verifiedPermissions.addPolicyStore();
    const properties = cognitoIn(store, { Region: 'us-eest-1' });
    const event = await stack.event({
      RequestType: 'Create',
      LogicalResourceId: 'Typo',
      ResourceProperties: properties,
    });
    // a two-minute budget: never-sent is known at once, and retried only briefly
    const budgetMs = 120_000;
    const invocation = await refused.invoke(event, { timeoutMs: budgetMs });
    const failed = await stack.responseTo(event);
    expect(invocation.timedOut).toBe(false);
    expect(invocation.durationMs).toBeLessThan(budgetMs / 4);
    expect(failed?.Status).toBe('FAILED');
    expect(failed?.PhysicalResourceId).toMatch(/^NotCreated:/);
    expect(failed?.Reason).toContain('us-eest-1');
    expect(failed?.Reason).toMatch(/nothing was sent/);

    // The rollback's Delete, in the same broken environment: answered at once
    const marker = failed?.PhysicalResourceId as string;
    const deleteOf = () =>
      stack.event({
        RequestType: 'Delete',
        LogicalResourceId: 'Typo',
        PhysicalResourceId: marker,
        ResourceProperties: properties,
      });
    const rollback = await deleteOf();
    const deleted = await refused.invoke(rollback, { timeoutMs: budgetMs });
    expect(await stack.responseTo(rollback)).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: marker,
    });
    // it tried no call: each attempt is logged, and a refused one is retried for seconds
    expect(deleted.logs.filter((line) => line.includes('"message":"API call'))).toEqual([]);
    expect(deleted.durationMs).toBeLessThan(8_000);

    // Delivered where every call is seen (CloudFormation retries a Delete as a new request):
    // not one Verified Permissions request
    const seen = await succeeded(remove('Typo', marker, properties));
    expect(seen.apiCalls).toEqual([]);
    expect(sourcesIn(store)).toEqual([]);
  }, 180_000);
});
