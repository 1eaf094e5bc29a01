/**
 * Finding and parsing the repository's CloudFormation templates (`template.yaml` and every
 * YAML file under `examples/`), with the short-form tags (`!Ref`, `!Sub`, …) that `yaml-cfn`
 * turns into their long form (`{ Ref: … }`, `{ 'Fn::Sub': … }`; `!GetAtt A.B.C` becomes
 * `{ 'Fn::GetAtt': ['A', 'B.C'] }`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { yamlParse } from 'yaml-cfn';

/** The repository root. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The provider's SAM template, relative to the repository root. */
export const PROVIDER_TEMPLATE = 'template.yaml';

/** The custom resource type the provider serves. */
export const CUSTOM_TYPE = 'Custom::VerifiedPermissionsIdentitySource';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
  [key: string]: unknown;
}

export interface CfnParameter {
  Type: string;
  Default?: unknown;
  AllowedValues?: unknown[];
  [key: string]: unknown;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string;
  Transform?: string | string[];
  Description?: string;
  Parameters?: Record<string, CfnParameter>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown }; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** Paths (relative to the repository root, `/`-separated, sorted) of every example template. */
export async function exampleTemplatePaths(): Promise<string[]> {
  const root = join(projectRoot, 'examples');
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => relative(projectRoot, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** `template.yaml` followed by every example template. */
export async function allTemplatePaths(): Promise<string[]> {
  return [PROVIDER_TEMPLATE, ...(await exampleTemplatePaths())];
}

/** Parses a YAML template (path relative to the repository root) with `yaml-cfn`. */
export async function loadTemplate(path: string): Promise<CfnTemplate> {
  const parsed: unknown = yamlParse(await readFile(join(projectRoot, path), 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || !('Resources' in parsed)) {
    throw new Error(`${path}: not a CloudFormation template (no Resources)`);
  }
  return parsed as CfnTemplate;
}

/** The resources of `template` whose Type is `type`, as `[logicalId, resource]` pairs. */
export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** A deep copy of a JSON-like value (templates parsed from YAML are plain data). */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
