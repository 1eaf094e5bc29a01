/**
 * The resource properties: the native `AWS::VerifiedPermissions::IdentitySource` names, read
 * field by field into typed values (the API's camelCase shapes) by the native schema's rules.
 */
import type { IdentitySourceConfiguration } from './configuration.js';
import { readConfiguration } from './configuration-reader.js';
import { type PropertyProblem, PropertyReader } from './property-reader.js';
import {
  CLOUDFORMATION_KEYS,
  ACCEPTED_PROPERTY_NAMES as NAMES,
  READ_ONLY_ATTRIBUTES,
  RULES,
} from './property-rules.js';
import type { RawProperties } from './resource.js';

/** The validated properties of one identity source resource. */
export interface IdentitySourceProperties {
  readonly policyStoreId: string;
  readonly configuration: IdentitySourceConfiguration;
  readonly principalEntityType?: string;
  /** On Update, what `UpdateIdentitySource` receives instead of the mapped `Configuration`. */
  readonly updateConfiguration?: IdentitySourceConfiguration;
  /** Region to create the identity source in; absent = the function's region. */
  readonly region?: string;
  /** A role to assume for every Verified Permissions call of this resource (another account). */
  readonly roleArn?: string;
  /** Take over a source the store already holds instead of failing (default false). */
  readonly adoptExisting: boolean;
}

export type PropertiesResult =
  | { readonly ok: true; readonly properties: IdentitySourceProperties }
  | { readonly ok: false; readonly problems: readonly PropertyProblem[] };

/**
 * Validates and types the resource properties; reports every problem, each with its path.
 *
 * @example
 * ```ts
 * const result = parseProperties({ PolicyStoreId: 'PS1', Configuration: { … } });
 * if (!result.ok) console.log(formatProblems(result.problems));
 * else result.properties.policyStoreId; // 'PS1'
 * ```
 */
export function parseProperties(raw: RawProperties): PropertiesResult {
  const reader = new PropertyReader();
  const props = raw as Record<string, unknown>;
  for (const key of Object.keys(props)) {
    if ((READ_ONLY_ATTRIBUTES as readonly string[]).includes(key)) {
      reader.report(
        key,
        'is a read-only attribute of the identity source: read it with !GetAtt, do not set it',
      );
    } else if (
      !(NAMES.IdentitySource as readonly string[]).includes(key) &&
      !(CLOUDFORMATION_KEYS as readonly string[]).includes(key)
    ) {
      reader.report(
        key,
        `is not a known property (expected one of: ${NAMES.IdentitySource.join(', ')})`,
      );
    }
  }
  const policyStoreId = reader.string(props, 'PolicyStoreId', '', {
    required: true,
    ...RULES.policyStoreId,
  });
  const configuration = readConfiguration(reader, props, 'Configuration', true);
  const principalEntityType = reader.string(props, 'PrincipalEntityType', '', {
    required: false,
    ...RULES.principalEntityType,
  });
  const updateConfiguration = readConfiguration(reader, props, 'UpdateConfiguration', false);
  const region = reader.string(props, 'Region', '', { required: false, ...RULES.region });
  const roleArn = reader.string(props, 'RoleArn', '', { required: false, ...RULES.roleArn });
  const adoptExisting = reader.boolean(props, 'AdoptExisting', '') ?? false;

  if (reader.problems.length > 0 || policyStoreId === undefined || configuration === undefined) {
    return { ok: false, problems: reader.problems };
  }
  return {
    ok: true,
    properties: {
      policyStoreId,
      configuration,
      ...(principalEntityType !== undefined && { principalEntityType }),
      ...(updateConfiguration !== undefined && { updateConfiguration }),
      ...(region !== undefined && { region }),
      ...(roleArn !== undefined && { roleArn }),
      adoptExisting,
    },
  };
}
