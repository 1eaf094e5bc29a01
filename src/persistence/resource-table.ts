/**
 * The resource records in the provider's DynamoDB table (items
 * `resource#<StackId>#<LogicalResourceId>`), written through the DynamoDB document client.
 * Conditional writes keep a request making a source and one giving up on it from both
 * believing they won. A record whose resource holds no live source expires through the table's
 * TTL attribute `expiration`; one with a live source is kept.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  GaveUp,
  LiveSource,
  Making,
  MakingResult,
  MakingState,
  ResourceKey,
  ResourceRecordState,
  ResourceRecords,
} from './resource-record.js';

/** A record without a live source outlives any request that could still run, and the 8 h clientToken memory. */
const RECORD_TTL_SECONDS = 24 * 60 * 60;

/** How often `cancel` re-reads a record that changed under it. */
const CANCEL_ATTEMPTS = 5;

/** The item as stored: the making request's fields at the top, the live source, the key. */
type RecordItem = Making & {
  readonly id: string;
  readonly expiration?: number;
  /** CloudFormation gave up on every request of the resource issued until then. */
  readonly gaveUpAt?: number;
  /** …and on those of this clientToken issued until `gaveUpOnAt` (a marker's Delete). */
  readonly gaveUpOn?: string;
  readonly gaveUpOnAt?: number;
  readonly live?: LiveSource;
};

/** Fields of the making request that a new one starts without. */
const CLEARED_ON_BEGIN = [
  'identitySourceId',
  'mayHaveTakenEffect',
  'cancelledFrom',
  'createFinished',
  'roleArn',
  'issuedAt',
];

/**
 * @example
 * ```ts
 * const records = resourceTable({ tableName: 'ProviderTable', client: tableClient() });
 * await records.begin(key, { kind: 'create', requestId, region, input, endsBy });
 * ```
 */
