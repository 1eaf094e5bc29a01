/**
 * The run as plain text for a person: a header, then each request with its API calls and the
 * response CloudFormation would read, then notes and a summary line.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { keyFields } from './api-call-fields.js';
import { formatLogLine } from './format-log-line.js';
import { formatValue } from './format-value.js';
import { propertyChanges } from './property-diff.js';
import { type RunResult, type Step, stepFailed } from './run-result.js';
import type { Style } from './style.js';

/** Options of {@link renderText}. */
export interface TextOptions {
  readonly style: Style;
  /** Include the function's log lines under each request. */
  readonly logs: boolean;
}

const RULE_WIDTH = 78;

/** The whole report, ending with a newline. */
export function renderText(result: RunResult, options: TextOptions): string {
  const { style } = options;
  const update =
    result.updateTemplate === undefined
      ? '(none)'
      : [result.updateTemplate, ...result.overrides.map((text) => `--set ${text}`)].join(' ');
  const lines: string[] = [
    style.heading(`Local run of ${result.template}`),
    `  update from       ${update}`,
    `  region            ${result.region}`,
    `  stack             ${result.stackId}`,
  ];
  if (result.policyStores.length > 0) {
    lines.push('  policy stores in the Verified Permissions double:');
    for (const store of result.policyStores) {
      lines.push(`    ${store.id}  ${store.region}  ${style.dim(`(${store.origin})`)}`);
    }
  }
  const lastProperties = new Map<string, { step: number; properties: unknown }>();
  result.steps.forEach((step, index) => {
    const previous = lastProperties.get(step.request.logicalId);
    const same = previous && isDeepStrictEqual(previous.properties, step.request.properties);
    lines.push('', ...renderStep(step, index + 1, same ? previous.step : undefined, options));
    lastProperties.set(step.request.logicalId, {
      step: index + 1,
      properties: step.request.properties,
    });
  });
  if (result.notes.length > 0) {
    lines.push('', style.heading('Notes'), ...result.notes.map((note) => `  ${note}`));
  }
  lines.push('', summary(result, style));
  return `${lines.join('\n')}\n`;
}

/**
 * @param sameAsStep - an earlier step that sent the same properties for the resource (they
 *   are then not repeated).
 */
function renderStep(
  step: Step,
  number: number,
  sameAsStep: number | undefined,
  { style, logs }: TextOptions,
): string[] {
  const { request, response } = step;
  const phase =
    request.phase === 'cleanup' || request.phase === 'rollback' ? ` (${request.phase})` : '';
  const title = `── ${number}. ${request.requestType} ${request.logicalId}${phase} `;
  const lines = [style.heading(title.padEnd(RULE_WIDTH, '─'))];

  lines.push(style.label('Request'));
  lines.push(`  RequestType          ${request.requestType}`);
  lines.push(`  LogicalResourceId    ${request.logicalId}`);
  lines.push(`  RequestId            ${step.requestId}`);
  if (request.physicalId !== undefined) {
    lines.push(`  PhysicalResourceId   ${request.physicalId}`);
  }
  if (request.oldProperties !== undefined) {
    lines.push('  changed properties');
    for (const change of propertyChanges(request.oldProperties, request.properties)) {
      lines.push(`    ${change.path}: ${shown(change.before)} → ${shown(change.after)}`);
    }
  }
  if (sameAsStep === undefined) {
    lines.push('  ResourceProperties', ...formatValue(request.properties, '    '));
  } else {
    lines.push(`  ResourceProperties   ${style.dim(`(as in request ${sameAsStep})`)}`);
  }

  lines.push(style.label(`API calls (${step.apiCalls.length})`));
  if (step.apiCalls.length === 0) lines.push(style.dim('  none'));
  for (const call of step.apiCalls) {
    const outcome = call.errorType
      ? style.bad(`${call.status} ${call.errorType}`)
      : `${call.status}`;
    lines.push(`  ${call.operation ?? '?'}  signed for ${call.region ?? '?'}  → ${outcome}`);
    for (const [name, value] of keyFields(call.input)) {
      const note = name === 'clientToken' && value === step.requestId ? ' (= RequestId)' : '';
      lines.push(`    ${name}: ${value}${style.dim(note)}`);
    }
  }

  lines.push(style.label('Response'));
  if (response === undefined) {
    lines.push(style.bad('  none arrived (CloudFormation would wait, then time out)'));
  } else {
    const status = response.Status === 'SUCCESS' ? style.good : style.bad;
    lines.push(`  Status               ${status(response.Status)}`);
    lines.push(`  PhysicalResourceId   ${response.PhysicalResourceId}`);
    if (response.Reason !== undefined) lines.push(`  Reason               ${response.Reason}`);
    if (response.Data !== undefined) lines.push('  Data', ...formatValue(response.Data, '    '));
  }
  if (step.invocationError) {
    const { errorType, errorMessage } = step.invocationError;
    lines.push(style.bad(`  invocation error: ${errorType}: ${errorMessage}`));
  }
  lines.push(style.dim(`  (${Math.round(step.durationMs)} ms)`));

  if (logs) {
    lines.push(style.label(`Function logs (${step.logs.length})`));
    for (const line of step.logs) lines.push(style.dim(`  ${formatLogLine(line)}`));
  }
  return lines;
}

function shown(value: unknown): string {
  if (value === undefined) return '(absent)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function summary(result: RunResult, style: Style): string {
  const failed = result.steps.filter(stepFailed).length;
  const counts = `${result.steps.length} requests, ${result.steps.length - failed} SUCCESS, ${failed} FAILED`;
  const left =
    result.identitySourcesLeft.length === 0
      ? 'no identity source left in the double'
      : `identity sources left in the double: ${result.identitySourcesLeft.join(', ')}`;
  const verdict =
    result.exitCode === 0
      ? style.good(result.expectFailure ? 'failure as expected' : 'OK')
      : style.bad(result.expectFailure ? 'expected a FAILED response, got none' : 'FAILED');
  return `${style.heading('Result')}: ${verdict} — ${counts}; ${left}.`;
}
