/**
 * The run as plain text for a person: a header, then each request with its API calls and the
 * response CloudFormation would read, then notes and a summary line — with what that takes:
 * terminal styles, property values as YAML-like lines, what changed between two property sets,
 * the gist of a Verified Permissions request, and compact log lines.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { DriftReport } from './drift-step.js';
import { type RunResult, type Step, stepFailed } from './run-result.js';
import { isRecord } from './template.js';

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
    if (result.drift?.afterStep === index + 1)
      lines.push('', ...renderDrift(result.drift, options));
    lastProperties.set(step.request.logicalId, {
      step: index + 1,
      properties: step.request.properties,
    });
  });
  if (result.drift !== undefined && result.drift.afterStep === 0) {
    lines.push('', ...renderDrift(result.drift, options));
  }
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

/** The drift check's part of the report: the change made, the counts, the events. */
function renderDrift(drift: DriftReport, { style, logs }: TextOptions): string[] {
  const title = '── Drift check (the stack created and updated, before its Delete) ';
  const lines = [style.heading(title.padEnd(RULE_WIDTH, '─'))];
  lines.push(style.label("Changed behind the stack's back"));
  lines.push(
    drift.change
      ? `  ${drift.change.logicalId} (${drift.change.identitySourceId}): ${drift.change.what}`
      : style.dim('  nothing (no identity source to change)'),
  );
  lines.push(style.label('Result'));
  if (drift.result) {
    lines.push(
      `  ${Object.entries(drift.result)
        .filter(([, value]) => typeof value === 'number')
        .map(([key, value]) => `${key} ${value}`)
        .join(', ')}`,
    );
  }
  if (drift.error) lines.push(style.bad(`  invocation error: ${drift.error}`));
  lines.push(style.label(`Events on the bus (${drift.events.length})`));
  for (const event of drift.events) {
    const repaired = event.Repaired === true ? ' (repaired)' : '';
    lines.push(
      `  ${style.bad(String(event.Status))} ${String(event.LogicalResourceId)} ${String(event.IdentitySourceId)}${repaired}`,
    );
    for (const difference of (event.Differences ?? []) as {
      Path: string;
      Expected: unknown;
      Actual: unknown;
    }[]) {
      lines.push(
        `    ${difference.Path}: ${shown(difference.Expected ?? undefined)} → ${shown(difference.Actual ?? undefined)}`,
      );
    }
  }
  lines.push(style.dim(`  (${Math.round(drift.durationMs)} ms)`));
  if (logs) {
    lines.push(style.label(`Drift check logs (${drift.logs.length})`));
    for (const line of drift.logs) lines.push(style.dim(`  ${formatLogLine(line)}`));
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

/** Wraps text in a style (or returns it unchanged). */
export type Paint = (text: string) => string;

/** The styles the text report uses. */
export interface Style {
  readonly heading: Paint;
  readonly label: Paint;
  readonly dim: Paint;
  readonly good: Paint;
  readonly bad: Paint;
}

const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

const plain: Paint = (text) => text;

/**
 * Styles for a stream: coloured only when it is a TTY and `NO_COLOR` is not set.
 *
 * @example
 * const style = styleFor(process.stdout); style.good('SUCCESS');
 */
export function styleFor(stream: { readonly isTTY?: boolean }): Style {
  const enabled = stream.isTTY === true && !process.env.NO_COLOR;
  if (!enabled) return { heading: plain, label: plain, dim: plain, good: plain, bad: plain };
  return {
    heading: ansi(1, 22),
    label: ansi(36, 39),
    dim: ansi(2, 22),
    good: ansi(32, 39),
    bad: ansi(31, 39),
  };
}

const isScalar = (value: unknown): boolean => value === null || typeof value !== 'object';

function scalar(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value) ?? String(value);
}

function inline(value: unknown): string | undefined {
  if (isScalar(value)) return scalar(value);
  if (Array.isArray(value) && value.every(isScalar)) return `[${value.map(scalar).join(', ')}]`;
  if (isRecord(value) && Object.keys(value).length === 0) return '{}';
  return undefined;
}

/**
 * The lines of a value: `key: scalar`, lists of scalars as `[a, b]`, mappings nested two
 * spaces deeper, lists of mappings as `- ` items.
 *
 * @example
 * formatValue({ A: 'x', B: { C: ['1', '2'] } }, '  ') // ['  A: x', '  B:', '    C: [1, 2]']
 */
function formatValue(value: unknown, indent = ''): string[] {
  const single = inline(value);
  if (single !== undefined) return [`${indent}${single}`];
  const lines: string[] = [];
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((item) => ['-', item])
    : Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const prefix = key === '-' && Array.isArray(value) ? '-' : `${key}:`;
    const itemInline = inline(item);
    if (itemInline !== undefined) lines.push(`${indent}${prefix} ${itemInline}`);
    else lines.push(`${indent}${prefix}`, ...formatValue(item, `${indent}  `));
  }
  return lines;
}

