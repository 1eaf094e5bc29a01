/**
 * The create journal kept in the provider's DynamoDB table (items
 * `create-journal#<StackId>#<LogicalResourceId>`, expiring through the table's TTL attribute
 * `expiration`), written through the DynamoDB document client. Conditional writes keep a
 * Create and a concurrent Delete from both believing they won.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  CreateJournal,
  CreateResult,
  JournalEntry,
  JournalState,
  ResourceKey,
} from './create-journal.js';

/** An entry outlives any Create that could still be running, and the 8 h clientToken memory. */
const JOURNAL_TTL_SECONDS = 24 * 60 * 60;

/** How often `cancel` re-reads an entry that changed under it. */
const CANCEL_ATTEMPTS = 5;

/** The item as stored: the entry's fields, the key, its expiry, and when CloudFormation gave up. */
type JournalItem = JournalEntry & {
  readonly id: string;
  readonly expiration: number;
  readonly gaveUpAt?: number;
};

/** Entry fields a new Create starts without. */
const CLEARED_ON_BEGIN = [
  'identitySourceId',
  'mayHaveTakenEffect',
  'cancelledFrom',
  'createFinished',
];

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
    // An item with only a gave-up time holds no entry.
    if (Item === undefined || Item.state === undefined) return undefined;
    const { id: _id, expiration: _expiration, gaveUpAt: _gaveUpAt, ...entry } = Item as JournalItem;
    return entry;
  };

  const expiration = () => Math.floor(Date.now() / 1000) + JOURNAL_TTL_SECONDS;

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

  /** Records the latest time CloudFormation gave up on the resource's Creates (a later one wins). */
  const markGaveUp = async (key: ResourceKey, gaveUpAt: number): Promise<void> => {
    try {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(key),
          UpdateExpression: 'SET #gaveUpAt = :at, #expiration = :expiration',
          ConditionExpression: 'attribute_not_exists(#gaveUpAt) OR #gaveUpAt < :at',
          ExpressionAttributeNames: { '#gaveUpAt': 'gaveUpAt', '#expiration': 'expiration' },
          ExpressionAttributeValues: { ':at': gaveUpAt, ':expiration': expiration() },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  };

  return {
    read,
    async begin(key, { issuedAt, ...entry }) {
      const set = { state: 'in-flight', ...entry, expiration: expiration() };
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(set)) {
        names[`#${name}`] = name;
        values[`:${name}`] = value;
      }
      for (const name of CLEARED_ON_BEGIN) names[`#${name}`] = name;
      // Refused when CloudFormation gave up on the resource in the Create's second or later
      // (X-Amz-Date has one-second resolution).
      const givenUp =
        issuedAt === undefined
          ? {}
          : {
              ConditionExpression: 'attribute_not_exists(#gaveUpAt) OR #gaveUpAt < :issuedAt',
            };
      if (issuedAt !== undefined) {
        names['#gaveUpAt'] = 'gaveUpAt';
        values[':issuedAt'] = Math.floor(issuedAt / 1000) * 1000;
      }
      const assignments = Object.keys(set).map((name) => `#${name} = :${name}`);
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression: `SET ${assignments.join(', ')} REMOVE ${CLEARED_ON_BEGIN.map((n) => `#${n}`).join(', ')}`,
            ...givenUp,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return 'begun';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'given-up';
        throw error;
      }
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
    async cancel(key, gaveUpAt) {
      await markGaveUp(key, gaveUpAt);
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
