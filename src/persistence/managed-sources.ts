/**
 * Reads the identity sources the provider manages from its table: the one durable record per
 * resource (`id` = `resource#<StackId>#<LogicalResourceId>`), whose `live` attribute is present
 * while the resource's last answer was SUCCESS and no Delete has removed it. Other items of the
 * table (idempotency records, `create-journal#…`, `ownership#…`) are not read.
 *
 * A Scan, page by page, filtered on the id prefix and `attribute_exists(live)`: the table holds
 * a few items per resource, so reading it whole once a day costs little (a Scan reads, and is
 * billed for, every item, the filter only trims the answer); it needs no index and nothing of
 * the lifecycle's writes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LiveSource } from './resource-record.js';

/** The prefix of a resource's record id. */
export const RESOURCE_RECORD_PREFIX = 'resource#';

/** One identity source the provider manages: its resource's live source. */
export interface ManagedSource extends LiveSource {
  readonly stackId: string;
  readonly logicalResourceId: string;
}

/** A record read: the source, or why its record cannot be used. */
export type ManagedSourceRecord =
  | { readonly ok: true; readonly source: ManagedSource }
  | {
      readonly ok: false;
      readonly stackId: string;
      readonly logicalResourceId: string;
      readonly problem: string;
    };

/** One page of the table's managed sources; `last` when no page follows it. */
export interface ManagedSourcePage {
  readonly records: readonly ManagedSourceRecord[];
  readonly last: boolean;
}

/** Pages of the table's managed sources; replaceable in tests. */
export type ManagedSourcePages = () => AsyncIterable<ManagedSourcePage>;

/**
 * @example
 * ```ts
 * for await (const page of managedSources({ tableName, client: tableClient() })()) {
 *   for (const record of page.records) if (record.ok) console.log(record.source.identitySourceId);
 * }
 * ```
 */
export function managedSources(options: {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Items read per Scan request at most (DynamoDB stops at 1 MB anyway); default 500. */
  readonly pageSize?: number;
}): ManagedSourcePages {
  const documents = DynamoDBDocumentClient.from(options.client);
  return async function* pages() {
    let startKey: Record<string, unknown> | undefined;
    do {
      const answer = await documents.send(
        new ScanCommand({
          TableName: options.tableName,
          FilterExpression: 'begins_with(#id, :prefix) AND attribute_exists(#live)',
          ProjectionExpression: '#id, #live',
          ExpressionAttributeNames: { '#id': 'id', '#live': 'live' },
          ExpressionAttributeValues: { ':prefix': RESOURCE_RECORD_PREFIX },
          Limit: options.pageSize ?? 500,
          ...(startKey !== undefined && { ExclusiveStartKey: startKey }),
        }),
      );
      startKey = answer.LastEvaluatedKey;
      yield { records: (answer.Items ?? []).map(readRecord), last: startKey === undefined };
    } while (startKey !== undefined);
  };
}

/**
 * One item as a managed source, checked field by field.
 *
 * @example
 * ```ts
 * readRecord({ id: 'resource#arn:aws:cloudformation:…:stack/s/1#Source', live: { … } });
 * ```
 */
export function readRecord(item: Record<string, unknown>): ManagedSourceRecord {
  const id = String(item.id ?? '');
  const rest = id.slice(RESOURCE_RECORD_PREFIX.length);
  const split = rest.lastIndexOf('#');
  const stackId = split < 0 ? rest : rest.slice(0, split);
  const logicalResourceId = split < 0 ? '' : rest.slice(split + 1);
  const live = item.live as Record<string, unknown> | undefined;
  const fail = (problem: string): ManagedSourceRecord => ({
    ok: false,
    stackId,
    logicalResourceId,
    problem,
  });
  if (split < 0 || stackId === '' || logicalResourceId === '')
    return fail(`record id ${id} is not resource#<StackId>#<LogicalResourceId>`);
  if (typeof live !== 'object' || live === null) return fail('the live attribute is not a map');
  for (const key of ['identitySourceId', 'policyStoreId', 'region'] as const) {
    if (typeof live[key] !== 'string' || live[key] === '')
      return fail(`live.${key} is missing or not a string`);
  }
  if (live.roleArn !== undefined && typeof live.roleArn !== 'string')
    return fail('live.roleArn is not a string');
  if (typeof live.properties !== 'object' || live.properties === null)
    return fail('live.properties is missing or not a map');
  return {
    ok: true,
    source: {
      stackId,
      logicalResourceId,
      identitySourceId: live.identitySourceId as string,
      policyStoreId: live.policyStoreId as string,
      region: live.region as string,
      ...(typeof live.roleArn === 'string' && live.roleArn !== '' && { roleArn: live.roleArn }),
      properties: live.properties as Record<string, unknown>,
      appliedAt: typeof live.appliedAt === 'string' ? live.appliedAt : '',
    },
  };
}
