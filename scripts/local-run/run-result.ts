/**
 * The record of a local run: each request sent to the provider with what it caused, and the
 * run as a whole. The CLI's text and JSON reports are both made from it.
 *
 * @module
 */
import type { CloudFormationResponse } from '../../local/local-stack.js';
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
  /** Identity sources still in the double after the run (should be none). */
  readonly identitySourcesLeft: readonly string[];
  readonly expectFailure: boolean;
  /** 0 when the outcome is as expected, else 1. */
  readonly exitCode: number;
}
