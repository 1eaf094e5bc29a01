import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDb } from '../../../local/dynamodb.js';
import {
  type ManagedSourcePage,
  managedSources,
  readRecord,
} from '../../../src/persistence/managed-sources.js';

const STACK =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/app/6c1a2b30-0000-11ef-8000-0a1b2c3d4e5f';
const live = (n: number) => ({
  identitySourceId: `IS${n}`,
  policyStoreId: `PS${n}`,
  region: 'eu-west-1',
  properties: { PolicyStoreId: `PS${n}`, Configuration: {} },
  appliedAt: '2026-12-01T00:00:00.000Z',
});

let dynamo: DynamoDbLocal;
beforeAll(async () => {
  dynamo = await startDynamoDb();
  const documents = DynamoDBDocumentClient.from(dynamo.client);
  const put = (item: Record<string, unknown>) =>
    documents.send(new PutCommand({ TableName: dynamo.tableName, Item: item }));
  for (let n = 0; n < 7; n++)
    await put({ id: `resource#${STACK}#Source${n}`, live: live(n), other: 'kept' });
  // Items the check must not read: a resource without `live` (deleted) and the other kinds.
  await put({ id: `resource#${STACK}#Deleted`, lastRequest: 'Delete' });
  await put({ id: 'ownership#123456789012#eu-west-1#PS1', identitySourceId: 'IS1' });
  await put({ id: `create-journal#${STACK}#Source1`, live: { looks: 'alike' } });
  await put({ id: 'some-idempotency-key', status: 'COMPLETED', expiration: 1 });
});
afterAll(() => dynamo?.stop());

describe('managedSources (a filtered Scan, page by page)', () => {
  it('reads every live resource record and nothing else, in pages', async () => {
    const pages: ManagedSourcePage[] = [];
    for await (const page of managedSources({
      tableName: dynamo.tableName,
      client: dynamo.client,
      pageSize: 3,
    })())
      pages.push(page);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.map((p) => p.last)).toEqual([...pages.slice(1).map(() => false), true]);
    const records = pages.flatMap((p) => p.records);
    expect(records.every((r) => r.ok)).toBe(true);
    expect(records.map((r) => (r.ok ? r.source.logicalResourceId : '')).sort()).toEqual(
      Array.from({ length: 7 }, (_, n) => `Source${n}`),
    );
    expect(records[0]).toEqual({
      ok: true,
      source: expect.objectContaining({ stackId: STACK, region: 'eu-west-1' }),
    });
  });
});

describe('readRecord', () => {
  it('splits the id into stack and logical id, and keeps the role when there is one', () => {
    expect(
      readRecord({
        id: `resource#${STACK}#Source`,
        live: { ...live(1), roleArn: 'arn:aws:iam::111111111111:role/R' },
      }),
    ).toEqual({
      ok: true,
      source: {
        stackId: STACK,
        logicalResourceId: 'Source',
        ...live(1),
        roleArn: 'arn:aws:iam::111111111111:role/R',
      },
    });
  });

  it('says what is wrong with a record it cannot use', () => {
    const { region: _region, ...noRegion } = live(1);
    expect(readRecord({ id: `resource#${STACK}#Source`, live: noRegion })).toEqual({
      ok: false,
      stackId: STACK,
      logicalResourceId: 'Source',
      problem: 'live.region is missing or not a string',
    });
    expect(readRecord({ id: 'resource#nohash', live: live(1) })).toMatchObject({ ok: false });
    expect(
      readRecord({ id: `resource#${STACK}#S`, live: { ...live(1), properties: 'x' } }),
    ).toMatchObject({
      ok: false,
      problem: 'live.properties is missing or not a map',
    });
  });
});