/** One changed leaf (or a whole list/mapping that appeared, disappeared or changed shape). */
interface PropertyChange {
  /** Dotted path below `Properties`. */
  readonly path: string;
  /** undefined = absent. */
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * The differences between `before` and `after`, descending into mappings present on both sides.
 *
 * @example
 * propertyChanges({ A: { B: 'x' } }, { A: { B: 'y' } }) // [{ path: 'A.B', before: 'x', after: 'y' }]
 */
function propertyChanges(before: unknown, after: unknown, path = ''): PropertyChange[] {
  if (isDeepStrictEqual(before, after)) return [];
  if (!isRecord(before) || !isRecord(after)) return [{ path, before, after }];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.flatMap((key) =>
    propertyChanges(before[key], after[key], path === '' ? key : `${path}.${key}`),
  );
}

const text = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/**
 * `[name, value]` pairs of a request body: `policyStoreId`, `identitySourceId`,
 * `principalEntityType`, `clientToken`, then which kind `configuration` / `updateConfiguration`
 * is, with its user pool or issuer, client ids or audiences, entity id prefix and group type.
 *
 * @example
 * keyFields({ policyStoreId: 'PS1', identitySourceId: 'IS1' }) // [['policyStoreId', 'PS1'], ['identitySourceId', 'IS1']]
 */
function keyFields(body: unknown): Array<[string, string]> {
  if (!isRecord(body)) return [];
  const fields: Array<[string, string]> = [];
  for (const name of ['policyStoreId', 'identitySourceId', 'principalEntityType', 'clientToken']) {
    if (body[name] !== undefined) fields.push([name, text(body[name])]);
  }
  for (const name of ['configuration', 'updateConfiguration']) {
    const configuration = body[name];
    if (!isRecord(configuration)) continue;
    const cognito = configuration.cognitoUserPoolConfiguration;
    const oidc = configuration.openIdConnectConfiguration;
    if (isRecord(cognito)) {
      fields.push([name, 'cognitoUserPoolConfiguration']);
      fields.push(['userPoolArn', text(cognito.userPoolArn)]);
      if (cognito.clientIds !== undefined) fields.push(['clientIds', text(cognito.clientIds)]);
      pushGroup(fields, cognito.groupConfiguration);
    } else if (isRecord(oidc)) {
      fields.push([name, 'openIdConnectConfiguration']);
      fields.push(['issuer', text(oidc.issuer)]);
      if (oidc.entityIdPrefix !== undefined) {
        fields.push(['entityIdPrefix', text(oidc.entityIdPrefix)]);
      }
      const selection = isRecord(oidc.tokenSelection) ? oidc.tokenSelection : {};
      for (const [kind, detail] of Object.entries(selection)) {
        const audience = isRecord(detail) ? (detail.audiences ?? detail.clientIds) : undefined;
        fields.push([
          'tokenSelection',
          audience === undefined ? kind : `${kind} ${text(audience)}`,
        ]);
      }
      pushGroup(fields, oidc.groupConfiguration);
    }
  }
  return fields;
}

function pushGroup(fields: Array<[string, string]>, group: unknown): void {
  if (isRecord(group) && group.groupEntityType !== undefined) {
    fields.push(['groupEntityType', text(group.groupEntityType)]);
  }
}

/** Keys Powertools or the request context put on every line. */
const COMMON_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'RequestType',
  'StackId',
  'RequestId',
  'LogicalResourceId',
  'PhysicalResourceId',
]);

/**
 * A Powertools JSON line as `LEVEL message key=value …`, without the keys every line repeats;
 * other lines stay as they are.
 *
 * @example
 * formatLogLine('{"level":"INFO","message":"Plan","service":"x","action":"create"}') // 'INFO Plan action=create'
 */
function formatLogLine(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line;
  }
  if (!isRecord(parsed) || !('message' in parsed)) return line;
  const extras = Object.entries(parsed)
    .filter(([key]) => !COMMON_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [parsed.level, parsed.message, ...extras].filter((part) => part !== undefined).join(' ');
}
