import {
  CreateIdentitySourceCommand,
  DeleteIdentitySourceCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  UpdateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDb } from '../../../local/dynamodb.js';
import { letGo, remove, storeKeyOf } from '../../../src/identity-source/delete.js';
import type { ResourceDependencies, StackReader } from '../../../src/identity-source/resource.js';
import type { Target } from '../../../src/identity-source/service.js';
import {
  clientTokenFor,
  createUnconfirmedId,
  notCreatedId,
} from '../../../src/identity-source/translate.js';
import { OUTSIDE_OWNER } from '../../../src/persistence/ownership.js';
import type { Making } from '../../../src/persistence/resource-record.js';
import { resourceTable } from '../../../src/persistence/resource-table.js';
import { silentLog } from '../../fixtures/log.js';
import {
  EXISTING_PREVIOUS,
  resourceNamed,
  STORE,
  STORE_IS_FULL,
  useOwnership,
} from '../../fixtures/ownership.js';
import { recordsWith } from '../../fixtures/records.js';
import {
  cognitoProperties,
  deleteResource,
  IDENTITY_SOURCE_ID,
  POLICY_STORE_ID,
} from '../../fixtures/requests.js';

const REGION = 'eu-west-1';
const vp = mockClient(VerifiedPermissionsClient);
const client = new VerifiedPermissionsClient({ region: REGION });
const meta = { $metadata: {} };
beforeEach(() => vp.reset());

function deps(extra: Partial<Omit<ResourceDependencies, 'log'>> = {}) {
  const waits: number[] = [];
  const targets: Target[] = [];
  return {
    waits,
    targets,
    clients: async (target: Target) => {
      targets.push(target);
      return client;
    },
    workEndsAt: Date.now() + 10_000,
    log: silentLog(),
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    defaultRegion: REGION,
    functionAccountId: '123456789012',
    ...extra,
  };
}

const notFound = () =>
  new ResourceNotFoundException({
    message: 'gone',
    resourceType: 'IDENTITY_SOURCE',
    resourceId: 'x',
    $metadata: {},
  });

