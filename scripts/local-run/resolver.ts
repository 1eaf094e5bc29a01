/**
 * Resolves a custom resource's template properties into the `ResourceProperties`
 * CloudFormation would send: intrinsic functions evaluated against the run's parameters,
 * pseudo parameters and simulated resources, and every scalar turned into a string, as
 * CloudFormation does for custom resources. Pure: no I/O, no randomness.
 *
 * Supported: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`,
 * `AWS::NoValue`, and `Fn::ImportValue` for the `ServiceToken` only (it names the provider
 * function, which the local run replaces; the handler ignores it).
 *
 * @module
 */
import { SIMULATED_TYPES, type SimulatedResource } from './simulated-stack.js';
import { isRecord, LocalRunError, type ParameterValue } from './template.js';

/** Everything a name in the template can resolve to. */
export interface ResolveScope {
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  /** From {@link pseudoParameters}. */
  readonly pseudo: Readonly<Record<string, string | readonly string[]>>;
  /** From {@link simulateResources}. */
  readonly simulated: Readonly<Record<string, SimulatedResource>>;
  /** The type of every resource of the template, to explain what cannot be resolved. */
  readonly resourceTypes: Readonly<Record<string, string>>;
  /** What `Fn::ImportValue` gives for `ServiceToken`: the stand-in function's ARN. */
  readonly serviceToken: string;
}

/** `AWS::NoValue`: the property or list item disappears. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

type Resolved = unknown;

/**
 * Resolves one resource's `Properties`.
 *
 * @param logicalId - the resource, for error messages (`IdentitySource.Properties.X: …`).
 * @throws LocalRunError naming the property path, for an unknown name, a resource type the
 *   run does not simulate, an unknown attribute, or an unsupported intrinsic function.
 *
 * @example
 * resolveProperties('Source', { PolicyStoreId: { Ref: 'Store' } }, scope) // { PolicyStoreId: 'Ab…' }
 */
export function resolveProperties(
  logicalId: string,
  properties: Readonly<Record<string, unknown>>,
  scope: ResolveScope,
): Record<string, unknown> {
  const resolved = resolveValue(properties, scope, `${logicalId}.Properties`);
  return isRecord(resolved) ? (stringifyScalars(resolved) as Record<string, unknown>) : {};
}

function resolveValue(value: unknown, scope: ResolveScope, path: string): Resolved {
  if (Array.isArray(value)) {
    return value
      .map((item, index) => resolveValue(item, scope, `${path}.${index}`))
      .filter((item) => item !== NO_VALUE);
  }
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0] : undefined;
  if (only !== undefined && (only === 'Ref' || only.startsWith('Fn::') || only === 'Condition')) {
    return intrinsic(only, value[only], scope, path);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolveValue(item, scope, `${path}.${key}`);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function intrinsic(name: string, argument: unknown, scope: ResolveScope, path: string): Resolved {
  const fail = (message: string): never => {
    throw new LocalRunError(`${path}: ${name}: ${message}`);
  };
  switch (name) {
    case 'Ref':
      if (typeof argument !== 'string') fail('expects a name');
      return ref(argument as string, scope, path);
    case 'Fn::GetAtt': {
      const [resource, attribute] =
        typeof argument === 'string' ? splitOnce(argument, '.') : asArray(argument, 2, fail);
      if (typeof resource !== 'string' || typeof attribute !== 'string') {
        return fail('expects [LogicalId, Attribute]');
      }
      return getAtt(resource, attribute, scope, path);
    }
    case 'Fn::Sub':
      return sub(argument, scope, path, fail);
    case 'Fn::Join': {
      const [delimiter, items] = asArray(argument, 2, fail);
      const list = resolveValue(items, scope, path);
      if (typeof delimiter !== 'string' || !Array.isArray(list)) {
        return fail('expects [delimiter, list]');
      }
      return list.map((item) => scalarText(item, fail)).join(delimiter);
    }
    case 'Fn::Select': {
      const [index, items] = asArray(argument, 2, fail);
      const list = resolveValue(items, scope, path);
      const at = Number(resolveValue(index, scope, path));
      if (!Array.isArray(list) || !Number.isInteger(at) || at < 0 || at >= list.length) {
        return fail('expects [index, list] with the index inside the list');
      }
      return list[at];
    }
    case 'Fn::Split': {
      const [delimiter, text] = asArray(argument, 2, fail);
      const resolved = resolveValue(text, scope, path);
      if (typeof delimiter !== 'string' || typeof resolved !== 'string') {
        return fail('expects [delimiter, string]');
      }
      return resolved.split(delimiter);
    }
    case 'Fn::ImportValue': {
      if (!/\.Properties\.ServiceToken$/.test(path)) {
        return fail(
          "another stack's export is not available locally; pass the value as a parameter instead",
        );
      }
      resolveValue(argument, scope, path);
      return scope.serviceToken;
    }
    default:
      return fail('not supported by the local run');
  }
}

function ref(name: string, scope: ResolveScope, path: string): Resolved {
  if (name === 'AWS::NoValue') return NO_VALUE;
  const parameter = scope.parameters[name] ?? scope.pseudo[name];
  if (parameter !== undefined) return typeof parameter === 'string' ? parameter : [...parameter];
  return simulatedResource(name, scope, `${path}: Ref ${name}`).ref;
}

function getAtt(resource: string, attribute: string, scope: ResolveScope, path: string): Resolved {
  const where = `${path}: Fn::GetAtt ${resource}.${attribute}`;
  const simulated = simulatedResource(resource, scope, where);
  const value = simulated.attributes[attribute];
  if (value === undefined) {
    throw new LocalRunError(
      `${where}: the local run knows the attributes ${Object.keys(simulated.attributes).join(', ')} of ${simulated.type}`,
    );
  }
  return value;
}

function simulatedResource(name: string, scope: ResolveScope, where: string): SimulatedResource {
  const simulated = scope.simulated[name];
  if (simulated) return simulated;
  const type = scope.resourceTypes[name];
  if (type === undefined) {
    throw new LocalRunError(`${where}: no parameter, pseudo parameter or resource of that name`);
  }
  throw new LocalRunError(
    `${where}: resource type ${type} is not simulated by the local run (it simulates ${SIMULATED_TYPES.join(', ')})`,
  );
}

function sub(
  argument: unknown,
  scope: ResolveScope,
  path: string,
  fail: (message: string) => never,
): string {
  const [template, variables = {}] =
    typeof argument === 'string' ? [argument] : asArray(argument, 2, fail);
  if (typeof template !== 'string' || !isRecord(variables)) {
    return fail('expects a string or [string, {variables}]');
  }
  const local = new Map(
    Object.entries(variables).map(([key, value]) => [key, resolveValue(value, scope, path)]),
  );
  return template.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    if (local.has(name)) return scalarText(local.get(name), fail);
    if (name.includes('.')) {
      const [resource = '', attribute = ''] = splitOnce(name, '.');
      return scalarText(getAtt(resource, attribute, scope, path), fail);
    }
    return scalarText(ref(name, scope, path), fail);
  });
}

function asArray(value: unknown, length: number, fail: (message: string) => never): unknown[] {
  if (!Array.isArray(value) || value.length !== length) {
    return fail(`expects a list of ${length} items`);
  }
  return value;
}

function splitOnce(text: string, separator: string): [string, string] | [string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + separator.length)];
}

function scalarText(value: unknown, fail: (message: string) => never): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return fail(`expects text, got ${JSON.stringify(value)}`);
}

/** CloudFormation sends every number and boolean of a custom resource's properties as a string. */
function stringifyScalars(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyScalars(v)]));
  }
  return value;
}
