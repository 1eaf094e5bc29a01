/**
 * Linting templates with the npm `cfn-lint` (1.9.x, retired; its resource specification is
 * from 2019), adjusted precisely for what that old specification cannot know:
 *
 * 1. Resource types it does not know (e.g. `AWS::VerifiedPermissions::*`) would make it fail
 *    with "invalid Type", and an `Fn::GetAtt` of such a resource even throws. Each such
 *    resource must be a type the current CloudFormation model (`@aws-cdk/aws-service-spec`)
 *    knows, or it is a failure (a typo). cfn-lint then sees it as a custom-resource stand-in
 *    (any properties, any attributes), so it still checks every `Ref`, `Fn::GetAtt`,
 *    `Fn::Sub`, … in and around it, while this module checks the resource's property names
 *    (nested ones included) and required properties against the current model instead.
 * 2. "P is not a valid property of T" is excused only when the current model accepts that
 *    exact location (property path, with list indices and map keys) on T (e.g. `Architectures` of `AWS::Serverless::Function`, added in
 *    2021). Any other finding, critical or warning, is a failure.
 *
 * cfn-lint runs in a child process: requiring it replaces the global `Buffer`, installs
 * source-map-support, and installs a winston uncaught-exception handler that exits the
 * process — none of which belongs in a test worker.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  hasPropertyPath,
  isKnownResourceType,
  loadNativeModel,
  unknownPropertyPaths,
} from './native-model.js';
import { type CfnTemplate, clone } from './templates.js';

const require = createRequire(import.meta.url);
const cfnLintRoot = dirname(require.resolve('cfn-lint/package.json'));

/** Type given to resources cfn-lint does not know (any `Custom::` type is a custom resource). */
export const STAND_IN_TYPE = 'Custom::CfnLintStandIn';
const STAND_IN_SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:cfn-lint-stand-in';

export interface LintFinding {
  readonly severity: 'crit' | 'warn';
  readonly message: string;
  /** Where, as cfn-lint says it: `Resources > Function > Properties > Architectures`. */
  readonly resource: string;
}

