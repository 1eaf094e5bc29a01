/**
 * The drift check's function on a local stack: the built `dist/drift.mjs` in its own Lambda-like
 * process, with the stack's environment (its table, the stand-ins' endpoints), and a way to
 * write the resource records it reads (`resource#<StackId>#<LogicalResourceId>` with `live`),
 * as the provider's lifecycle keeps them, for tests, `npm start` and the benchmark.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDbLocal } from './dynamodb.js';
import { type LambdaProcess, startLambdaProcess } from './lambda-process.js';
import type { LocalStack } from './local-stack.js';

/** The built drift check, `dist/drift.mjs` at the repository root. */
export const DRIFT_BUNDLE_PATH = fileURLToPath(new URL('../dist/drift.mjs', import.meta.url));

/** What a resource's record holds while its source is live (the `live` attribute). */
export interface LiveRecord {
  readonly identitySourceId: string;
  readonly policyStoreId: string;
  readonly region: string;
  readonly roleArn?: string;
  /** `ResourceProperties` as CloudFormation sent them, without `ServiceToken`/`ServiceTimeout`. */
  readonly properties: Record<string, unknown>;
  readonly appliedAt: string;
}

/**
 * Starts the drift check's function with the stack's environment plus `env`.
 *
 * @example
 * ```ts
 * const drift = await startDriftFunction(stack, { env: { DRIFT_REPAIR: 'true' } });
 * const { result } = await drift.invoke({}, { timeoutMs: 60_000 });
 * ```
 */
export function startDriftFunction(
  stack: Pick<LocalStack, 'env'>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly echoLogs?: boolean } = {},
): Promise<LambdaProcess> {
  return startLambdaProcess({
    env: {
      ...stack.env,
      POWERTOOLS_SERVICE_NAME: 'verified-permissions-identity-source-drift',
      ...options.env,
    },
    bundlePath: DRIFT_BUNDLE_PATH,
    functionName: 'identity-source-drift-check',
    ...(options.echoLogs !== undefined && { echoLogs: options.echoLogs }),
  });
}

/**
 * Writes (or overwrites) a resource's record with its `live` attribute.
 *
 * @example
 * ```ts
 * await putLiveRecord(stack.dynamo!, { stackId, logicalResourceId: 'Source' }, live);
 * ```
 */
export async function putLiveRecord(
  dynamo: DynamoDbLocal,
  resource: { readonly stackId: string; readonly logicalResourceId: string },
  live: LiveRecord,
): Promise<void> {
  const documents = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  await documents.send(
    new PutCommand({
      TableName: dynamo.tableName,
      Item: { id: `resource#${resource.stackId}#${resource.logicalResourceId}`, live },
    }),
  );
}

/** The properties as a record keeps them: without CloudFormation's own keys. */
export function appliedProperties(properties: Record<string, unknown>): Record<string, unknown> {
  const { ServiceToken: _token, ServiceTimeout: _timeout, ...applied } = properties;
  return applied;
}
