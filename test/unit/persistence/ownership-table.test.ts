import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDb } from '../../../local/dynamodb.js';
import type { Ownership, OwnershipRecord } from '../../../src/persistence/ownership.js';
import { ownershipTable } from '../../../src/persistence/ownership-table.js';

let dynamo: DynamoDbLocal;
let ownership: Ownership;
beforeAll(async () => {
  dynamo = await startDynamoDb();
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynamo.endpoint,
    credentials: dynamo.credentials,
  });
  ownership = ownershipTable({ tableName: dynamo.tableName, client });
});
afterAll(() => dynamo.stop());

let n = 0;
const store = () => ({ accountId: '123456789012', region: 'eu-west-1', policyStoreId: `PS${++n}` });
const resource = (
  logicalResourceId: string,
  stackId = 'arn:aws:cloudformation:eu-west-1:1:stack/s/1',
) => ({
  stackId,
  logicalResourceId,
});
const previous = {
  configuration: { cognitoUserPoolConfiguration: { userPoolArn: 'arn:pool', clientIds: [] } },
  principalEntityType: 'App::User',
};

describe('ownership records on DynamoDB (dynalite)', () => {
  it('records a source a resource made, and reads it back', async () => {
    const s = store();
    expect(await ownership.read(s)).toBeUndefined();
    await ownership.recordMade(s, 'IS1', resource('A'));
    expect(await ownership.read(s)).toEqual({
      identitySourceId: 'IS1',
      owner: resource('A'),
      version: expect.any(String),
    });
  });

  it('lets only one of two writers that read the same record win', async () => {
    const s = store();
    await ownership.recordMade(s, 'IS1', resource('A'));
    const read = await ownership.read(s);
    const takeover = (by: string): OwnershipRecord => ({
      identitySourceId: 'IS1',
      owner: resource(by),
      handBack: { from: resource('A'), adopted: false, previous },
    });
    const results = await Promise.all([
      ownership.write(s, takeover('B'), read),
      ownership.write(s, takeover('C'), read),
    ]);
    expect(results.sort()).toEqual([false, true]);
    const winner = await ownership.read(s);
    expect(['B', 'C']).toContain(winner?.owner.logicalResourceId);
    expect(winner?.handBack).toEqual({ from: resource('A'), adopted: false, previous });
    // a writer expecting no record loses when there is one
    expect(await ownership.write(s, takeover('D'), undefined)).toBe(false);
  });

  it('creates a record only if there is none, and removes one only if unchanged', async () => {
    const s = store();
    const record = { identitySourceId: 'IS9', owner: resource('A') };
    expect(await ownership.write(s, record, undefined)).toBe(true);
    const read = await ownership.read(s);
    expect(await ownership.write(s, undefined, { ...record, version: 'stale' })).toBe(false);
    expect(await ownership.write(s, undefined, read)).toBe(true);
    expect(await ownership.read(s)).toBeUndefined();
  });

  it('releases plainly owned sources and unknown stores at once, nothing else', async () => {
    const s = store();
    expect(await ownership.releaseIfPlain(s, 'IS1', resource('A'))).toBe(true);
    await ownership.recordMade(s, 'IS1', resource('A'));
    expect(await ownership.releaseIfPlain(s, 'IS1', resource('B'))).toBe(false);
    expect(await ownership.releaseIfPlain(s, 'IS2', resource('A'))).toBe(false);
    expect(await ownership.releaseIfPlain(s, 'IS1', resource('A', 'other-stack'))).toBe(false);
    const read = await ownership.read(s);
    await ownership.write(
      s,
      { identitySourceId: 'IS1', owner: resource('A'), handBack: { adopted: true, previous } },
      read,
    );
    expect(await ownership.releaseIfPlain(s, 'IS1', resource('A'))).toBe(false);
    expect(await ownership.read(s)).toMatchObject({ owner: resource('A') });
    await ownership.recordMade(s, 'IS1', resource('A'));
    expect(await ownership.releaseIfPlain(s, 'IS1', resource('A'))).toBe(true);
    expect(await ownership.read(s)).toBeUndefined();
  });
});