describe('remove', () => {
  it('deletes the identity source in its store and region, and forgets it as live', async () => {
    vp.on(DeleteIdentitySourceCommand).resolves(meta as never);
    const { records, released } = recordsWith(undefined);
    const d = deps({ records });
    const request = deleteResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ Region: 'eu-central-1' }),
    );
    expect(await remove(request, d)).toEqual({
      status: 'SUCCESS',
      physicalResourceId: IDENTITY_SOURCE_ID,
    });
    expect(vp).toHaveReceivedCommandWith(DeleteIdentitySourceCommand, {
      policyStoreId: POLICY_STORE_ID,
      identitySourceId: IDENTITY_SOURCE_ID,
    });
    expect(d.targets).toEqual([{ region: 'eu-central-1' }]);
    expect(released).toEqual([IDENTITY_SOURCE_ID]);
  });

  it('deletes with the role of its own properties', async () => {
    vp.on(DeleteIdentitySourceCommand).resolves(meta as never);
    const RoleArn = 'arn:aws:iam::111122223333:role/Manager';
    const d = deps();
    await remove(deleteResource(IDENTITY_SOURCE_ID, cognitoProperties({ RoleArn })), d);
    expect(d.targets).toEqual([{ region: REGION, roleArn: RoleArn }]);
  });

  it('deletes even when properties other than the location are invalid', async () => {
    vp.on(DeleteIdentitySourceCommand).resolves(meta as never);
    const request = deleteResource(IDENTITY_SOURCE_ID, {
      PolicyStoreId: POLICY_STORE_ID,
      Configuration: 'broken',
    });
    expect(await remove(request, deps())).toMatchObject({ status: 'SUCCESS' });
    expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 1);
  });

  it('answers FAILED, calling nothing, when PolicyStoreId is unusable', async () => {
    const request = deleteResource(IDENTITY_SOURCE_ID, { PolicyStoreId: 'no spaces allowed' });
    const answer = await remove(request, deps());
    expect(answer).toMatchObject({ status: 'FAILED', physicalResourceId: IDENTITY_SOURCE_ID });
    expect(answer.reason).toMatch(/^PolicyStoreId: /);
    expect(vp.calls()).toHaveLength(0);
  });

  it('counts a source already gone as done', async () => {
    vp.on(DeleteIdentitySourceCommand).rejects(notFound());
    const request = deleteResource(IDENTITY_SOURCE_ID, cognitoProperties());
    expect(await remove(request, deps())).toMatchObject({ status: 'SUCCESS' });
  });

  it('forgets a live source that is already gone too (its record would otherwise never expire)', async () => {
    vp.on(DeleteIdentitySourceCommand).rejects(notFound());
    const { records, released } = recordsWith(undefined);
    const request = deleteResource(IDENTITY_SOURCE_ID, cognitoProperties());
    expect(await remove(request, deps({ records }))).toMatchObject({ status: 'SUCCESS' });
    expect(released).toEqual([IDENTITY_SOURCE_ID]);
  });

  it('answers FAILED with the reason when the delete is refused', async () => {
    vp.on(DeleteIdentitySourceCommand).rejects(
      Object.assign(new Error('no'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const answer = await remove(deleteResource(IDENTITY_SOURCE_ID, cognitoProperties()), deps());
    expect(answer.status).toBe('FAILED');
    expect(answer.reason).toMatch(/^DeleteIdentitySource was denied in eu-west-1/);
  });

  it('records that CloudFormation gave up on the Create a NotCreated marker names, calling nothing', async () => {
    const { records, cancels } = recordsWith(undefined);
    const issuedAt = Date.parse('2026-12-01T10:00:00Z');
    const request = deleteResource(notCreatedId('r1'), {}, { issuedAt });
    expect(await remove(request, deps({ records }))).toEqual({
      status: 'SUCCESS',
      physicalResourceId: notCreatedId('r1'),
    });
    expect(cancels).toEqual([
      { gaveUp: { at: issuedAt, only: clientTokenFor('r1') }, given: false },
    ]);
    expect(vp.calls()).toHaveLength(0);
  });

  it('acknowledges a NotCreated marker without records, calling nothing', async () => {
    expect(await remove(deleteResource(notCreatedId('r1'), {}), deps())).toMatchObject({
      status: 'SUCCESS',
    });
    expect(vp.calls()).toHaveLength(0);
  });

  it('finds what an unconfirmed Create made by replaying its token, and deletes only that', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({
      identitySourceId: 'ISmadeByTimedOutCreate',
      ...meta,
    } as never);
    vp.on(DeleteIdentitySourceCommand).resolves(meta as never);
    const request = deleteResource(createUnconfirmedId('tok-9'), cognitoProperties());
    expect(await remove(request, deps())).toMatchObject({ status: 'SUCCESS' });
    expect(vp).toHaveReceivedCommandWith(CreateIdentitySourceCommand, { clientToken: 'tok-9' });
    expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 1);
    expect(vp).toHaveReceivedCommandWith(DeleteIdentitySourceCommand, {
      identitySourceId: 'ISmadeByTimedOutCreate',
      policyStoreId: POLICY_STORE_ID,
    });
  });

  it('deletes nothing when the replay meets another source in the store', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(
      new ServiceQuotaExceededException({
        message: 'quota',
        resourceType: 'IDENTITY_SOURCE',
        resourceId: 'x',
        $metadata: {},
      }),
    );
    const request = deleteResource(createUnconfirmedId('tok-9'), cognitoProperties());
    expect(await remove(request, deps())).toMatchObject({ status: 'SUCCESS' });
    expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 0);
  });

  it('gives up only on the Create a marker names', async () => {
    const other: Making = {
      state: 'answered',
      kind: 'create',
      requestId: 'other',
      region: REGION,
      input: { clientToken: 'other', policyStoreId: POLICY_STORE_ID, configuration: undefined },
      identitySourceId: 'ISlive',
    };
    const { records, cancels } = recordsWith(other);
    vp.on(CreateIdentitySourceCommand).rejects(STORE_IS_FULL);
    await remove(
      deleteResource(createUnconfirmedId('tok-9'), cognitoProperties()),
      deps({ records }),
    );
    expect(cancels).toEqual([{ gaveUp: expect.objectContaining({ only: 'tok-9' }), given: false }]);
    expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 0);
  });
});

