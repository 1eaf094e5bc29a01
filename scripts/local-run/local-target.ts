/**
 * The local stand-ins the run drives: `startLocalStack` from `local/` (the Verified
 * Permissions double, dynalite, the response bucket, EventBridge, the bundle in a Lambda-like
 * process),
 * wrapped so that it takes the lifecycle's requests and gives back {@link Step}s.
 *
 * @module
 */
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { type DriftReport, runDriftStep } from './drift-step.js';
import type { LiveResource } from './lifecycle.js';
import type { Step, StepRequest } from './run-result.js';
import type { LocalStackIdentity } from './simulated-stack.js';
import type { PolicyStoreNeed, StackModel } from './stack-model.js';

/** The running stand-ins. */
export interface LocalTarget {
  readonly identity: LocalStackIdentity;
  /** Every policy store added to the double so far. */
  readonly policyStores: readonly PolicyStoreNeed[];
  /** Adds the model's policy stores the double does not have yet (by id: a store has one region). */
  prepare(model: StackModel): void;
  send(request: StepRequest): Promise<Step>;
  /** Changes a live source behind the stack's back and runs the drift check (`drift-step.ts`). */
  checkDrift(live: ReadonlyMap<string, LiveResource>, afterStep: number): Promise<DriftReport>;
  /** Ids of the identity sources the double holds now. */
  identitySources(): string[];
  close(): Promise<void>;
}

/** Options of {@link startLocalTarget}. */
export interface LocalTargetOptions {
  readonly region: string;
  /** The bundle to run; default `dist/handler.mjs`. */
  readonly bundlePath?: string;
}

/** Starts the stand-ins (a few hundred milliseconds). */
export async function startLocalTarget(options: LocalTargetOptions): Promise<LocalTarget> {
  const stack: LocalStack = await startLocalStack({
    region: options.region,
    withEventBridge: true,
    ...(options.bundlePath !== undefined && { bundlePath: options.bundlePath }),
  });
  const added: PolicyStoreNeed[] = [];
  return {
    identity: { region: stack.region, stackId: stack.stackId },
    policyStores: added,
    prepare(model) {
      for (const store of model.policyStores) {
        // A policy store lives in one region: an id seen before keeps its first region.
        if (added.some((known) => known.id === store.id)) continue;
        stack.verifiedPermissions.addPolicyStore(store.id, { region: store.region });
        added.push(store);
      }
    },
    async send(request) {
      const exchange = await stack.send({
        RequestType: request.requestType,
        LogicalResourceId: request.logicalId,
        ResourceProperties: request.properties,
        ...(request.physicalId !== undefined && { PhysicalResourceId: request.physicalId }),
        ...(request.oldProperties !== undefined && {
          OldResourceProperties: request.oldProperties,
        }),
      });
      const { invocation } = exchange;
      return {
        request,
        requestId: String(exchange.event.RequestId),
        apiCalls: exchange.apiCalls.map((call) => ({
          operation: call.operation,
          region: call.region,
          status: call.status,
          ...(call.errorType !== undefined && { errorType: call.errorType }),
          input: call.body,
        })),
        response: exchange.response,
        durationMs: invocation.durationMs,
        ...(invocation.error && {
          invocationError: {
            errorType: invocation.error.errorType,
            errorMessage: invocation.error.errorMessage,
          },
        }),
        logs: invocation.logs,
      };
    },
    checkDrift: (live, afterStep) => runDriftStep(stack, live, afterStep),
    identitySources: () =>
      stack.verifiedPermissions.identitySources().map((source) => source.identitySourceId),
    close: () => stack.close(),
  };
}
