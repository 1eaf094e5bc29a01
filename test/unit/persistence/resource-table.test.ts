import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDb } from '../../../local/dynamodb.js';
import type { Making, ResourceRecords } from '../../../src/persistence/resource-record.js';
import { resourceTable } from '../../../src/persistence/resource-table.js';

let dynamo: DynamoDbLocal;
let records: ResourceRecords;
beforeAll(async () => {
  dynamo = await startDynamoDb();
  records = resourceTable({ tableName: dynamo.tableName, client: dynamo.client });
});
afterAll(() => dynamo.stop());

let n = 0;
const key = () => ({
  stackId: 'arn:aws:cloudformation:eu-west-1:1:stack/s/1',
  logicalResourceId: `R${++n}`,
});
const input = {
  clientToken: 'tok',
  policyStoreId: 'PS1',
  configuration: { cognitoUserPoolConfiguration: { userPoolArn: 'arn' } },
};
const any = () => true;
const unanswered = (m: Making) => m.state !== 'answered';
const making = (requestId: string, extra: Partial<Making> = {}) => ({
  kind: 'create' as const,
  requestId,
  region: 'eu-west-1',
  input,
  endsBy: 1_000,
  ...extra,
});
const live = (identitySourceId: string) => ({
  identitySourceId,
  policyStoreId: 'PS1',
  region: 'eu-west-1',
  properties: { PolicyStoreId: 'PS1' },
  appliedAt: '2026-12-01T10:00:00.000Z',
});