describe('remove: cleaning up after a Create CloudFormation gave up on', () => {
  const making = (extra: Partial<Making> = {}): Making => ({
    state: 'in-flight',
    kind: 'create',
    requestId: 'create-1',
    region: REGION,
    input: { clientToken: 'create-1', policyStoreId: POLICY_STORE_ID, configuration: undefined },
    endsBy: Date.now() + 60_000,
    ...extra,
  });
  const madeUp = (issuedAt?: number) =>
    deleteResource(
      'arn:aws:cloudformation:made-up|IdentitySource|xyz',
      cognitoProperties(),
      issuedAt === undefined ? {} : { issuedAt },
    );

  it("records the Delete's own issue time as when CloudFormation gave up", async () => {
    const { records, cancels } = recordsWith(undefined);
    const issuedAt = Date.parse('2026-12-01T10:00:00Z');
    await remove(madeUp(issuedAt), deps({ records }));
    expect(cancels).toEqual([{ gaveUp: { at: issuedAt }, given: false }]);
  });

  it('deletes nothing without a record of the Create', async () => {
    const { records } = recordsWith(undefined);
    expect(await remove(madeUp(), deps({ records }))).toMatchObject({ status: 'SUCCESS' });
    expect(vp.calls()).toHaveLength(0);
  });

  it('never gives up on a Create CloudFormation took (answered), nor on one issued after the Delete', async () => {
    for (const found of [
      making({ state: 'answered', identitySourceId: 'ISlive' }),
      making({ issuedAt: Date.parse('2026-12-01T10:00:05Z') }),
    ]) {
      const { records, cancels } = recordsWith(found);
      await remove(madeUp(Date.parse('2026-12-01T10:00:00Z')), deps({ records }));
      expect(cancels.map((c) => c.given)).toEqual([false]);
    }
    expect(vp.calls()).toHaveLength(0);
  });

  it('gives up on a Create issued in the same second as the Delete', async () => {
    const { records, cancels } = recordsWith(
      making({
        state: 'failed',
        mayHaveTakenEffect: false,
        issuedAt: Date.parse('2026-12-01T10:00:00.900Z'),
      }),
    );
    await remove(madeUp(Date.parse('2026-12-01T10:00:00.100Z')), deps({ records }));
    expect(cancels.map((c) => c.given)).toEqual([true]);
    expect(vp.calls()).toHaveLength(0);
  });

  it('deletes the source a created but unanswered Create made', async () => {
    vp.on(DeleteIdentitySourceCommand).resolves(meta as never);
    const { records } = recordsWith(making({ state: 'created', identitySourceId: 'ISorphan' }));
    await remove(madeUp(), deps({ records }));
    expect(vp).toHaveReceivedCommandWith(DeleteIdentitySourceCommand, {
      policyStoreId: POLICY_STORE_ID,
      identitySourceId: 'ISorphan',
    });
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 0);
  });

  it('does not wait for a Create whose invocation has ended, and replays its token', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISorphan', ...meta } as never);
    vp.on(DeleteIdentitySourceCommand).resolves(meta as never);
    const ended = making({ endsBy: Date.now() - 1 });
    const { records } = recordsWith(ended, () => ({ ...ended, state: 'cancelled' }));
    const d = deps({ records });
    expect(await remove(madeUp(), d)).toMatchObject({ status: 'SUCCESS' });
    expect(d.waits).toEqual([]);
    expect(vp).toHaveReceivedCommandWith(CreateIdentitySourceCommand, { clientToken: 'create-1' });
    expect(vp).toHaveReceivedCommandWith(DeleteIdentitySourceCommand, {
      identitySourceId: 'ISorphan',
    });
  });

  it('waits for a Create that may still be running, until it has cleaned up', async () => {
    let reads = 0;
    const running = making();
    const { records } = recordsWith(running, () => ({
      ...running,
      state: ++reads < 3 ? 'cancelled' : 'cleaned',
    }));
    const d = deps({ records });
    expect(await remove(madeUp(), d)).toMatchObject({ status: 'SUCCESS' });
    expect(d.waits).toEqual([500, 500]);
    expect(vp.calls()).toHaveLength(0);
  });

  it('makes no call for a Create that failed without effect', async () => {
    const { records } = recordsWith(making({ state: 'failed', mayHaveTakenEffect: false }));
    await remove(madeUp(), deps({ records }));
    expect(vp.calls()).toHaveLength(0);
  });

  it('goes on without records that cannot be read', async () => {
    const { records } = recordsWith(undefined);
    const d = deps({
      records: {
        ...records,
        cancel: async () => {
          throw Object.assign(new Error('down'), { name: 'ResourceNotFoundException' });
        },
      },
    });
    expect(await remove(madeUp(), d)).toMatchObject({ status: 'SUCCESS' });
    expect(d.log.lines).toContainEqual(expect.objectContaining({ level: 'WARN', step: 'cancel' }));
  });

  it('treats a source id that is not found as one CloudFormation made up', async () => {
    vp.on(DeleteIdentitySourceCommand).rejects(notFound());
    const { records, cancels } = recordsWith(undefined);
    await remove(deleteResource(IDENTITY_SOURCE_ID, cognitoProperties()), deps({ records }));
    expect(cancels).toHaveLength(1);
  });
});

