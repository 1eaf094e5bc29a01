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

/** A conditional update: attributes to set and remove, and the condition's own names and values. */
interface Change {
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  readonly condition?: string;
  readonly names?: Readonly<Record<string, string>>;
  readonly values?: Readonly<Record<string, unknown>>;
}

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
  const Key = (key: ResourceKey) => ({ id: `resource#${key.stackId}#${key.logicalResourceId}` });
  const expiration = () => Math.floor(Date.now() / 1000) + RECORD_TTL_SECONDS;

  /** Applies a change; false when its condition failed. */
  const change = async (key: ResourceKey, c: Change): Promise<boolean> => {
    const set = Object.entries(c.set ?? {}).filter(([, value]) => value !== undefined);
    const names: Record<string, string> = { ...c.names };
    const values: Record<string, unknown> = { ...c.values };
    const assignments = set.map(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    const removals = (c.remove ?? []).map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
    const expression = [
      assignments.length > 0 ? `SET ${assignments.join(', ')}` : '',
      removals.length > 0 ? `REMOVE ${removals.join(', ')}` : '',
    ].join(' ');
    try {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: Key(key),
          UpdateExpression: expression.trim(),
          ...(c.condition !== undefined && { ConditionExpression: c.condition }),
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length > 0 && { ExpressionAttributeValues: values }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  const read = async (key: ResourceKey): Promise<ResourceRecordState | undefined> => {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: Key(key), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const {
      id: _i,
      expiration: _e,
      gaveUpAt: _a,
      gaveUpOn: _o,
      gaveUpOnAt: _t,
      live,
      ...making
    } = Item as RecordItem;
    return {
      ...(making.state !== undefined && { making: making as Making }),
      ...(live !== undefined && { live }),
    };
  };
  const readMaking = async (key: ResourceKey) => (await read(key))?.making;

  /** Sets attributes if `making` is in one of `from` for `requestId`; false when it was not. */
  const transition = (
    key: ResourceKey,
    requestId: string,
    from: readonly MakingState[],
    set: Partial<RecordItem>,
  ) =>
    change(key, {
      set,
      // A record with a live source is kept (the drift check reads it).
      ...(set.live !== undefined && { remove: ['expiration'] }),
      condition: `#requestId = :requestId AND #state IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      names: { '#state': 'state', '#requestId': 'requestId' },
      values: {
        ':requestId': requestId,
        ...Object.fromEntries(from.map((f, i) => [`:from${i}`, f])),
      },
    });

  /** Records that CloudFormation gave up (a later time wins). */
  const markGaveUp = (key: ResourceKey, { at, only }: GaveUp) =>
    change(key, {
      set: only === undefined ? { gaveUpAt: at } : { gaveUpOnAt: at, gaveUpOn: only },
      condition: 'attribute_not_exists(#at) OR #at < :at',
      names: { '#at': only === undefined ? 'gaveUpAt' : 'gaveUpOnAt' },
      values: { ':at': at },
    });

  return {
    read,
    async begin(key, making) {
      // Refused when CloudFormation gave up on the resource (or on this Create) in the request's
      // second or later (X-Amz-Date has one-second resolution).
      const { issuedAt } = making;
      const begun = await change(key, {
        set: { ...making, state: 'in-flight', expiration: expiration() },
        remove: CLEARED_ON_BEGIN.filter(
          (name) => making[name as keyof typeof making] === undefined,
        ),
        ...(issuedAt !== undefined && {
          condition:
            '(attribute_not_exists(#all) OR #all < :second) AND (attribute_not_exists(#on) OR #on <> :token OR #onAt < :second)',
          names: { '#all': 'gaveUpAt', '#on': 'gaveUpOn', '#onAt': 'gaveUpOnAt' },
          values: {
            ':second': Math.floor(issuedAt / 1000) * 1000,
            ':token': making.input.clientToken,
          },
        }),
      });
      return begun ? 'begun' : 'given-up';
    },
    async settle(key, requestId, result: MakingResult) {
      const set: Partial<RecordItem> =
        'identitySourceId' in result
          ? {
              state: result.answered ? 'answered' : 'created',
              identitySourceId: result.identitySourceId,
              live: result.live,
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
      // Still changing under it: never hand back a making it neither matched nor cancelled.
      return undefined;
    },
    async moveOn(key, at) {
      return change(key, {
        set: { gaveUpAt: at },
        condition: 'attribute_not_exists(#at) OR #at <= :at',
        names: { '#at': 'gaveUpAt' },
        values: { ':at': at },
      });
    },
    async applied(key, live) {
      await change(key, { set: { live }, remove: ['expiration'] });
    },
    async released(key, identitySourceId) {
      await change(key, {
        set: { expiration: expiration() },
        remove: ['live'],
        condition: '#live.#id = :id',
        names: { '#live': 'live', '#id': 'identitySourceId' },
        values: { ':id': identitySourceId },
      });
    },
  };
}
