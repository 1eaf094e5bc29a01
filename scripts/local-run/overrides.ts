/**
 * `--set Path=value`: changes to a custom resource's template properties for the Update step.
 *
 * @module
 */
import { LocalRunError } from './local-run-error.js';
import type { CustomResource } from './template.js';

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
