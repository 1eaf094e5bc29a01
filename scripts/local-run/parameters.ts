/**
 * The values of a template's Parameters for one run: `--param` values over defaults, checked
 * the way CloudFormation checks them before it sends any request.
 *
 * @module
 */
import { LocalRunError } from './local-run-error.js';
import type { Template, TemplateParameter } from './template.js';

/** A parameter's value as `Ref` gives it: a string, or a list for list types. */
export type ParameterValue = string | readonly string[];

const isListType = (type: string): boolean =>
  type === 'CommaDelimitedList' || type.startsWith('List<');

/**
 * Resolves every parameter of the template.
 *
 * @param given - values from the command line (`--param Name=value`), as strings; names the
 *   template does not declare are ignored (see {@link checkParameterNames}).
 * @throws LocalRunError for a parameter with neither a
 *   value nor a `Default`, a type the run cannot supply (SSM parameter types), or a value that
 *   breaks `AllowedValues` / `AllowedPattern`.
 */
export function resolveParameters(
  template: Template,
  given: Readonly<Record<string, string>>,
): Record<string, ParameterValue> {
  const declared = template.Parameters ?? {};
  const values: Record<string, ParameterValue> = {};
  const missing: string[] = [];
  for (const [name, parameter] of Object.entries(declared)) {
    const raw = given[name] ?? defaultOf(parameter);
    if (raw === undefined) {
      missing.push(name);
      continue;
    }
    values[name] = checked(name, parameter, raw);
  }
  if (missing.length > 0) {
    throw new LocalRunError(
      `parameters without a Default need a value: ${missing.map((n) => `--param ${n}=…`).join(' ')}`,
    );
  }
  return values;
}

function defaultOf(parameter: TemplateParameter): string | undefined {
  const value = parameter.Default;
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

function checked(name: string, parameter: TemplateParameter, raw: string): ParameterValue {
  if (parameter.Type.startsWith('AWS::SSM::')) {
    throw new LocalRunError(
      `parameter ${name}: type ${parameter.Type} reads SSM, which the local run does not have`,
    );
  }
  const list = isListType(parameter.Type);
  const items = list ? raw.split(',').map((item) => item.trim()) : [raw];
  for (const item of items) {
    const allowed = parameter.AllowedValues?.map(String);
    if (allowed !== undefined && !allowed.includes(item)) {
      throw new LocalRunError(
        `parameter ${name}: ${JSON.stringify(item)} is not one of its AllowedValues (${allowed.join(', ')})`,
      );
    }
    const pattern = parameter.AllowedPattern;
    if (pattern !== undefined && !new RegExp(`^(?:${pattern})$`).test(item)) {
      throw new LocalRunError(
        `parameter ${name}: ${JSON.stringify(item)} does not match its AllowedPattern ${pattern}`,
      );
    }
  }
  return list ? items : raw;
}

/**
 * Checks that every given parameter name is declared by at least one of the templates.
 *
 * @throws LocalRunError naming the unknown ones.
 */
export function checkParameterNames(
  templates: readonly Template[],
  given: Readonly<Record<string, string>>,
): void {
  const declared = new Set(templates.flatMap((t) => Object.keys(t.Parameters ?? {})));
  const unknown = Object.keys(given).filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    throw new LocalRunError(
      `--param ${unknown.join(', ')}: not a parameter of the template (it has: ${[...declared].join(', ') || 'none'})`,
    );
  }
}