export interface LintOutcome {
  /** Findings that count: the template is fine when this is empty. */
  readonly failures: readonly LintFinding[];
  /** Findings excused because only cfn-lint's outdated specification objects, with why. */
  readonly excused: ReadonlyArray<LintFinding & { readonly reason: string }>;
  /** Resources linted as custom-resource stand-ins: logical id → original type. */
  readonly standIns: Readonly<Record<string, string>>;
  /** cfn-lint's resolved Outputs (mock values), e.g. for checking an Output resolves. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

interface CfnLintResult {
  templateValid: boolean;
  errors: Record<'crit' | 'warn' | 'info', Array<{ message: string; resource: string }>>;
  outputs: Record<string, unknown>;
}

let cfnLintTypes: Promise<ReadonlySet<string>> | undefined;

/** The resource types in cfn-lint's own specification (CloudFormation 2.29.0 + its SAM). */
export function cfnLintResourceTypes(): Promise<ReadonlySet<string>> {
  cfnLintTypes ??= (async () => {
    const types = new Set<string>();
    for (const file of ['aws_resources_specification.json', 'sam_20161031_cfn.json']) {
      const spec = JSON.parse(await readFile(join(cfnLintRoot, 'data', file), 'utf8')) as {
        ResourceTypes: Record<string, unknown>;
      };
      for (const type of Object.keys(spec.ResourceTypes)) types.add(type);
    }
    return types;
  })();
  return cfnLintTypes;
}

/**
 * Lints each template (parsed with `yaml-cfn`; not modified) in one cfn-lint child process
 * and classifies the findings as described in this module's documentation.
 */
export async function lintTemplates(
  templates: Readonly<Record<string, CfnTemplate>>,
): Promise<Record<string, LintOutcome>> {
  const known = await cfnLintResourceTypes();
  const names = Object.keys(templates);
  const prepared = await Promise.all(names.map((n) => prepare(templates[n]!, known)));
  const results = await runCfnLint(prepared.map((p) => p.template));
  const out: Record<string, LintOutcome> = {};
  for (const [i, name] of names.entries()) {
    const { standIns, failures } = prepared[i]!;
    const result = results[i]!;
    if (typeof result === 'string') {
      out[name] = {
        failures: [
          ...failures,
          { severity: 'crit', message: `cfn-lint threw: ${result}`, resource: '' },
        ],
        excused: [],
        standIns,
        outputs: {},
      };
      continue;
    }
    const classified = await classify(templates[name]!, result);
    out[name] = {
      failures: [...failures, ...classified.failures],
      excused: classified.excused,
      standIns,
      outputs: result.outputs,
    };
  }
  return out;
}

async function prepare(
  original: CfnTemplate,
  known: ReadonlySet<string>,
): Promise<{ template: CfnTemplate; standIns: Record<string, string>; failures: LintFinding[] }> {
  const template = clone(original);
  const standIns: Record<string, string> = {};
  const failures: LintFinding[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const type = resource.Type;
    if (typeof type !== 'string' || type.startsWith('Custom::') || known.has(type)) continue;
    const where = `Resources > ${logicalId}`;
    standIns[logicalId] = type;
    if (!(await isKnownResourceType(type))) {
      failures.push({
        severity: 'crit',
        message: `unknown resource type ${type}`,
        resource: where,
      });
    } else {
      const model = await loadNativeModel(type);
      const properties = resource.Properties ?? {};
      for (const path of unknownPropertyPaths(model, properties)) {
        failures.push({
          severity: 'crit',
          message: `${path} is not a property of ${type} (service spec)`,
          resource: `${where} > Properties > ${path.split('.').join(' > ')}`,
        });
      }
      for (const name of model.requiredPropertyNames) {
        if (!(name in properties)) {
          failures.push({
            severity: 'crit',
            message: `required property ${name} of ${type} is missing (service spec)`,
            resource: `${where} > Properties`,
          });
        }
      }
    }
    resource.Type = STAND_IN_TYPE;
    resource.Properties = { ServiceToken: STAND_IN_SERVICE_TOKEN, ...resource.Properties };
  }
  return { template, standIns, failures };
}

const NOT_A_VALID_PROPERTY =
  /^(\S+) is not a valid property of ([A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+)(\.\S+)?$/;

async function classify(
  template: CfnTemplate,
  result: CfnLintResult,
): Promise<{ failures: LintFinding[]; excused: Array<LintFinding & { reason: string }> }> {
  const failures: LintFinding[] = [];
  const excused: Array<LintFinding & { reason: string }> = [];
  for (const severity of ['crit', 'warn'] as const) {
    for (const { message, resource } of result.errors[severity]) {
      const finding = { severity, message, resource };
      const reason = await excuse(template, finding);
      if (reason) excused.push({ ...finding, reason });
      else failures.push(finding);
    }
  }
  return { failures, excused };
}

/** Why `finding` is only cfn-lint's outdated specification talking, or undefined. */
async function excuse(template: CfnTemplate, finding: LintFinding): Promise<string | undefined> {
  const match = NOT_A_VALID_PROPERTY.exec(finding.message);
  if (!match) return undefined;
  const [, property, type] = match;
  const location = finding.resource.split(' > ');
  const logicalId = location[1];
  if (location[0] !== 'Resources' || location[2] !== 'Properties' || logicalId === undefined) {
    return undefined;
  }
  if (template.Resources[logicalId]?.Type !== type || !(await isKnownResourceType(type!))) {
    return undefined;
  }
  const path = location.slice(3);
  if (path.at(-1) !== property) return undefined;
  return hasPropertyPath(await loadNativeModel(type), path)
    ? `the current CloudFormation model has ${type} property ${path.join('.')}`
    : undefined;
}

const CHILD_SCRIPT = `
const cfnLint = require(process.argv[1]);
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map((template) => {
    try {
      return cfnLint.validateJsonObject(template);
    } catch (error) {
      return String((error && error.stack) || error);
    }
  });
  process.stdout.write(JSON.stringify(results));
});
`;

/** Runs cfn-lint's validateJsonObject on each template in one child process. */
function runCfnLint(templates: readonly CfnTemplate[]): Promise<Array<CfnLintResult | string>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, cfnLintRoot], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`cfn-lint child exited with ${code}: ${stderr}`));
        return;
      }
      try {
        resolvePromise(JSON.parse(stdout) as Array<CfnLintResult | string>);
      } catch (error) {
        reject(new Error(`cfn-lint child printed no JSON (${String(error)}): ${stdout}${stderr}`));
      }
    });
    child.stdin.end(JSON.stringify(templates));
  });
}
