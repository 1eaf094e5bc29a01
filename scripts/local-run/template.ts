/**
 * The run's input: a CloudFormation template (YAML with the short-form tags, or JSON), the
 * custom resources the provider serves, and the values of its Parameters for one run
 * (`--param` values over defaults, checked the way CloudFormation checks them before it sends
 * any request). A problem with any input is a {@link LocalRunError}.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { yamlParse } from 'yaml-cfn';

/** A usage or template problem (the input is wrong); the CLI prints its message and exits with code 2. */
export class LocalRunError extends Error {
  override readonly name = 'LocalRunError';
}

/** The custom resource type the provider serves. */
export const CUSTOM_TYPE = 'Custom::VerifiedPermissionsIdentitySource';

/** One entry of a template's `Resources`. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
  readonly [key: string]: unknown;
}

/** One entry of a template's `Parameters`. */
export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly AllowedValues?: readonly unknown[];
  readonly AllowedPattern?: string;
  readonly [key: string]: unknown;
}

/** The parts of a template the local run reads. */
export interface Template {
  readonly Parameters?: Readonly<Record<string, TemplateParameter>>;
  readonly Resources: Readonly<Record<string, TemplateResource>>;
  readonly [key: string]: unknown;
}

/** A custom resource of the template, its properties still unresolved. */
export interface CustomResource {
  readonly logicalId: string;
  readonly properties: Record<string, unknown>;
}

/** A mapping (a JSON object), not a list or a scalar. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses template text (YAML with `!Ref`/`!Sub`/… tags, or JSON) and checks its outline.
 *
 * @param source - named in error messages, e.g. the file path.
 * @throws LocalRunError when the text is not a template with a `Resources` mapping.
 */
export function parseTemplate(text: string, source: string): Template {
  let parsed: unknown;
  try {
    parsed = yamlParse(text);
  } catch (error) {
    throw new LocalRunError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  if (!isRecord(parsed) || !isRecord(parsed.Resources)) {
    throw new LocalRunError(`${source}: not a CloudFormation template (no Resources mapping)`);
  }
  for (const [logicalId, resource] of Object.entries(parsed.Resources)) {
    if (!isRecord(resource) || typeof resource.Type !== 'string') {
      throw new LocalRunError(`${source}: resource ${logicalId} has no Type`);
    }
    if (resource.Properties !== undefined && !isRecord(resource.Properties)) {
      throw new LocalRunError(`${source}: ${logicalId}.Properties is not a mapping`);
    }
  }
  if (parsed.Parameters !== undefined && !isRecord(parsed.Parameters)) {
    throw new LocalRunError(`${source}: Parameters is not a mapping`);
  }
  return parsed as Template;
}

/** Reads and parses a template file; see {@link parseTemplate}. */
export async function readTemplate(path: string): Promise<Template> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new LocalRunError(`cannot read template ${path}: ${(error as Error).message}`);
  }
  return parseTemplate(text, path);
}

/**
 * The template's `Custom::VerifiedPermissionsIdentitySource` resources, in template order.
 *
 * @throws LocalRunError when one has a `Condition` (conditions are not evaluated).
 */
export function customResources(template: Template): CustomResource[] {
  const found: CustomResource[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== CUSTOM_TYPE) continue;
    if (resource.Condition !== undefined) {
      throw new LocalRunError(
        `${logicalId}: resources with a Condition are not supported by the local run`,
      );
    }
    found.push({ logicalId, properties: structuredClone(resource.Properties ?? {}) });
  }
  return found;
}

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