describe('resource records on DynamoDB (dynalite)', () => {
  it('records a Create from begin to answered, live with what it applied', async () => {
    const k = key();
    await records.begin(k, making('r1'));
    expect(await records.read(k)).toEqual({
      making: {
        state: 'in-flight',
        kind: 'create',
        requestId: 'r1',
        region: 'eu-west-1',
        input,
        endsBy: 1_000,
      },
    });
    expect(
      await records.settle(k, 'r1', { identitySourceId: 'IS1', answered: true, live: live('IS1') }),
    ).toBe('recorded');
    expect(await records.read(k)).toMatchObject({
      making: { state: 'answered', identitySourceId: 'IS1' },
      live: live('IS1'),
    });
    // a Delete without the id leaves an answered (live) source alone
    expect(await records.cancel(k, { at: 1_000 }, unanswered)).toBeUndefined();
    expect((await records.read(k))?.making?.state).toBe('answered');
  });

  it('lets a Delete cancel a running Create, which then learns it was cancelled', async () => {
    const k = key();
    await records.begin(k, making('r1'));
    expect(await records.cancel(k, { at: 1_000 }, any)).toMatchObject({
      state: 'in-flight',
      requestId: 'r1',
    });
    expect(await records.settle(k, 'r1', { identitySourceId: 'IS1', answered: true })).toBe(
      'cancelled',
    );
    await records.closeCancelled(k, 'r1', 'cleaned');
    expect((await records.read(k))?.making).toMatchObject({
      state: 'cleaned',
      cancelledFrom: 'in-flight',
    });
    // cancelling again finds it cleaned: nothing more to do
    expect(await records.cancel(k, { at: 2_000 }, any)).toMatchObject({ state: 'cleaned' });
  });

  it('records that a cancelled request finished without cleaning up', async () => {
    const k = key();
    await records.begin(k, making('r1'));
    await records.cancel(k, { at: 1_000 }, any);
    await records.closeCancelled(k, 'r1', 'finished');
    expect((await records.read(k))?.making).toMatchObject({
      state: 'cancelled',
      createFinished: true,
    });
  });

  it('cancels a created but unanswered Create, returning its id', async () => {
    const k = key();
    await records.begin(k, making('r1'));
    await records.settle(k, 'r1', { identitySourceId: 'IS9', answered: false });
    expect(await records.cancel(k, { at: 1_000 }, unanswered)).toMatchObject({
      state: 'created',
      identitySourceId: 'IS9',
    });
    // a repeated delivery answering it now is too late: it stays cancelled
    expect(await records.settle(k, 'r1', { identitySourceId: 'IS9', answered: true })).toBe(
      'cancelled',
    );
    expect((await records.read(k))?.making?.state).toBe('cancelled');
  });

  it('marks a Create answered on a repeated delivery after its first answer was lost', async () => {
    const k = key();
    await records.begin(k, making('r1'));
    await records.settle(k, 'r1', { identitySourceId: 'IS7', answered: false });
    await records.settle(k, 'r1', { identitySourceId: 'IS7', answered: true });
    expect((await records.read(k))?.making?.state).toBe('answered');
  });

  it('ignores settlements of an older request once a newer one began', async () => {
    const k = key();
    await records.begin(k, making('old'));
    await records.begin(k, making('new', { kind: 'replacement' }));
    expect(await records.settle(k, 'old', { failed: true, mayHaveTakenEffect: true })).toBe(
      'recorded',
    );
    expect((await records.read(k))?.making).toMatchObject({
      state: 'in-flight',
      requestId: 'new',
      kind: 'replacement',
    });
  });

  it('records a failed request and whether it may have made something', async () => {
    const k = key();
    await records.begin(k, making('r1'));
    await records.settle(k, 'r1', { failed: true, mayHaveTakenEffect: true });
    expect((await records.read(k))?.making).toMatchObject({
      state: 'failed',
      mayHaveTakenEffect: true,
    });
  });

  it('knows nothing of a resource never created', async () => {
    const k = key();
    expect(await records.cancel(k, { at: 1_000, ifFound: true }, any)).toBeUndefined();
    expect(await records.read(k)).toBeUndefined();
  });

  it('cancels only what `given` selects', async () => {
    const k = key();
    await records.begin(k, making('r1'));
    expect(await records.cancel(k, { at: 1_000 }, (m) => m.kind === 'replacement')).toBeUndefined();
    expect((await records.read(k))?.making?.state).toBe('in-flight');
  });

  const at = (iso: string) => Date.parse(iso);
  const issued = (requestId: string, issuedAt?: number, clientToken = 'tok') =>
    making(requestId, {
      input: { ...input, clientToken },
      ...(issuedAt !== undefined && { issuedAt }),
    });

  it('refuses a request issued before CloudFormation gave up on the resource, or in the same second', async () => {
    const k = key();
    expect(await records.cancel(k, { at: at('2026-12-01T10:00:05Z') }, any)).toBeUndefined();
    expect(await records.read(k)).toEqual({});
    expect(await records.begin(k, issued('stale', at('2026-12-01T10:00:00Z')))).toBe('given-up');
    expect(await records.begin(k, issued('same', at('2026-12-01T10:00:05.900Z')))).toBe('given-up');
    expect((await records.read(k))?.making).toBeUndefined();
    // a request issued after the Delete is a new, legitimate one
    expect(await records.begin(k, issued('new', at('2026-12-01T10:00:06Z')))).toBe('begun');
    expect((await records.read(k))?.making).toMatchObject({ state: 'in-flight', requestId: 'new' });
  });

  it('records that CloudFormation gave up only when something was found, if asked so (an Update)', async () => {
    const k = key();
    const gaveUp = { at: at('2026-12-01T10:00:05Z'), ifFound: true };
    expect(await records.cancel(k, gaveUp, any)).toBeUndefined();
    expect(await records.begin(k, issued('earlier', at('2026-12-01T10:00:00Z')))).toBe('begun');
    // now there is something: it is cancelled, and the time recorded
    expect(await records.cancel(k, gaveUp, any)).toMatchObject({ requestId: 'earlier' });
    expect(await records.begin(k, issued('late', at('2026-12-01T10:00:01Z')))).toBe('given-up');
  });

  it('gives up only on the Create of one clientToken when a marker names it', async () => {
    const k = key();
    const gaveUp = { at: at('2026-12-01T10:00:05Z'), only: 'tok-a' };
    expect(await records.cancel(k, gaveUp, any)).toBeUndefined();
    // the named Create, delivered late, makes nothing; another request issued before still may
    expect(await records.begin(k, issued('a', at('2026-12-01T10:00:00Z'), 'tok-a'))).toBe(
      'given-up',
    );
    expect(await records.begin(k, issued('b', at('2026-12-01T10:00:00Z'), 'tok-b'))).toBe('begun');
    expect(await records.begin(k, issued('a2', at('2026-12-01T10:00:06Z'), 'tok-a'))).toBe('begun');
  });

  it('keeps the latest time CloudFormation gave up, and a fresh making request each time', async () => {
    const k = key();
    await records.cancel(k, { at: at('2026-12-01T10:00:10Z') }, any);
    await records.cancel(k, { at: at('2026-12-01T10:00:02Z') }, any);
    expect(await records.begin(k, issued('r', at('2026-12-01T10:00:05Z')))).toBe('given-up');
    expect(await records.begin(k, issued('r1', at('2026-12-01T10:00:11Z')))).toBe('begun');
    await records.settle(k, 'r1', { identitySourceId: 'IS1', answered: false });
    expect(await records.cancel(k, { at: at('2026-12-01T10:00:20Z') }, any)).toMatchObject({
      state: 'created',
    });
    // a later request starts from a clean record: nothing of the cancelled one is left
    expect(await records.begin(k, issued('r2', at('2026-12-01T10:00:21Z')))).toBe('begun');
    expect((await records.read(k))?.making).toEqual({
      state: 'in-flight',
      kind: 'create',
      requestId: 'r2',
      region: 'eu-west-1',
      input,
      endsBy: 1_000,
      issuedAt: at('2026-12-01T10:00:21Z'),
    });
  });

  it('begins a request whose issue time is unknown', async () => {
    const k = key();
    await records.cancel(k, { at: Date.now() }, any);
    expect(await records.begin(k, making('r'))).toBe('begun');
  });

  it('keeps the live source apart from the making request, and forgets it only when it is that one', async () => {
    const k = key();
    await records.applied(k, live('IS1'));
    expect(await records.read(k)).toEqual({ live: live('IS1') });
    await records.begin(k, making('r2', { kind: 'replacement' }));
    expect(await records.read(k)).toMatchObject({
      making: { requestId: 'r2' },
      live: live('IS1'),
    });
    await records.released(k, 'ISother');
    expect((await records.read(k))?.live).toEqual(live('IS1'));
    await records.released(k, 'IS1');
    expect((await records.read(k))?.live).toBeUndefined();
    expect((await records.read(k))?.making).toMatchObject({ requestId: 'r2' });
    // releasing what is not there is no error
    await records.released(key(), 'IS1');
  });
});
