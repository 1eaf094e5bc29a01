/**
 * The record of a local run: each request sent to the provider with what it caused, and the
 * run as a whole; and the run as one JSON document for a machine (every step with its request,
 * API calls with full request bodies, response and timing). The text report is made from the
 * same record.
 *
 * @module
 */
import type { CloudFormationResponse } from '../../local/local-stack.js';
import type { DriftReport } from './drift-step.js';
import type { PolicyStoreNeed } from './stack-model.js';

/**
 * Which part of the stack operation a request belongs to: `create` / `update` / `delete` of the
 * stack, `cleanup` after a successful update (deleting replaced or removed resources), or
 * `rollback` after a failure.
 */
export type Phase = 'create' | 'update' | 'cleanup' | 'rollback' | 'delete';

/** A request CloudFormation would send. */
export interface StepRequest {
  readonly phase: Phase;
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly logicalId: string;
  readonly properties: Record<string, unknown>;
  readonly physicalId?: string;
  readonly oldProperties?: Record<string, unknown>;
}

/** One Verified Permissions request the stand-in received. */
export interface ApiCall {
  readonly operation: string | undefined;
  /** The region it was signed for (SigV4 credential scope). */
  readonly region: string | undefined;
  /** HTTP status of the answer (undefined if none). */
  readonly status: number | undefined;
  readonly errorType?: string;
  /** The request body as sent. */
  readonly input: unknown;
}

/** One request and what it caused. */
export interface Step {
  readonly request: StepRequest;
  readonly requestId: string;
  readonly apiCalls: readonly ApiCall[];
  /** What CloudFormation would read back; undefined when no response arrived. */
  readonly response: CloudFormationResponse | undefined;
  readonly durationMs: number;
  /** The invocation's own error (a crash or timeout), if any. */
  readonly invocationError?: { readonly errorType: string; readonly errorMessage: string };
  /** The function's log lines during the request. */
  readonly logs: readonly string[];
}

/** Whether a step's request failed in CloudFormation's eyes (FAILED, or no response at all). */
export const stepFailed = (step: Step): boolean => step.response?.Status !== 'SUCCESS';

/** A whole run. */
export interface RunResult {
  readonly template: string;
  /** The template the Update was made from; undefined = no Update. */
  readonly updateTemplate: string | undefined;
  /** The `--set` texts applied to it. */
  readonly overrides: readonly string[];
  readonly region: string;
  readonly stackId: string;
  readonly policyStores: readonly PolicyStoreNeed[];
  readonly steps: readonly Step[];
  /** Things CloudFormation did or did not do that have no step (e.g. an Update skipped). */
  readonly notes: readonly string[];
  /** The drift check run after the Create and Update (undefined: the stack never stood). */
  readonly drift?: DriftReport;
  /** Identity sources still in the double after the run (should be none). */
  readonly identitySourcesLeft: readonly string[];
  readonly expectFailure: boolean;
  /** 0 when the outcome is as expected, else 1. */
  readonly exitCode: number;
}

/** Options of {@link renderJson}. */
export interface JsonOptions {
  /** Include the function's log lines in each step. */
  readonly logs: boolean;
}

/** The document, pretty-printed, ending with a newline. */
export function renderJson(result: RunResult, options: JsonOptions): string {
  const document = {
    template: result.template,
    updateTemplate: result.updateTemplate ?? null,
    overrides: result.overrides,
    region: result.region,
    stackId: result.stackId,
    policyStores: result.policyStores,
    steps: result.steps.map((step) => ({
      phase: step.request.phase,
      requestType: step.request.requestType,
      logicalResourceId: step.request.logicalId,
      requestId: step.requestId,
      physicalResourceId: step.request.physicalId ?? null,
      resourceProperties: step.request.properties,
      oldResourceProperties: step.request.oldProperties ?? null,
      apiCalls: step.apiCalls,
      response: step.response ?? null,
      durationMs: Math.round(step.durationMs),
      invocationError: step.invocationError ?? null,
      ...(options.logs && { logs: step.logs }),
    })),
    notes: result.notes,
    drift:
      result.drift === undefined
        ? null
        : {
            afterStep: result.drift.afterStep,
            change: result.drift.change ?? null,
            result: result.drift.result,
            events: result.drift.events,
            durationMs: Math.round(result.drift.durationMs),
            error: result.drift.error ?? null,
            ...(options.logs && { logs: result.drift.logs }),
          },
    identitySourcesLeft: result.identitySourcesLeft,
    outcome: {
      requests: result.steps.length,
      failed: result.steps.filter(stepFailed).length,
      expectFailure: result.expectFailure,
      exitCode: result.exitCode,
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