describe('remove: a NotCreated marker, on the resource table', () => {
  let dynamo: DynamoDbLocal;
  beforeAll(async () => {
    dynamo = await startDynamoDb();
  });
  afterAll(() => dynamo.stop());

  it('records that CloudFormation gave up on the Create it names with one write: a late delivery of it makes nothing', async () => {
    const records = resourceTable({ tableName: dynamo.tableName, client: dynamo.client });
    const issuedAt = Date.parse('2026-12-01T10:00:05Z');
    const request = deleteResource(notCreatedId('create-1'), cognitoProperties(), {
      logicalResourceId: 'Marked',
      issuedAt,
    });
    const before = dynamo.requests.length;
    expect(await remove(request, deps({ records }))).toMatchObject({ status: 'SUCCESS' });
    const writes = dynamo.requests
      .slice(before)
      .filter((r) => r.operation !== 'GetItem' && r.operation !== 'Query');
    expect(writes.map((r) => r.operation)).toEqual(['UpdateItem']);
    expect(vp.calls()).toHaveLength(0);
    const late = {
      kind: 'create' as const,
      requestId: 'create-1',
      region: REGION,
      input: {
        clientToken: clientTokenFor('create-1'),
        policyStoreId: POLICY_STORE_ID,
        configuration: undefined,
      },
      endsBy: Date.now() + 60_000,
      issuedAt: Date.parse('2026-12-01T10:00:00Z'),
    };
    expect(await records.begin(request.resource, late)).toBe('given-up');
  });
});

