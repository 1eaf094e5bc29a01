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
import { startDriftFunction } from '../../local/drift-function.js';
import type { LocalStack } from '../../local/local-stack.js';
import type { LiveResource } from './lifecycle.js';

/** What the drift step did and what the check reported. */
export interface DriftReport {
  /** How many requests of the run came before the check. */
  readonly afterStep: number;
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
  const first = [...live].find(([, r]) => sourceOf(stack, r.physicalId) !== undefined);
  const change = first ? await changeBehindTheStacksBack(stack, first[0], first[1]) : undefined;

  const drift = await startDriftFunction(stack);
  try {
    const eventsBefore = stack.eventBridge?.events.length ?? 0;
    const run = await drift.invoke({}, { timeoutMs: 60_000 });
    return {
      afterStep,
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
