import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDb } from '../../../local/dynamodb.js';
import type { CreateJournal } from '../../../src/persistence/create-journal.js';
import { createJournalTable } from '../../../src/persistence/create-journal-table.js';

let dynamo: DynamoDbLocal;
let journal: CreateJournal;
beforeAll(async () => {
  dynamo = await startDynamoDb();
  journal = createJournalTable({ tableName: dynamo.tableName, client: dynamo.client });
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

describe('create journal on DynamoDB (dynalite)', () => {
  it('records a Create from begin to answered', async () => {
    const k = key();
    await journal.begin(k, { requestId: 'r1', region: 'eu-west-1', input, endsBy: 1_000 });
    expect(await journal.read(k)).toEqual({
      state: 'in-flight',
      requestId: 'r1',
      region: 'eu-west-1',
      input,
      endsBy: 1_000,
    });
    expect(await journal.settle(k, 'r1', { identitySourceId: 'IS1', answered: true })).toBe(
      'recorded',
    );
    expect(await journal.read(k)).toMatchObject({ state: 'answered', identitySourceId: 'IS1' });
    // a Delete without the id leaves an answered (live) source alone
    expect(await journal.cancel(k, 1_000)).toMatchObject({ state: 'answered' });
    expect((await journal.read(k))?.state).toBe('answered');
  });

  it('lets a Delete cancel a running Create, which then learns it was cancelled', async () => {
    const k = key();
    await journal.begin(k, { requestId: 'r1', region: 'eu-west-1', input, endsBy: 1_000 });
    expect(await journal.cancel(k, 1_000)).toMatchObject({ state: 'in-flight', requestId: 'r1' });
    expect(await journal.settle(k, 'r1', { identitySourceId: 'IS1', answered: true })).toBe(
      'cancelled',
    );
    await journal.closeCancelled(k, 'r1', 'cleaned');
    expect(await journal.read(k)).toMatchObject({ state: 'cleaned', cancelledFrom: 'in-flight' });
  });

  it('cancels a created but unanswered Create, returning its id', async () => {
    const k = key();
    await journal.begin(k, { requestId: 'r1', region: 'eu-west-1', input, endsBy: 1_000 });
    await journal.settle(k, 'r1', { identitySourceId: 'IS9', answered: false });
    expect(await journal.cancel(k, 1_000)).toMatchObject({
      state: 'created',
      identitySourceId: 'IS9',
    });
    // a repeated delivery answering it now is too late: it stays cancelled
    expect(await journal.settle(k, 'r1', { identitySourceId: 'IS9', answered: true })).toBe(
      'cancelled',
    );
    expect((await journal.read(k))?.state).toBe('cancelled');
  });

  it('marks a Create answered on a repeated delivery after its first answer was lost', async () => {
    const k = key();
    await journal.begin(k, { requestId: 'r1', region: 'eu-west-1', input, endsBy: 1_000 });
    await journal.settle(k, 'r1', { identitySourceId: 'IS7', answered: false });
    await journal.settle(k, 'r1', { identitySourceId: 'IS7', answered: true });
    expect((await journal.read(k))?.state).toBe('answered');
  });

  it('ignores settlements of an older request once a newer Create began', async () => {
    const k = key();
    await journal.begin(k, { requestId: 'old', region: 'eu-west-1', input, endsBy: 1_000 });
    await journal.begin(k, { requestId: 'new', region: 'eu-west-1', input, endsBy: 1_000 });
    expect(await journal.settle(k, 'old', { failed: true, mayHaveTakenEffect: true })).toBe(
      'recorded',
    );
    expect(await journal.read(k)).toMatchObject({ state: 'in-flight', requestId: 'new' });
  });

  it('records a failed Create and whether it may have made something', async () => {
    const k = key();
    await journal.begin(k, { requestId: 'r1', region: 'eu-west-1', input, endsBy: 1_000 });
    await journal.settle(k, 'r1', { failed: true, mayHaveTakenEffect: true });
    expect(await journal.read(k)).toMatchObject({ state: 'failed', mayHaveTakenEffect: true });
  });

  it('knows nothing of a resource never created', async () => {
    expect(await journal.cancel(key(), 1_000)).toBeUndefined();
  });

  const at = (iso: string) => Date.parse(iso);
  const entry = (requestId: string, issuedAt?: number) => ({
    requestId,
    region: 'eu-west-1',
    input,
    endsBy: 1_000,
    ...(issuedAt !== undefined && { issuedAt }),
  });

  it('refuses a Create issued before CloudFormation gave up on the resource, or in the same second', async () => {
    const k = key();
    expect(await journal.cancel(k, at('2026-12-01T10:00:05Z'))).toBeUndefined();
    expect(await journal.read(k)).toBeUndefined();
    expect(await journal.begin(k, entry('stale', at('2026-12-01T10:00:00Z')))).toBe('given-up');
    expect(await journal.begin(k, entry('same', at('2026-12-01T10:00:05.900Z')))).toBe('given-up');
    expect(await journal.read(k)).toBeUndefined();
    // a Create issued after the Delete is a new, legitimate one
    expect(await journal.begin(k, entry('new', at('2026-12-01T10:00:06Z')))).toBe('begun');
    expect(await journal.read(k)).toMatchObject({ state: 'in-flight', requestId: 'new' });
  });

  it('keeps the latest time CloudFormation gave up, and a fresh entry for each Create', async () => {
    const k = key();
    await journal.cancel(k, at('2026-12-01T10:00:10Z'));
    await journal.cancel(k, at('2026-12-01T10:00:02Z'));
    expect(await journal.begin(k, entry('r', at('2026-12-01T10:00:05Z')))).toBe('given-up');
    expect(await journal.begin(k, entry('r1', at('2026-12-01T10:00:11Z')))).toBe('begun');
    await journal.settle(k, 'r1', { identitySourceId: 'IS1', answered: false });
    expect(await journal.cancel(k, at('2026-12-01T10:00:20Z'))).toMatchObject({ state: 'created' });
    // a later Create starts from a clean entry: nothing of the cancelled one is left
    expect(await journal.begin(k, entry('r2', at('2026-12-01T10:00:21Z')))).toBe('begun');
    expect(await journal.read(k)).toEqual({
      state: 'in-flight',
      requestId: 'r2',
      region: 'eu-west-1',
      input,
      endsBy: 1_000,
    });
  });

  it('begins a Create whose issue time is unknown', async () => {
    const k = key();
    await journal.cancel(k, Date.now());
    expect(await journal.begin(k, entry('r'))).toBe('begun');
  });
});
