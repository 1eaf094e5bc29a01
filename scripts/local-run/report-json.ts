/**
 * The run as one JSON document for a machine: every step with its request, API calls (full
 * request bodies), response and timing.
 *
 * @module
 */
import { type RunResult, stepFailed } from './run-result.js';

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
