/**
 * The drift step of a local run, after the stack's Create and Update and before its Delete:
 * one identity source is changed behind the stack's back (a direct `UpdateIdentitySource` to the
 * Verified Permissions double, as someone in the console would), then the built drift check
 * (`dist/drift.mjs`) runs once against the same stand-ins and its report — the result counts and
 * the events it put on the EventBridge stand-in — is recorded.
 *
 * @module
 */
import {
  GetIdentitySourceCommand,
  type UpdateConfiguration,
  UpdateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { appliedProperties, startDriftFunction } from '../../local/drift-function.js';
import type { LocalStack } from '../../local/local-stack.js';
import type { LiveResource } from './lifecycle.js';

/** What the drift step did and what the check reported. */
export interface DriftReport {
  /** How many requests of the run came before the check. */
  readonly afterStep: number;
  /** Resources whose record this run wrote itself (see {@link seedLiveRecord}). */
  readonly seeded: readonly string[];
  /** The change made behind the stack's back; undefined when there was no source to change. */
  readonly change:
    | { readonly logicalId: string; readonly identitySourceId: string; readonly what: string }
    | undefined;
  /** What the drift check returned; null when it did not return (see `error`). */
  readonly result: Record<string, unknown> | null;
  /** The `Detail` of each event the check put on the bus, in order. */
  readonly events: readonly Record<string, unknown>[];
  readonly durationMs: number;
  readonly error?: string;
  /** The check's log lines. */
  readonly logs: readonly string[];
}

/**
 * Changes the first live source behind the stack's back, then runs the drift check once.
 *
 * @example
 * ```ts
 * const report = await runDriftStep(stack, new Map([['IdentitySource', { physicalId, properties }]]), 2);
 * report.result; // { Checked: 1, InSync: 0, Modified: 1, Deleted: 0, Repaired: 0, Failed: 0 }
 * ```
 */
export async function runDriftStep(
  stack: LocalStack,
  live: ReadonlyMap<string, LiveResource>,
  afterStep: number,
): Promise<DriftReport> {
  const seeded: string[] = [];
  for (const [logicalId, resource] of live) {
    if (await seedLiveRecord(stack, logicalId, resource)) seeded.push(logicalId);
  }
  const first = [...live].find(([, r]) => sourceOf(stack, r.physicalId) !== undefined);
  const change = first ? await changeBehindTheStacksBack(stack, first[0], first[1]) : undefined;

  const drift = await startDriftFunction(stack);
  try {
    const eventsBefore = stack.eventBridge?.events.length ?? 0;
    const run = await drift.invoke({}, { timeoutMs: 60_000 });
    return {
      afterStep,
      seeded,
      change,
      result: (run.result as Record<string, unknown> | null) ?? null,
      events: (stack.eventBridge?.events ?? []).slice(eventsBefore).map((e) => e.detail),
      durationMs: run.durationMs,
      ...(run.error && { error: `${run.error.errorType}: ${run.error.errorMessage}` }),
      logs: run.coldStart ? [...drift.initLogs, ...run.logs] : run.logs,
    };
  } finally {
    await drift.close();
  }
}

/**
 * STAND-IN STEP, to be deleted once the provider's lifecycle writes the resource records
 * itself: writes a resource's record (`resource#<StackId>#<LogicalResourceId>`, attribute `live`)
 * from the last successful request's properties and answer, only when the table has no `live`
 * for it. Resolves to whether it wrote one.
 */
export async function seedLiveRecord(
  stack: LocalStack,
  logicalId: string,
  resource: LiveResource,
): Promise<boolean> {
  const source = sourceOf(stack, resource.physicalId);
  if (stack.dynamo === undefined || source === undefined) return false;
  const documents = DynamoDBDocumentClient.from(stack.dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  try {
    await documents.send(
      new UpdateCommand({
        TableName: stack.dynamo.tableName,
        Key: { id: `resource#${stack.stackId}#${logicalId}` },
        UpdateExpression: 'SET #live = :live',
        ConditionExpression: 'attribute_not_exists(#live)',
        ExpressionAttributeNames: { '#live': 'live' },
        ExpressionAttributeValues: {
          ':live': {
            identitySourceId: source.identitySourceId,
            policyStoreId: source.policyStoreId,
            region: source.region,
            roleArn:
              typeof resource.properties.RoleArn === 'string'
                ? resource.properties.RoleArn
                : undefined,
            properties: appliedProperties(resource.properties),
            appliedAt: new Date().toISOString(),
          },
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

const sourceOf = (stack: LocalStack, identitySourceId: string) =>
  stack.verifiedPermissions.identitySources().find((s) => s.identitySourceId === identitySourceId);

/** A console user's edit: one more Cognito app client, or another OIDC entity id prefix. */
async function changeBehindTheStacksBack(
  stack: LocalStack,
  logicalId: string,
  resource: LiveResource,
): Promise<DriftReport['change']> {
  const source = sourceOf(stack, resource.physicalId)!;
  const client = new VerifiedPermissionsClient({
    region: source.region,
    endpoint: stack.verifiedPermissions.endpoint,
    credentials: { accessKeyId: 'AKIDCONSOLEUSER', secretAccessKey: 'console' },
  });
  try {
    const input = {
      policyStoreId: source.policyStoreId,
      identitySourceId: source.identitySourceId,
    };
    const { configuration } = await client.send(new GetIdentitySourceCommand(input));
    let updateConfiguration: UpdateConfiguration;
    let what: string;
    if (configuration?.cognitoUserPoolConfiguration) {
      const { userPoolArn, clientIds, groupConfiguration } =
        configuration.cognitoUserPoolConfiguration;
      updateConfiguration = {
        cognitoUserPoolConfiguration: {
          userPoolArn,
          clientIds: [...(clientIds ?? []), 'added-in-the-console'],
          ...(groupConfiguration?.groupEntityType !== undefined && {
            groupConfiguration: { groupEntityType: groupConfiguration.groupEntityType },
          }),
        },
      };
      what = 'app client "added-in-the-console" added to ClientIds';
    } else {
      const oidc = configuration?.openIdConnectConfiguration ?? {};
      updateConfiguration = {
        openIdConnectConfiguration: {
          ...(oidc as object),
          entityIdPrefix: 'ChangedInTheConsole',
        },
      } as UpdateConfiguration;
      what = 'EntityIdPrefix set to "ChangedInTheConsole"';
    }
    await client.send(new UpdateIdentitySourceCommand({ ...input, updateConfiguration }));
    return { logicalId, identitySourceId: source.identitySourceId, what };
  } finally {
    client.destroy();
  }
}
