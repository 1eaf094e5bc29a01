/**
 * The native CloudFormation model of a resource type, read from `@aws-cdk/aws-service-spec`
 * (the CloudFormation registry schemas as the AWS CDK consumes them).
 *
 * Used to keep `Custom::VerifiedPermissionsIdentitySource` a drop-in for
 * `AWS::VerifiedPermissions::IdentitySource`: the examples may only use the native property
 * names, and the provider's own schema can be checked for parity against the same model.
 *
 * ```ts
 * const model = await loadNativeModel(); // AWS::VerifiedPermissions::IdentitySource
 * model.propertyNames;        // ['Configuration', 'PolicyStoreId', 'PrincipalEntityType']
 * model.createOnlyPropertyPaths; // ['PolicyStoreId']
 * model.attributeNames;       // ['Details', 'Details.ClientIds', ..., 'IdentitySourceId']
 * model.types.CognitoUserPoolConfiguration.propertyNames; // ['ClientIds', 'GroupConfiguration', 'UserPoolArn']
 * unknownPropertyPaths(model, resource.Properties, ['ServiceToken', 'Region']); // []
 * ```
 *
 * What the model does not say: `Configuration` (and `TokenSelection`) take exactly one of
 * their members (a `oneOf` in the registry schema; the spec lists both as optional), value
 * patterns and lengths, and `UpdateConfiguration` — mentioned in the documentation but not a
 * property of the native type (CONTRACT.md accepts it as a provider extension).
 *
 * Loading the service spec takes about 0.6 s (a 2.6 MB gzipped database); the database and
 * each resource model are loaded once per module instance (vitest: once per test file).
 */
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';

/** The native resource type the provider stands in for. */
export const IDENTITY_SOURCE_TYPE = 'AWS::VerifiedPermissions::IdentitySource';

/** The shape of a property's value, as the service spec describes it. */
export type NativeTypeRef =
  | {
      readonly kind: 'primitive';
      /** `string`, `number`, `integer`, `boolean`, `json`, `date-time`, `null` or `tag`. */
      readonly primitive: string;
      /** Allowed values, where the spec lists them (e.g. `OpenIdIssuer`: `['COGNITO']`). */
      readonly allowedValues?: readonly (string | number)[];
    }
  /** A nested object type; `typeName` is a key of {@link NativeResourceModel.types}. */
  | { readonly kind: 'ref'; readonly typeName: string }
  | { readonly kind: 'array'; readonly element: NativeTypeRef }
  | { readonly kind: 'map'; readonly element: NativeTypeRef }
  | { readonly kind: 'union'; readonly types: readonly NativeTypeRef[] };

/** One property of the resource or of a nested type. */
export interface NativePropertyModel {
  readonly name: string;
  readonly required: boolean;
  /** `yes` for createOnly properties: a change replaces the resource. */
  readonly causesReplacement: 'yes' | 'no' | 'maybe';
  readonly type: NativeTypeRef;
  /** The spec's default, as a string (e.g. `'"sub"'` for `PrincipalIdClaim`). */
  readonly defaultValue?: string;
}

/** A nested (property) type, e.g. `CognitoUserPoolConfiguration`. */
export interface NativeTypeModel {
  readonly name: string;
  /** Sorted property names. */
  readonly propertyNames: readonly string[];
  /** Sorted names of the required properties. */
  readonly requiredPropertyNames: readonly string[];
  readonly properties: Readonly<Record<string, NativePropertyModel>>;
}

/** The native model of one resource type. */
export interface NativeResourceModel {
  /** The CloudFormation type, e.g. `AWS::VerifiedPermissions::IdentitySource`. */
  readonly typeName: string;
  /** Sorted names of the writable top-level properties (read-only attributes excluded). */
  readonly propertyNames: readonly string[];
  /** Sorted names of the required top-level properties. */
  readonly requiredPropertyNames: readonly string[];
  /** The top-level properties. */
  readonly properties: Readonly<Record<string, NativePropertyModel>>;
  /**
   * Sorted top-level property names whose change replaces the resource (the schema's
   * `createOnlyProperties`).
   */
  readonly createOnlyPropertyNames: readonly string[];
  /**
   * Sorted dotted paths, from the resource's `Properties`, of every property whose change
   * replaces the resource, nested ones included (e.g. `PolicyStoreId`). Array elements are
   * not part of a path.
   */
  readonly createOnlyPropertyPaths: readonly string[];
  /**
   * Sorted read-only attribute names as `Fn::GetAtt` accepts them, e.g. `IdentitySourceId`,
   * `Details`, `Details.ClientIds`, `Details.DiscoveryUrl`, `Details.OpenIdIssuer`,
   * `Details.UserPoolArn`.
   */
  readonly attributeNames: readonly string[];
  /** Sorted attribute names the spec marks deprecated (e.g. `Details`). */
  readonly deprecatedAttributeNames: readonly string[];
  /** The Cloud Control primary identifier, e.g. `['IdentitySourceId', 'PolicyStoreId']`. */
  readonly primaryIdentifier: readonly string[];
  /** Every nested type reachable from the properties, by type name. */
  readonly types: Readonly<Record<string, NativeTypeModel>>;
  /**
   * Sorted dotted paths of every property the type accepts, nested ones included
   * (e.g. `Configuration`, `Configuration.CognitoUserPoolConfiguration.UserPoolArn`).
   * Array elements are not part of a path.
   */
  readonly propertyPaths: readonly string[];
}

