/**
 * The create journal kept in the provider's DynamoDB table (items
 * `create-journal#<StackId>#<LogicalResourceId>`, expiring through the table's TTL attribute
 * `expiration`), written through the DynamoDB document client. Conditional writes keep a
 * Create and a concurrent Delete from both believing they won.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  CreateJournal,
  CreateResult,
  JournalEntry,
  JournalState,
  ResourceKey,
} from './create-journal.js';

/** An entry outlives any Create that could still be running, and the 8 h clientToken memory. */
export const JOURNAL_TTL_SECONDS = 24 * 60 * 60;

/** How often `cancel` re-reads an entry that changed under it. */
const CANCEL_ATTEMPTS = 5;

/** The item as stored: the entry's fields plus the key and its expiry. */
type JournalItem = JournalEntry & { readonly id: string; readonly expiration: number };

/**
 * @example
 * ```ts
 * const journal = createJournalTable({ tableName: 'IdempotencyTable', client: tableClient() });
 * await journal.begin(key, { requestId, region, input, endsBy: deadline.workEndsAt + 10_000 });
 * ```
 */
export function createJournalTable(options: {
  tableName: string;
  client: DynamoDBClient;
}): CreateJournal {
  const { tableName } = options;
  const documents = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const keyOf = (key: ResourceKey) => ({
    id: `create-journal#${key.stackId}#${key.logicalResourceId}`,
  });

  const read = async (key: ResourceKey): Promise<JournalEntry | undefined> => {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: keyOf(key), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const { id: _id, expiration: _expiration, ...entry } = Item as JournalItem;
    return entry;
  };

  /** Sets attributes if the entry is in one of `from` for `requestId`; false when it was not. */
  const transition = async (
    key: ResourceKey,
    requestId: string,
    from: readonly JournalState[],
    set: Partial<JournalEntry>,
  ): Promise<boolean> => {
    const names: Record<string, string> = { '#state': 'state', '#requestId': 'requestId' };
    const values: Record<string, unknown> = { ':requestId': requestId };
    from.forEach((state, i) => {
      values[`:from${i}`] = state;
    });
    const assignments = Object.entries(set).map(([attribute, value], i) => {
      names[`#a${i}`] = attribute;
      values[`:v${i}`] = value;
      return `#a${i} = :v${i}`;
    });
    try {
      await documents.send(
        new UpdateCommand({
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
      const item: JournalItem = {
        ...keyOf(key),
        state: 'in-flight',
        ...entry,
        expiration: Math.floor(Date.now() / 1000) + JOURNAL_TTL_SECONDS,
      };
      await documents.send(new PutCommand({ TableName: tableName, Item: item }));
    },
    async settle(key, requestId, result: CreateResult) {
      const set: Partial<JournalEntry> =
        'identitySourceId' in result
          ? {
              state: result.answered ? 'answered' : 'created',
              identitySourceId: result.identitySourceId,
            }
          : { state: 'failed', mayHaveTakenEffect: result.mayHaveTakenEffect };
      // A repeated delivery may answer a Create whose first answer was lost: created → answered.
      const from: JournalState[] =
        'identitySourceId' in result && result.answered ? ['in-flight', 'created'] : ['in-flight'];
      if (await transition(key, requestId, from, set)) return 'recorded';
      const now = await read(key);
      return now?.requestId === requestId && now.state === 'cancelled' ? 'cancelled' : 'recorded';
    },
    async closeCancelled(key, requestId, how) {
      const set: Partial<JournalEntry> =
        how === 'cleaned' ? { state: 'cleaned' } : { createFinished: true };
      await transition(key, requestId, ['cancelled'], set);
    },
    async cancel(key) {
      for (let attempt = 0; attempt < CANCEL_ATTEMPTS; attempt++) {
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
          state: 'cancelled',
          cancelledFrom: entry.state,
        });
        if (cancelled) return entry;
      }
      return read(key);
    },
  };
}
