/**
 * The drift check's run time for N managed identity sources: N policy stores with one source
 * each in the Verified Permissions double (made with the SDK, as fast as the double takes them),
 * N resource records in dynalite, one source in ten changed behind the stacks' back; then the
 * built `dist/drift.mjs` in a Lambda-like process checks them all, once cold and a few times warm.
 * What is measured is the invocation's wall time and the calls the stand-ins recorded.
 *
 * @module
 */
import {
  CreateIdentitySourceCommand,
  UpdateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { putLiveRecord, startDriftFunction } from '../../local/drift-function.js';
import { startLocalStack } from '../../local/local-stack.js';
import { summarize } from './stats.js';

export interface DriftRunOptions {
  /** N: managed sources. */
  readonly resources: number;
  /** Warm invocations after the cold one. */
  readonly warmRuns: number;
  /** Extra environment of the functions. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What one N measured. */
export interface DriftRun {
  readonly options: DriftRunOptions;
  /** The first invocation, in a new process (its import not included). */
  readonly coldMs: number;
  /** The module import of that process. */
  readonly initMs: number;
  /** Median of the warm invocations. */
  readonly warmMedianMs: number;
  /** The result of the last invocation. */
  readonly result: Record<string, unknown>;
  /** Per invocation: Scan requests, GetIdentitySource calls, PutEvents requests. */
  readonly calls: { readonly scans: number; readonly reads: number; readonly putEvents: number };
  readonly peakRssBytes: number;
}

const CLIENT_IDS = ['client-a', 'client-b'];

/**
 * @example
 * ```ts
 * const run = await runDrift({ resources: 100, warmRuns: 3 });
 * run.warmMedianMs; // e.g. 180
 * ```
 */
export async function runDrift(options: DriftRunOptions): Promise<DriftRun> {
  const stack = await startLocalStack({
    withEventBridge: true,
    ...(options.env && { env: options.env }),
  });
  const vp = new VerifiedPermissionsClient({
    region: stack.region,
    endpoint: stack.verifiedPermissions.endpoint,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
  });
  try {
    const userPoolArn = `arn:aws:cognito-idp:${stack.region}:${stack.accountId}:userpool/${stack.region}_Bench12345`;
    const indexes = Array.from({ length: options.resources }, (_, i) => i);
    for (let start = 0; start < indexes.length; start += 50) {
      await Promise.all(
        indexes.slice(start, start + 50).map(async (i) => {
          const policyStoreId = stack.verifiedPermissions.addPolicyStore();
          const configuration = {
            cognitoUserPoolConfiguration: { userPoolArn, clientIds: CLIENT_IDS },
          };
          const { identitySourceId } = await vp.send(
            new CreateIdentitySourceCommand({
              policyStoreId,
              configuration,
              principalEntityType: 'Bench::User',
            }),
          );
          await putLiveRecord(
            stack.dynamo!,
            { stackId: stack.stackId, logicalResourceId: `Source${i}` },
            {
              identitySourceId: identitySourceId!,
              policyStoreId,
              region: stack.region,
              properties: {
                PolicyStoreId: policyStoreId,
                Configuration: {
                  CognitoUserPoolConfiguration: { UserPoolArn: userPoolArn, ClientIds: CLIENT_IDS },
                },
                PrincipalEntityType: 'Bench::User',
              },
              appliedAt: new Date().toISOString(),
            },
          );
          if (i % 10 === 0) {
            await vp.send(
              new UpdateIdentitySourceCommand({
                policyStoreId,
                identitySourceId,
                updateConfiguration: {
                  cognitoUserPoolConfiguration: { userPoolArn, clientIds: ['client-a'] },
                },
              }),
            );
          }
        }),
      );
    }

    const drift = await startDriftFunction(stack, {
      env: { POWERTOOLS_LOG_LEVEL: 'WARN', ...options.env },
    });
    try {
      const counts = () => ({
        scans: stack.dynamo!.requests.filter((r) => r.operation === 'Scan').length,
        reads: stack.verifiedPermissions.requests.filter((r) => r.operation === 'GetIdentitySource')
          .length,
        putEvents: stack.eventBridge!.requests.length,
      });
      const timeoutMs = 900_000;
      const before = counts();
      const cold = await drift.invoke({}, { timeoutMs });
      if (cold.error) throw new Error(`drift check failed: ${cold.error.errorMessage}`);
      const after = counts();
      const warm: number[] = [];
      let result = cold.result as Record<string, unknown>;
      for (let run = 0; run < options.warmRuns; run++) {
        const invocation = await drift.invoke({}, { timeoutMs });
        if (invocation.error)
          throw new Error(`drift check failed: ${invocation.error.errorMessage}`);
        warm.push(invocation.durationMs);
        result = invocation.result as Record<string, unknown>;
      }
      return {
        options,
        coldMs: cold.durationMs,
        initMs: cold.initDurationMs ?? Number.NaN,
        warmMedianMs: summarize(warm).median,
        result,
        calls: {
          scans: after.scans - before.scans,
          reads: after.reads - before.reads,
          putEvents: after.putEvents - before.putEvents,
        },
        peakRssBytes: await drift.peakRssBytes(),
      };
    } finally {
      await drift.close();
    }
  } finally {
    vp.destroy();
    await stack.close();
  }
}