type SpecDatabase = Awaited<ReturnType<typeof loadAwsServiceSpec>>;

function lookupResource(db: SpecDatabase, typeName: string) {
  return db.lookup('resource', 'cloudFormationType', 'equals', typeName);
}
type SpecResource = ReturnType<typeof lookupResource>[number];
type SpecProperty = SpecResource['properties'][string];
type SpecPropertyType = SpecProperty['type'];

let database: Promise<SpecDatabase> | undefined;
const models = new Map<string, Promise<NativeResourceModel>>();

/** The service-spec database, loaded once per module instance. */
export function loadServiceSpec(): Promise<SpecDatabase> {
  database ??= loadAwsServiceSpec();
  return database;
}

/**
 * The native model of `typeName` (default: `AWS::VerifiedPermissions::IdentitySource`), or
 * a rejection if the service spec does not know the type. Cached per type.
 */
export function loadNativeModel(
  typeName: string = IDENTITY_SOURCE_TYPE,
): Promise<NativeResourceModel> {
  let model = models.get(typeName);
  if (!model) {
    model = loadServiceSpec().then((db) => buildModel(db, typeName));
    models.set(typeName, model);
  }
  return model;
}

function buildModel(db: SpecDatabase, typeName: string): NativeResourceModel {
  const resource = lookupResource(db, typeName).only();
  const types: Record<string, NativeTypeModel> = {};
  const typeNamesById = new Map<string, string>();

  const toTypeRef = (type: SpecPropertyType): NativeTypeRef => {
    switch (type.type) {
      case 'ref': {
        const id = type.reference.$ref;
        let name = typeNamesById.get(id);
        if (name === undefined) {
          const definition = db.get('typeDefinition', type.reference);
          name = definition.name;
          typeNamesById.set(id, name);
          // Register before walking the properties, so recursive types terminate.
          const entry: { -readonly [K in keyof NativeTypeModel]: NativeTypeModel[K] } = {
            name,
            propertyNames: [],
            requiredPropertyNames: [],
            properties: {},
          };
          types[name] = entry;
          entry.properties = toProperties(definition.properties);
          entry.propertyNames = Object.keys(entry.properties).sort();
          entry.requiredPropertyNames = entry.propertyNames.filter(
            (p) => entry.properties[p]?.required,
          );
        }
        return { kind: 'ref', typeName: name };
      }
      case 'array':
      case 'map':
        return { kind: type.type, element: toTypeRef(type.element) };
      case 'union':
        return { kind: 'union', types: type.types.map(toTypeRef) };
      default:
        return 'allowedValues' in type && type.allowedValues
          ? { kind: 'primitive', primitive: type.type, allowedValues: [...type.allowedValues] }
          : { kind: 'primitive', primitive: type.type };
    }
  };

  const toProperties = (
    properties: Record<string, SpecProperty>,
  ): Record<string, NativePropertyModel> => {
    const out: Record<string, NativePropertyModel> = {};
    for (const [name, property] of Object.entries(properties)) {
      out[name] = {
        name,
        required: property.required === true,
        causesReplacement: property.causesReplacement ?? 'no',
        type: toTypeRef(property.type),
        ...(property.defaultValue === undefined ? {} : { defaultValue: property.defaultValue }),
      };
    }
    return out;
  };

  const properties = toProperties(resource.properties);
  const propertyNames = Object.keys(properties).sort();
  const allPaths = collectPaths(properties, types);

  const createOnly = new Set<string>(
    allPaths.filter((p) => p.property.causesReplacement === 'yes').map((p) => p.path),
  );
  for (const path of resource.additionalReplacementProperties ?? []) {
    createOnly.add(path.join('.'));
  }

  const attributes = resource.attributes;
  return {
    typeName,
    propertyNames,
    requiredPropertyNames: propertyNames.filter((p) => properties[p]?.required),
    properties,
    createOnlyPropertyNames: propertyNames.filter(
      (p) => properties[p]?.causesReplacement === 'yes',
    ),
    createOnlyPropertyPaths: [...createOnly].sort(),
    attributeNames: Object.keys(attributes).sort(),
    deprecatedAttributeNames: Object.keys(attributes)
      .filter((a) => {
        const deprecated = (attributes[a] as { deprecated?: string } | undefined)?.deprecated;
        return deprecated !== undefined && deprecated !== 'NONE';
      })
      .sort(),
    primaryIdentifier: [...(resource.primaryIdentifier ?? [])],
    types,
    propertyPaths: [...new Set(allPaths.map((p) => p.path))].sort(),
  };
}

