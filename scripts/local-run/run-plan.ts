/**
 * The inputs of one run read and checked before anything starts: the template, the update
 * template (or none), the parameters and the `--set` overrides (changes to a custom resource's
 * template properties for the Update step).
 *
 * @module
 */
import { access } from 'node:fs/promises';
import type { CliOptions } from './cli.js';
import type { LocalStackIdentity } from './simulated-stack.js';
import { resolveStack, type StackModel } from './stack-model.js';
import {
  type CustomResource,
  checkParameterNames,
  customResources,
  LocalRunError,
  readTemplate,
  resolveParameters,
  type Template,
} from './template.js';

/** The checked inputs; {@link RunPlan.resolve} turns them into models for a running stack. */
export interface RunPlan {
  readonly templatePath: string;
  /** The template the Update is made from (the template itself when only `--set` changes it); undefined = no Update. */
  readonly updatePath: string | undefined;
  /** The `--set` texts. */
  readonly overrides: readonly string[];
  /** The models for a stack: `update` undefined = no Update step. */
  resolve(stack: LocalStackIdentity): { create: StackModel; update: StackModel | undefined };
}

/** `examples/cognito.yaml` → `examples/cognito-update.yaml`. */
export const defaultUpdatePath = (templatePath: string): string =>
  templatePath.replace(/(\.[^./]+)?$/, (extension) => `-update${extension}`);

/**
 * Reads the templates and checks every input by resolving once for a provisional stack, so
 * that mistakes surface before the stand-ins start.
 *
 * @throws LocalRunError for unreadable templates, templates without custom resources, unknown
 *   or missing parameters, bad `--set` values, or anything the resolver cannot resolve.
 */
export async function loadRunPlan(options: CliOptions): Promise<RunPlan> {
  const template = await readTemplate(options.template);
  const logicalIds = customResources(template).map((resource) => resource.logicalId);
  if (logicalIds.length === 0) {
    throw new LocalRunError(
      `${options.template}: no Custom::VerifiedPermissionsIdentitySource resource to run`,
    );
  }
  const updatePath = options.update ?? (await existing(defaultUpdatePath(options.template)));
  const updateTemplate = updatePath === undefined ? undefined : await readTemplate(updatePath);
  const overrideTargets = customResources(updateTemplate ?? template).map((r) => r.logicalId);
  const overrides = options.set.map((text) => parseOverride(text, overrideTargets));
  checkParameterNames([template, ...(updateTemplate ? [updateTemplate] : [])], options.parameters);

  const model = (source: Template, stack: LocalStackIdentity, changes: PropertyOverride[]) =>
    resolveStack(source, {
      stack,
      parameters: resolveParameters(source, options.parameters),
      adjust: (resource) => applyOverrides(resource, changes),
    });
  const updateSource = updateTemplate ?? (overrides.length > 0 ? template : undefined);
  const plan: RunPlan = {
    templatePath: options.template,
    updatePath: updatePath ?? (updateSource === undefined ? undefined : options.template),
    overrides: options.set,
    resolve(stack) {
      return {
        create: model(template, stack, []),
        update: updateSource === undefined ? undefined : model(updateSource, stack, overrides),
      };
    },
  };
  plan.resolve({
    region: options.region,
    stackId: `arn:aws:cloudformation:${options.region}:123456789012:stack/local-stack/provisional`,
  });
  return plan;
}

async function existing(path: string): Promise<string | undefined> {
  try {
    await access(path);
    return path;
  } catch {
    return undefined;
  }
}

/** One `--set`, parsed. */
export interface PropertyOverride {
  /** The custom resource it targets; undefined = the template's only one. */
  readonly logicalId: string | undefined;
  /** Keys (and list indexes) below `Properties`. */
  readonly path: readonly string[];
  /** A JSON value, or the raw text when it is not JSON. May hold intrinsics (`{"Ref": …}`). */
  readonly value: unknown;
}

/**
 * Parses `Path=value` (or `LogicalId.Path=value` when the template has several custom resources).
 *
 * @param logicalIds - the custom resources of the template the override goes to.
 * @throws LocalRunError for a missing `=` or path, or an unknown logical id.
 *
 * @example
 * parseOverride('PrincipalEntityType=MyApp::Person', ['IdentitySource'])
 * // { logicalId: undefined, path: ['PrincipalEntityType'], value: 'MyApp::Person' }
 */
export function parseOverride(text: string, logicalIds: readonly string[]): PropertyOverride {
  const at = text.indexOf('=');
  const path = (at < 0 ? '' : text.slice(0, at)).split('.').filter((part) => part !== '');
  if (at < 0 || path.length === 0) {
    throw new LocalRunError(
      `--set ${text}: expected Path=value, e.g. PrincipalEntityType=MyApp::Person`,
    );
  }
  const raw = text.slice(at + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: the text itself.
  }
  if (logicalIds.length <= 1) return { logicalId: undefined, path, value };
  const [logicalId, ...rest] = path;
  if (logicalId === undefined || !logicalIds.includes(logicalId) || rest.length === 0) {
    throw new LocalRunError(
      `--set ${text}: the template has several custom resources; start the path with one of ${logicalIds.join(', ')}`,
    );
  }
  return { logicalId, path: rest, value };
}

/** The resource's properties with the overrides that target it applied (a copy). */
export function applyOverrides(
  resource: CustomResource,
  overrides: readonly PropertyOverride[],
): Record<string, unknown> {
  const properties = structuredClone(resource.properties);
  for (const { logicalId, path, value } of overrides) {
    if (logicalId !== undefined && logicalId !== resource.logicalId) continue;
    setAt(properties, path, structuredClone(value));
  }
  return properties;
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> | unknown[] = target;
  for (const [index, key] of path.entries()) {
    const last = index === path.length - 1;
    const slot = Array.isArray(node) ? Number(key) : key;
    if (Array.isArray(node) && !Number.isInteger(slot)) {
      throw new LocalRunError(`--set ${path.join('.')}: ${key} is not a list index`);
    }
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[slot] = value;
      return;
    }
    const next = container[slot];
    if (typeof next !== 'object' || next === null) container[slot] = {};
    node = container[slot] as Record<string, unknown> | unknown[];
  }
}
