import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDb } from '../../local/dynamodb.js';

let db: DynamoDbLocal | undefined;

afterEach(async () => {
  await db?.stop();
  db = undefined;
});

describe('local DynamoDB (dynalite)', () => {
  it('has the idempotency table, keyed by id, on demand, ready for put and get', async () => {
    db = await startDynamoDb();
    const { Table } = await db.client.send(new DescribeTableCommand({ TableName: db.tableName }));
    expect(Table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    });

    await db.client.send(
      new PutItemCommand({
        TableName: db.tableName,
        Item: { id: { S: 'key-1' }, status: { S: 'COMPLETED' }, expiration: { N: '1700000000' } },
      }),
    );
    const { Item } = await db.client.send(
      new GetItemCommand({ TableName: db.tableName, Key: { id: { S: 'key-1' } } }),
    );
    expect(Item).toEqual({
      id: { S: 'key-1' },
      status: { S: 'COMPLETED' },
      expiration: { N: '1700000000' },
    });
    expect(db.environment).toEqual({
      IDEMPOTENCY_TABLE_NAME: 'idempotency',
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    });
  });

  it('records each request with its operation and item id', async () => {
    db = await startDynamoDb();
    const created = db.requests.length;
    await db.client.send(
      new PutItemCommand({ TableName: db.tableName, Item: { id: { S: 'key-2' } } }),
    );
    await db.client.send(new GetItemCommand({ TableName: db.tableName, Key: { id: { S: 'k' } } }));
    expect(db.requests.slice(0, created).map((r) => r.operation)).toContain('CreateTable');
    expect(db.requests.slice(created)).toEqual([
      { operation: 'PutItem', itemId: 'key-2', time: expect.any(Number) },
      { operation: 'GetItem', itemId: 'k', time: expect.any(Number) },
    ]);
  });

  it('delays requests in slow mode', async () => {
    db = await startDynamoDb({ tableName: 'slow', delayMs: 150 });
    const get = new GetItemCommand({ TableName: 'slow', Key: { id: { S: 'missing' } } });
    const started = Date.now();
    const { Item } = await db.client.send(get);
    expect(Item).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);

    db.setDelay(0);
    const fast = Date.now();
    await db.client.send(get);
    expect(Date.now() - fast).toBeLessThan(145);
  });

  it('can look unreachable, and come back', async () => {
    db = await startDynamoDb();
    const client = new DynamoDBClient({
      region: db.region,
      endpoint: db.endpoint,
      credentials: db.credentials,
      maxAttempts: 1,
    });
    const get = new GetItemCommand({ TableName: db.tableName, Key: { id: { S: 'k' } } });
    db.setDown(true);
    await expect(client.send(get)).rejects.toThrow();
    db.setDown(false);
    await expect(client.send(get)).resolves.toHaveProperty('$metadata.httpStatusCode', 200);
    client.destroy();
  });

  it('refuses connections once stopped', async () => {
    db = await startDynamoDb();
    const { endpoint, region, credentials, tableName } = db;
    await db.stop();
    db = undefined;
    const client = new DynamoDBClient({ region, endpoint, credentials, maxAttempts: 1 });
    await expect(
      client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: 'k' } } })),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    client.destroy();
  });
});
