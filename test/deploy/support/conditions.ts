/**
 * What part of a template becomes for one deployment's parameter values: its Conditions
 * evaluated, and in a value `Fn::If` decided, `AWS::NoValue` removed and a `Ref` to a parameter
 * replaced by its value, as CloudFormation does. Only the functions this project's templates use in Conditions are understood (`Ref` to
 * a parameter, `Fn::Join`, `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`);
 * anything else throws, so a test never reads a guess.
 *
 * @example
 * const resolved = resolveForDeployment(statements, template, { AssumableRoleArns: [''] });
 */
import type { DeploymentParameters } from './deployments.js';
import type { CfnTemplate } from './templates.js';

type Value = string | boolean | Value[];

function evaluate(expression: unknown, template: CfnTemplate, params: DeploymentParameters): Value {
  if (typeof expression === 'string' || typeof expression === 'boolean') return expression;
  if (expression === null || typeof expression !== 'object' || Array.isArray(expression)) {
    throw new Error(`cannot evaluate ${JSON.stringify(expression)}`);
  }
  const entries = Object.entries(expression);
  if (entries.length !== 1) throw new Error(`cannot evaluate ${JSON.stringify(expression)}`);
  const [[fn, arg]] = entries as [[string, unknown]];
  const args = (): Value[] => (arg as unknown[]).map((a) => evaluate(a, template, params));
  switch (fn) {
    case 'Ref':
      return parameterValue(String(arg), template, params);
    case 'Fn::Join': {
      const [separator, list] = arg as [string, unknown];
      const items = evaluate(list, template, params);
      return (Array.isArray(items) ? items : [items]).join(separator);
    }
    case 'Fn::Equals': {
      const [a, b] = args();
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case 'Fn::Not':
      return !args()[0];
    case 'Fn::And':
      return args().every(Boolean);
    case 'Fn::Or':
      return args().some(Boolean);
    case 'Condition':
      return conditionHolds(String(arg), template, params);
    default:
      throw new Error(`${fn} is not understood in a condition here`);
  }
}

/** A parameter's value for the deployment: given, else the default (a list split on commas). */
function parameterValue(name: string, template: CfnTemplate, params: DeploymentParameters): Value {
  const parameter = template.Parameters?.[name];
  if (!parameter) throw new Error(`no parameter ${name}`);
  const value = params[name] ?? parameter.Default;
  if (value === undefined) throw new Error(`no value for parameter ${name}`);
  if (typeof value !== 'string') return [...(value as string[])];
  return parameter.Type === 'CommaDelimitedList' ? value.split(',') : value;
}

/** Whether the template's condition `name` holds for these parameter values. */
export function conditionHolds(
  name: string,
  template: CfnTemplate,
  params: DeploymentParameters,
): boolean {
  const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
  if (!(name in conditions)) throw new Error(`no condition ${name}`);
  return evaluate(conditions[name], template, params) === true;
}

const NO_VALUE = Symbol('AWS::NoValue');

function resolve(value: unknown, template: CfnTemplate, params: DeploymentParameters): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => resolve(v, template, params)).filter((v) => v !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]![0] === 'Fn::If') {
    const [name, then, otherwise] = entries[0]![1] as [string, unknown, unknown];
    return resolve(conditionHolds(name, template, params) ? then : otherwise, template, params);
  }
  if (entries.length === 1 && entries[0]![0] === 'Ref') {
    const name = String(entries[0]![1]);
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (template.Parameters?.[name]) return parameterValue(name, template, params);
  }
  return Object.fromEntries(
    entries
      .map(([k, v]) => [k, resolve(v, template, params)] as const)
      .filter(([, v]) => v !== NO_VALUE),
  );
}

/** `value` (part of `template`) as the deployment with these parameter values makes it. */
export function resolveForDeployment<T>(
  value: T,
  template: CfnTemplate,
  params: DeploymentParameters,
): T {
  return resolve(value, template, params) as T;
}