/** Every property path below `properties`, walking nested types (each type once per path). */
function collectPaths(
  properties: Readonly<Record<string, NativePropertyModel>>,
  types: Readonly<Record<string, NativeTypeModel>>,
  prefix = '',
  seen: ReadonlySet<string> = new Set(),
): Array<{ path: string; property: NativePropertyModel }> {
  const out: Array<{ path: string; property: NativePropertyModel }> = [];
  for (const property of Object.values(properties)) {
    const path = `${prefix}${property.name}`;
    out.push({ path, property });
    for (const typeName of referencedTypes(property.type)) {
      const type = types[typeName];
      if (type && !seen.has(typeName)) {
        out.push(...collectPaths(type.properties, types, `${path}.`, new Set([...seen, typeName])));
      }
    }
  }
  return out;
}

/** The nested type names a value of `type` may hold (through arrays, maps and unions). */
export function referencedTypes(type: NativeTypeRef): string[] {
  switch (type.kind) {
    case 'ref':
      return [type.typeName];
    case 'array':
    case 'map':
      return referencedTypes(type.element);
    case 'union':
      return type.types.flatMap(referencedTypes);
    default:
      return [];
  }
}

/** Whether `value` is a CloudFormation intrinsic function (`{ Ref: … }`, `{ 'Fn::…': … }`). */
export function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 &&
    (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'))
  );
}

/**
 * The dotted paths of keys in `properties` (a resource's `Properties`, as parsed from a
 * template) that the native model does not accept, nested ones included. Values that are
 * intrinsic functions are opaque and not entered; array elements are checked against the
 * element type (their index is not part of the path). Top-level names in `extraTopLevel`
 * (e.g. `ServiceToken`, `Region`) are allowed in addition to the model's.
 */
export function unknownPropertyPaths(
  model: NativeResourceModel,
  properties: unknown,
  extraTopLevel: readonly string[] = [],
): string[] {
  const unknown: string[] = [];
  if (isIntrinsic(properties)) return unknown;
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) {
    return ['(Properties is not an object)'];
  }
  for (const [key, value] of Object.entries(properties)) {
    const property = model.properties[key];
    if (property) walkValue(model, property.type, value, key, unknown);
    else if (!extraTopLevel.includes(key)) unknown.push(key);
  }
  return unknown.sort();
}

function walkValue(
  model: NativeResourceModel,
  type: NativeTypeRef,
  value: unknown,
  path: string,
  unknown: string[],
): void {
  if (value === null || typeof value !== 'object' || isIntrinsic(value)) return;
  switch (type.kind) {
    case 'array':
      if (Array.isArray(value)) {
        for (const element of value) walkValue(model, type.element, element, path, unknown);
      }
      return;
    case 'map':
      if (!Array.isArray(value)) {
        for (const [key, element] of Object.entries(value)) {
          walkValue(model, type.element, element, `${path}.${key}`, unknown);
        }
      }
      return;
    case 'union': {
      // Accept the value if any member type accepts it.
      const candidates = type.types.map((member) => {
        const found: string[] = [];
        walkValue(model, member, value, path, found);
        return found;
      });
      const best = candidates.reduce<string[] | undefined>(
        (a, b) => (a === undefined || b.length < a.length ? b : a),
        undefined,
      );
      unknown.push(...(best ?? []));
      return;
    }
    case 'ref': {
      const nested = model.types[type.typeName];
      if (!nested || Array.isArray(value)) return;
      for (const [key, element] of Object.entries(value)) {
        const property = nested.properties[key];
        if (property) walkValue(model, property.type, element, `${path}.${key}`, unknown);
        else unknown.push(`${path}.${key}`);
      }
      return;
    }
    default:
      return;
  }
}
