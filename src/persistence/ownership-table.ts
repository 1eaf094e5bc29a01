/**
 * Ownership records in the provider's DynamoDB table (items
 * `ownership#<account>#<region>#<policyStoreId>`, kept as long as the source: no expiry),
 * written through the document client, each write conditional on the version it read.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Ownership, OwnershipRecord, StoreKey, VersionedRecord } from './ownership.js';
import type { ResourceKey } from './resource-record.js';

/** The item as stored; `ownerKey` lets a condition compare the owner in one attribute. */
interface OwnershipItem extends VersionedRecord {
  readonly id: string;
  readonly ownerKey: string;
}

const ownerKeyOf = (owner: ResourceKey) => `${owner.stackId}#${owner.logicalResourceId}`;

/**
 * @example
 * ```ts
 * const ownership = ownershipTable({ tableName: 'IdempotencyTable', client: tableClient() });
 * await ownership.recordMade({ accountId, region, policyStoreId }, 'IS1', { stackId, logicalResourceId });
 * ```
 */
export function ownershipTable(options: { tableName: string; client: DynamoDBClient }): Ownership {
  const { tableName } = options;
  const documents = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const keyOf = (store: StoreKey) => ({
    id: `ownership#${store.accountId}#${store.region}#${store.policyStoreId}`,
  });
  const itemOf = (store: StoreKey, record: OwnershipRecord): OwnershipItem => ({
    ...keyOf(store),
    ...record,
    ownerKey: ownerKeyOf(record.owner),
    version: randomUUID(),
  });
  const conditional = async (send: () => Promise<unknown>): Promise<boolean> => {
    try {
      await send();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };
  const unchanged = (expected: VersionedRecord | undefined) =>
    expected === undefined
      ? { ConditionExpression: 'attribute_not_exists(id)' }
      : {
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': expected.version },
        };

  return {
    async read(store) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: tableName, Key: keyOf(store), ConsistentRead: true }),
      );
      if (Item === undefined) return undefined;
      const { id: _id, ownerKey: _ownerKey, ...record } = Item as OwnershipItem;
      return record;
    },
    write(store, next, expected) {
      return conditional(() =>
        next === undefined
          ? documents.send(
              new DeleteCommand({
                TableName: tableName,
                Key: keyOf(store),
                ...unchanged(expected),
              }),
            )
          : documents.send(
              new PutCommand({
                TableName: tableName,
                Item: itemOf(store, next),
                ...unchanged(expected),
              }),
            ),
      );
    },
    async recordMade(store, identitySourceId, owner) {
      await documents.send(
        new PutCommand({ TableName: tableName, Item: itemOf(store, { identitySourceId, owner }) }),
      );
    },
    releaseIfPlain(store, identitySourceId, owner) {
      return conditional(() =>
        documents.send(
          new DeleteCommand({
            TableName: tableName,
            Key: keyOf(store),
            ConditionExpression:
              'attribute_not_exists(id) OR (ownerKey = :owner AND identitySourceId = :source AND attribute_not_exists(handBack))',
            ExpressionAttributeValues: { ':owner': ownerKeyOf(owner), ':source': identitySourceId },
          }),
        ),
      );
    },
  };
}
