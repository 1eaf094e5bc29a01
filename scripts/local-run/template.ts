/**
 * Reading a CloudFormation template (YAML with the short-form tags, or JSON) and finding the
 * custom resources the provider serves.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { yamlParse } from 'yaml-cfn';
import { LocalRunError } from './local-run-error.js';

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

const isRecord = (value: unknown): value is Record<string, unknown> =>
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