export function resourceTable(options: {
  tableName: string;
  client: DynamoDBClient;
}): ResourceRecords {
  const { tableName } = options;
  const documents = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const keyOf = (key: ResourceKey) => ({
    id: `resource#${key.stackId}#${key.logicalResourceId}`,
  });

  const read = async (key: ResourceKey): Promise<ResourceRecordState | undefined> => {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: keyOf(key), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const {
      id: _id,
      expiration: _e,
      gaveUpAt: _g,
      gaveUpOn: _o,
      gaveUpOnAt: _oa,
      live,
      ...making
    } = Item as RecordItem;
    return {
      ...(making.state !== undefined && { making: making as Making }),
      ...(live !== undefined && { live }),
    };
  };
  const readMaking = async (key: ResourceKey) => (await read(key))?.making;

  const expiration = () => Math.floor(Date.now() / 1000) + RECORD_TTL_SECONDS;

  /** Sets attributes if `making` is in one of `from` for `requestId`; false when it was not. */
  const transition = async (
    key: ResourceKey,
    requestId: string,
    from: readonly MakingState[],
    set: Partial<RecordItem>,
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
    return conditional(() =>
      documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(key),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: `#requestId = :requestId AND #state IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  };

  /** Records that CloudFormation gave up (a later time wins). */
  const markGaveUp = async (key: ResourceKey, { at, only }: GaveUp): Promise<void> => {
    const [time, token] = only === undefined ? ['gaveUpAt', undefined] : ['gaveUpOnAt', 'gaveUpOn'];
    await conditional(() =>
      documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(key),
          UpdateExpression: `SET #at = :at${token ? ', #token = :token' : ''}, #expiration = if_not_exists(#expiration, :expiration)`,
          ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
          ExpressionAttributeNames: {
            '#at': time,
            '#expiration': 'expiration',
            ...(token && { '#token': token }),
          },
          ExpressionAttributeValues: {
            ':at': at,
            ':expiration': expiration(),
            ...(only !== undefined && { ':token': only }),
          },
        }),
      ),
    );
  };

  return {
    read,
    async begin(key, making) {
      const set = { ...making, state: 'in-flight', expiration: expiration() };
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(set)) {
        if (value === undefined) continue;
        names[`#${name}`] = name;
        values[`:${name}`] = value;
      }
      const cleared = CLEARED_ON_BEGIN.filter((name) => values[`:${name}`] === undefined);
      for (const name of cleared) names[`#${name}`] = name;
      // Refused when CloudFormation gave up on the resource in the request's second or later
      // (X-Amz-Date has one-second resolution).
      const { issuedAt } = making;
      if (issuedAt !== undefined) {
        names['#gaveUpAt'] = 'gaveUpAt';
        names['#gaveUpOn'] = 'gaveUpOn';
        names['#gaveUpOnAt'] = 'gaveUpOnAt';
        values[':issuedSecond'] = Math.floor(issuedAt / 1000) * 1000;
        values[':token'] = making.input.clientToken;
      }
      const assignments = Object.keys(values)
        .filter((v) => v !== ':issuedSecond' && v !== ':token')
        .map((v) => `#${v.slice(1)} = ${v}`);
      const begun = await conditional(() =>
        documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression: `SET ${assignments.join(', ')}${cleared.length > 0 ? ` REMOVE ${cleared.map((n) => `#${n}`).join(', ')}` : ''}`,
            ...(issuedAt !== undefined && {
              ConditionExpression:
                '(attribute_not_exists(#gaveUpAt) OR #gaveUpAt < :issuedSecond) AND (attribute_not_exists(#gaveUpOn) OR #gaveUpOn <> :token OR #gaveUpOnAt < :issuedSecond)',
            }),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
      return begun ? 'begun' : 'given-up';
    },
    async settle(key, requestId, result: MakingResult) {
      const set: Partial<RecordItem> =
        'identitySourceId' in result
          ? {
              state: result.answered ? 'answered' : 'created',
              identitySourceId: result.identitySourceId,
              ...(result.live !== undefined && { live: result.live }),
            }
          : { state: 'failed', mayHaveTakenEffect: result.mayHaveTakenEffect };
      // A repeated delivery may answer a request whose first answer was lost: created → answered.
      const from: MakingState[] =
        'identitySourceId' in result && result.answered ? ['in-flight', 'created'] : ['in-flight'];
      if (await transition(key, requestId, from, set)) return 'recorded';
      const now = await readMaking(key);
      return now?.requestId === requestId && now.state === 'cancelled' ? 'cancelled' : 'recorded';
    },
    async closeCancelled(key, requestId, how) {
      const set: Partial<Making> =
        how === 'cleaned' ? { state: 'cleaned' } : { createFinished: true };
      await transition(key, requestId, ['cancelled'], set);
    },
    async cancel(key, gaveUp, given) {
      if (gaveUp.ifFound !== true) await markGaveUp(key, gaveUp);
      for (let attempt = 0; attempt < CANCEL_ATTEMPTS; attempt++) {
        const making = await readMaking(key);
        if (making === undefined || !given(making)) return undefined;
        if (gaveUp.ifFound === true && attempt === 0) await markGaveUp(key, gaveUp);
        if (making.state === 'cleaned' || making.state === 'cancelled') return making;
        const cancelled = await transition(key, making.requestId, [making.state], {
          state: 'cancelled',
          cancelledFrom: making.state,
        });
        if (cancelled) return making;
      }
      return readMaking(key);
    },
    async applied(key, live) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyOf(key),
          UpdateExpression: 'SET #live = :live REMOVE #expiration',
          ExpressionAttributeNames: { '#live': 'live', '#expiration': 'expiration' },
          ExpressionAttributeValues: { ':live': live },
        }),
      );
    },
    async released(key, identitySourceId) {
      await conditional(() =>
        documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression: 'SET #expiration = :expiration REMOVE #live',
            ConditionExpression: '#live.#id = :id',
            ExpressionAttributeNames: {
              '#live': 'live',
              '#id': 'identitySourceId',
              '#expiration': 'expiration',
            },
            ExpressionAttributeValues: { ':id': identitySourceId, ':expiration': expiration() },
          }),
        ),
      );
    },
  };
}

/** Runs a conditional write: false when its condition failed. */
async function conditional(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
