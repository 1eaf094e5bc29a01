/**
 * The create journal kept in the idempotency table (items `create-journal#<StackId>#<LogicalResourceId>`,
 * expiring through the table's TTL attribute `expiration`). Conditional writes keep a
 * Create and a concurrent Delete from both believing they won.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type {
  CreateJournal,
  CreateResult,
  JournalEntry,
  JournalState,
  ResourceKey,
} from './identity-source/create-journal.js';

/** An entry outlives any Create that could still be running, and the 8 h clientToken memory. */
export const JOURNAL_TTL_SECONDS = 24 * 60 * 60;

/**
 * @example
 * ```ts
 * const journal = createJournalTable({ tableName: process.env.IDEMPOTENCY_TABLE_NAME, client });
 * await journal.begin(key, { requestId, region, input });
 * ```
 */
export function createJournalTable(options: {
  tableName: string;
  client: DynamoDBClient;
}): CreateJournal {
  const { tableName, client } = options;
  const keyOf = (key: ResourceKey) => ({
    id: { S: `create-journal#${key.stackId}#${key.logicalResourceId}` },
  });

  const read = async (key: ResourceKey): Promise<JournalEntry | undefined> => {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: keyOf(key), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return {
      state: Item.state?.S as JournalState,
      requestId: Item.requestId?.S ?? '',
      region: Item.region?.S ?? '',
      input: JSON.parse(Item.input?.S ?? '{}'),
      ...(Item.identitySourceId?.S !== undefined && { identitySourceId: Item.identitySourceId.S }),
      ...(Item.endsBy?.N !== undefined && { endsBy: Number(Item.endsBy.N) }),
      ...(Item.mayHaveTakenEffect?.BOOL !== undefined && {
        mayHaveTakenEffect: Item.mayHaveTakenEffect.BOOL,
      }),
      ...(Item.cancelledFrom?.S !== undefined && {
        cancelledFrom: Item.cancelledFrom.S as JournalState,
      }),
      ...(Item.createFinished?.BOOL !== undefined && { createFinished: Item.createFinished.BOOL }),
    };
  };

  /** Sets attributes if the entry is in one of `from` for `requestId`; false when it was not. */
  const transition = async (
    key: ResourceKey,
    requestId: string,
    from: readonly JournalState[],
    set: Record<string, { S: string } | { BOOL: boolean }>,
  ): Promise<boolean> => {
    const names: Record<string, string> = { '#state': 'state', '#requestId': 'requestId' };
    const values: Record<string, { S: string } | { BOOL: boolean }> = {
      ':requestId': { S: requestId },
    };
    from.forEach((state, i) => {
      values[`:from${i}`] = { S: state };
    });
    const assignments = Object.entries(set).map(([attribute, value], i) => {
      names[`#a${i}`] = attribute;
      values[`:v${i}`] = value;
      return `#a${i} = :v${i}`;
    });
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(key),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: `#requestId = :requestId AND #state IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  return {
    read,
    async begin(key, entry) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...keyOf(key),
            state: { S: 'in-flight' },
            requestId: { S: entry.requestId },
            region: { S: entry.region },
            input: { S: JSON.stringify(entry.input) },
            endsBy: { N: String(entry.endsBy) },
            expiration: { N: String(Math.floor(Date.now() / 1000) + JOURNAL_TTL_SECONDS) },
          },
        }),
      );
    },
    async settle(key, requestId, result: CreateResult) {
      const set: Record<string, { S: string } | { BOOL: boolean }> =
        'identitySourceId' in result
          ? {
              state: { S: result.answered ? 'answered' : 'created' },
              identitySourceId: { S: result.identitySourceId },
            }
          : { state: { S: 'failed' }, mayHaveTakenEffect: { BOOL: result.mayHaveTakenEffect } };
      // A repeated delivery may answer a Create whose first answer was lost: created → answered.
      const from: JournalState[] =
        'identitySourceId' in result && result.answered ? ['in-flight', 'created'] : ['in-flight'];
      if (await transition(key, requestId, from, set)) return 'recorded';
      const now = await read(key);
      return now?.requestId === requestId && now.state === 'cancelled' ? 'cancelled' : 'recorded';
    },
    async closeCancelled(key, requestId, how) {
      const set: Record<string, { S: string } | { BOOL: boolean }> =
        how === 'cleaned' ? { state: { S: 'cleaned' } } : { createFinished: { BOOL: true } };
      await transition(key, requestId, ['cancelled'], set);
    },
    async cancel(key) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const entry = await read(key);
        if (
          entry === undefined ||
          entry.state === 'answered' ||
          entry.state === 'cleaned' ||
          entry.state === 'cancelled'
        ) {
          return entry;
        }
        const cancelled = await transition(key, entry.requestId, [entry.state], {
          state: { S: 'cancelled' },
          cancelledFrom: { S: entry.state },
        });
        if (cancelled) return entry;
      }
      return read(key);
    },
  };
}