describe('letGo', () => {
  const table = useOwnership();
  beforeEach(() => {
    vp.on(DeleteIdentitySourceCommand).resolves({} as never);
    vp.on(UpdateIdentitySourceCommand).resolves({} as never);
  });

  const target = { region: REGION };
  const source = { policyStoreId: POLICY_STORE_ID, identitySourceId: 'IS1' };
  const [oldName, newName] = [resourceNamed('OldName'), resourceNamed('NewName')];
  const stackReading = (rollingBack: boolean | undefined) => {
    const asked: number[] = [];
    const stack: StackReader = {
      rollingBack: async (_stackId, timeoutMs) => {
        asked.push(timeoutMs);
        return rollingBack;
      },
      declares: async () => undefined,
    };
    return { stack, asked };
  };
  const ownDeps = (rollingBack?: boolean) =>
    deps({ ownership: table.ownership, stack: stackReading(rollingBack).stack });
  const takenOver = async (adopted: boolean) =>
    table.ownership.write(
      STORE,
      {
        identitySourceId: 'IS1',
        owner: newName,
        handBack: {
          ...(adopted ? {} : { from: oldName }),
          adopted,
          previous: EXISTING_PREVIOUS,
        },
      },
      undefined,
    );
  const handedBack = () => {
    expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 0);
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      ...source,
      updateConfiguration: EXISTING_PREVIOUS.configuration,
      principalEntityType: 'Old::User',
    });
  };

  it('deletes a source its resource plainly owns, and its record', async () => {
    await table.ownership.recordMade(STORE, 'IS1', newName);
    expect(await letGo(target, source, newName, ownDeps())).toBe('deleted');
    expect(vp).toHaveReceivedCommandWith(DeleteIdentitySourceCommand, source);
    expect(await table.ownership.read(STORE)).toBeUndefined();
  });

  it('deletes a source the provider knows no owner of, and any source without ownership records', async () => {
    expect(await letGo(target, source, newName, ownDeps())).toBe('deleted');
    expect(await letGo(target, source, newName, deps())).toBe('deleted');
    expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 2);
  });

  it("leaves a renamed resource's source to its new owner, completing the takeover", async () => {
    await takenOver(false);
    expect(await letGo(target, source, oldName, ownDeps())).toBe('left-to-owner');
    expect(vp.calls()).toHaveLength(0);
    const record = await table.ownership.read(STORE);
    expect(record).toMatchObject({ owner: newName });
    expect(record?.handBack).toBeUndefined();
    // from then on, the new owner's Delete deletes it
    expect(await letGo(target, source, newName, ownDeps())).toBe('deleted');
  });

  it('hands a rename back to the old resource when the stack rolls back', async () => {
    await takenOver(false);
    expect(await letGo(target, source, newName, ownDeps(true))).toBe('handed-back');
    handedBack();
    expect(await table.ownership.read(STORE)).toMatchObject({ owner: oldName });
    expect((await table.ownership.read(STORE))?.handBack).toBeUndefined();
  });

  it('deletes a renamed source whose new resource goes outside a rollback', async () => {
    await takenOver(false);
    expect(await letGo(target, source, newName, ownDeps(false))).toBe('deleted');
    expect(vp).toHaveReceivedCommandTimes(UpdateIdentitySourceCommand, 0);
    expect(await table.ownership.read(STORE)).toBeUndefined();
  });

  it('deletes an adopted source outside a rollback, asking with half the time left', async () => {
    await takenOver(true);
    const { stack, asked } = stackReading(false);
    const d = deps({ ownership: table.ownership, stack });
    expect(await letGo(target, source, newName, d)).toBe('deleted');
    expect(await table.ownership.read(STORE)).toBeUndefined();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toBeLessThanOrEqual(5_000);
    expect(asked[0]).toBeGreaterThan(4_000);
  });

  it('hands an adopted source back during a rollback, and when the status cannot be read', async () => {
    for (const rollingBack of [true, undefined]) {
      vp.reset();
      vp.on(UpdateIdentitySourceCommand).resolves({} as never);
      // the previous round's hand-back left the outside owner's record
      await table.ownership.write(STORE, undefined, await table.ownership.read(STORE));
      await takenOver(true);
      const d = ownDeps(rollingBack);
      expect(await letGo(target, source, newName, d)).toBe('handed-back');
      handedBack();
      // the record stays, naming the owner outside the provider: a repeated Delete leaves it
      expect(await table.ownership.read(STORE)).toMatchObject({
        identitySourceId: source.identitySourceId,
        owner: OUTSIDE_OWNER,
      });
      expect(await letGo(target, source, newName, d)).toBe('left-to-owner');
      if (rollingBack === undefined) {
        expect(d.log.lines.some((l) => l.level === 'WARN' && /status/.test(l.message))).toBe(true);
      }
    }
  });

  it('hands back a source taken by a request CloudFormation gave up on, without asking the stack', async () => {
    for (const adopted of [true, false]) {
      vp.reset();
      vp.on(UpdateIdentitySourceCommand).resolves({} as never);
      await table.ownership.write(STORE, undefined, await table.ownership.read(STORE));
      await takenOver(adopted);
      const { stack, asked } = stackReading(false);
      const d = deps({ ownership: table.ownership, stack });
      expect(await letGo(target, source, newName, d, { givenUp: true })).toBe('handed-back');
      handedBack();
      expect(asked).toEqual([]);
    }
  });

  it('hands back what a given-up Create took over when a Delete cleans up after it, the stack not rolling back', async () => {
    await takenOver(true);
    const { records } = recordsWith({
      state: 'created',
      kind: 'create',
      requestId: 'create-1',
      region: REGION,
      input: { clientToken: 'create-1', policyStoreId: POLICY_STORE_ID, configuration: undefined },
      identitySourceId: 'IS1',
    });
    const request = deleteResource('made|up|NewName', cognitoProperties(), {
      logicalResourceId: 'NewName',
    });
    const d = deps({ ownership: table.ownership, records, stack: stackReading(false).stack });
    expect(await remove(request, d)).toMatchObject({ status: 'SUCCESS' });
    handedBack();
  });

  it('finds a source an unconfirmed Create took over through its ownership record', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(STORE_IS_FULL);
    await takenOver(true);
    const request = {
      ...deleteResource(createUnconfirmedId('t'), cognitoProperties(), {
        logicalResourceId: 'NewName',
      }),
    };
    const d = deps({ ownership: table.ownership, stack: stackReading(true).stack });
    expect(await remove(request, d)).toMatchObject({ status: 'SUCCESS' });
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      ...source,
      updateConfiguration: EXISTING_PREVIOUS.configuration,
    });
    expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 0);
  });
});

describe('storeKeyOf', () => {
  it("keys a store by the role's account, or the function's own, its region and its id", async () => {
    const d = deps();
    expect(await storeKeyOf({ region: REGION }, POLICY_STORE_ID, d)).toEqual(STORE);
    expect(
      await storeKeyOf(
        { region: 'us-east-1', roleArn: 'arn:aws:iam::111122223333:role/R' },
        'PS2',
        d,
      ),
    ).toEqual({ accountId: '111122223333', region: 'us-east-1', policyStoreId: 'PS2' });
    expect(
      await storeKeyOf({ region: REGION }, 'PS3', { ...d, functionAccountId: undefined }),
    ).toMatchObject({ accountId: 'self' });
    expect(vp.calls()).toHaveLength(0);
  });
});
