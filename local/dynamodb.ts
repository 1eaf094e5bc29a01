/**
 * A local DynamoDB for tests and `npm start`: `dynalite` running in this process, in memory, with
 * the provider's idempotency table created the way `template.yaml` defines it (partition key `id`
 * of type S, on-demand billing; the TTL attribute `expiration` is not set up because dynalite has
 * no TTL support).
 *
 * Clients reach it through a small TCP proxy (see {@link startTcpProxy}), so a test can make it
 * slow ({@link DynamoDbLocal.setDelay}) or unreachable ({@link DynamoDbLocal.setDown}) while the
 * endpoint stays the same. Every request that reaches dynalite is recorded
 * ({@link DynamoDbLocal.requests}). {@link DynamoDbLocal.stop} closes everything, after which the
 * endpoint refuses connections.
 *
 * @module
 */

import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { closeServer, listenOnLoopback } from './loopback.js';
import { startTcpProxy } from './tcp-proxy.js';

/** The table name used when none is given. */
export const DEFAULT_IDEMPOTENCY_TABLE_NAME = 'idempotency';

/** Options of {@link startDynamoDb}. */
export interface DynamoDbLocalOptions {
  /** Default {@link DEFAULT_IDEMPOTENCY_TABLE_NAME}. */
  tableName?: string;
  /** Every request is held this long (ms) on its way in; default 0. */
  delayMs?: number;
  /** Region for {@link DynamoDbLocal.client}; dynalite ignores it. Default `us-east-1`. */
  region?: string;
}

/** One request dynalite received. */
export interface DynamoDbRequest {
  /** From `X-Amz-Target` (`DynamoDB_20120810.PutItem` → `PutItem`). */
  readonly operation: string | undefined;
  /** The `id` of the item it reads or writes (`Key.id.S` or `Item.id.S`), once its body is in. */
  itemId: string | undefined;
  /** Arrival time, epoch ms (fractional: ordered with the other stand-ins' records). */
  readonly time: number;
}

/** A running local DynamoDB. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` (the proxy in front of dynalite). */
  readonly endpoint: string;
  readonly tableName: string;
  readonly region: string;
  /** Dummy credentials (dynalite does not check signatures). */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** A client pointed at {@link endpoint}. */
  readonly client: DynamoDBClient;
  /** The environment the provider needs to use this table: `IDEMPOTENCY_TABLE_NAME`, `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly environment: Readonly<Record<string, string>>;
  /** Every request dynalite received (the table's creation included), oldest first. */
  readonly requests: readonly DynamoDbRequest[];
  /** Makes every request from now on arrive `ms` later. */
  setDelay(ms: number): void;
  /** `true`: every connection is reset, as if DynamoDB were unreachable; `false`: back to normal. */
  setDown(down: boolean): void;
  /** Stops the proxy and dynalite and destroys the client; the endpoint then refuses connections. */
  stop(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 and creates the idempotency table. */
export async function startDynamoDb(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const tableName = options.tableName ?? DEFAULT_IDEMPOTENCY_TABLE_NAME;
  const region = options.region ?? 'us-east-1';
  const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const requests: DynamoDbRequest[] = [];
  server.on('request', (req: IncomingMessage) => {
    const target = req.headers['x-amz-target'];
    const record: DynamoDbRequest = {
      operation: typeof target === 'string' ? target.split('.').pop() : undefined,
      itemId: undefined,
      time: performance.timeOrigin + performance.now(),
    };
    requests.push(record);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      record.itemId = itemIdOf(Buffer.concat(chunks).toString('utf8'));
    });
  });
  const dynalitePort = await listenOnLoopback(server);
  const proxy = await startTcpProxy({
    targetHost: '127.0.0.1',
    targetPort: dynalitePort,
    delayMs: options.delayMs ?? 0,
  });
  const endpoint = `http://127.0.0.1:${proxy.port}`;
  const client = new DynamoDBClient({ region, endpoint, credentials });

  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }

  return {
    endpoint,
    tableName,
    region,
    credentials,
    client,
    environment: { IDEMPOTENCY_TABLE_NAME: tableName, AWS_ENDPOINT_URL_DYNAMODB: endpoint },
    requests,
    setDelay: (ms) => proxy.setDelay(ms),
    setDown: (down) => proxy.setDown(down),
    async stop() {
      client.destroy();
      await proxy.close();
      await closeServer(server);
    },
  };
}

function itemIdOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as {
      Key?: { id?: { S?: string } };
      Item?: { id?: { S?: string } };
    };
    return parsed.Key?.id?.S ?? parsed.Item?.id?.S;
  } catch {
    return undefined;
  }
}
