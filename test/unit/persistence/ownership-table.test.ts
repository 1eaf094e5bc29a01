import { describe, expect, it } from 'vitest';
import type { OwnershipRecord } from '../../../src/persistence/ownership.js';
import { useOwnership } from '../../fixtures/ownership.js';

const table = useOwnership();

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
    expect(await table.ownership.read(s)).toBeUndefined();
    await table.ownership.recordMade(s, 'IS1', resource('A'));
    expect(await table.ownership.read(s)).toEqual({
      identitySourceId: 'IS1',
      owner: resource('A'),
      version: expect.any(String),
    });
  });

  it('lets only one of two writers that read the same record win', async () => {
    const s = store();
    await table.ownership.recordMade(s, 'IS1', resource('A'));
    const read = await table.ownership.read(s);
    const takeover = (by: string): OwnershipRecord => ({
      identitySourceId: 'IS1',
      owner: resource(by),
      handBack: { from: resource('A'), adopted: false, previous },
    });
    const results = await Promise.all([
      table.ownership.write(s, takeover('B'), read),
      table.ownership.write(s, takeover('C'), read),
    ]);
    expect(results.sort()).toEqual([false, true]);
    const winner = await table.ownership.read(s);
    expect(['B', 'C']).toContain(winner?.owner.logicalResourceId);
    expect(winner?.handBack).toEqual({ from: resource('A'), adopted: false, previous });
    // a writer expecting no record loses when there is one
    expect(await table.ownership.write(s, takeover('D'), undefined)).toBe(false);
  });

  it('creates a record only if there is none, and removes one only if unchanged', async () => {
    const s = store();
    const record = { identitySourceId: 'IS9', owner: resource('A') };
    expect(await table.ownership.write(s, record, undefined)).toBe(true);
    const read = await table.ownership.read(s);
    expect(await table.ownership.write(s, undefined, { ...record, version: 'stale' })).toBe(false);
    expect(await table.ownership.write(s, undefined, read)).toBe(true);
    expect(await table.ownership.read(s)).toBeUndefined();
  });

  it('releases plainly owned sources and unknown stores at once, nothing else', async () => {
    const s = store();
    expect(await table.ownership.releaseIfPlain(s, 'IS1', resource('A'))).toBe(true);
    await table.ownership.recordMade(s, 'IS1', resource('A'));
    expect(await table.ownership.releaseIfPlain(s, 'IS1', resource('B'))).toBe(false);
    expect(await table.ownership.releaseIfPlain(s, 'IS2', resource('A'))).toBe(false);
    expect(await table.ownership.releaseIfPlain(s, 'IS1', resource('A', 'other-stack'))).toBe(
      false,
    );
    const read = await table.ownership.read(s);
    await table.ownership.write(
      s,
      { identitySourceId: 'IS1', owner: resource('A'), handBack: { adopted: true, previous } },
      read,
    );
    expect(await table.ownership.releaseIfPlain(s, 'IS1', resource('A'))).toBe(false);
    expect(await table.ownership.read(s)).toMatchObject({ owner: resource('A') });
    await table.ownership.recordMade(s, 'IS1', resource('A'));
    expect(await table.ownership.releaseIfPlain(s, 'IS1', resource('A'))).toBe(true);
    expect(await table.ownership.read(s)).toBeUndefined();
  });
});
