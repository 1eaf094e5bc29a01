/**
 * Pure: how an identity source, as `GetIdentitySource` reports it, differs from the properties
 * last applied to it, property by property (in the resource's PascalCase names), and the
 * `UpdateIdentitySource` input that puts it back.
 *
 * What the source should have is what the last Create or Update sent: `UpdateConfiguration`
 * when the properties have one, else `Configuration`, and `PrincipalEntityType` when set (without
 * it the service picks one, so there is nothing to compare). The order of client ids and
 * audiences does not matter; the service's own defaults (no client ids = an empty list, no
 * `PrincipalIdClaim` = `sub`) are no drift; the Cognito `issuer` the service derives from the
 * user pool is not a property and is not compared.
 */
import type {
  GetIdentitySourceOutput,
  UpdateIdentitySourceInput,
} from '@aws-sdk/client-verifiedpermissions';
import type { IdentitySourceProperties } from './properties.js';
import { updateInput } from './translate.js';

/** One property whose value differs; `null` where a side has no value. */
export interface Difference {
  /** PascalCase property path, e.g. `Configuration.CognitoUserPoolConfiguration.ClientIds`. */
  readonly Path: string;
  /** What was last applied. */
  readonly Expected: string | readonly string[] | null;
  /** What the service has now. */
  readonly Actual: string | readonly string[] | null;
}

/** A configuration in either shape (the provider's or the API's detail): only what is read. */
interface LooseConfiguration {
  readonly cognitoUserPoolConfiguration?: {
    readonly userPoolArn?: string;
    readonly clientIds?: readonly string[];
    readonly groupConfiguration?: { readonly groupEntityType?: string };
  };
  readonly openIdConnectConfiguration?: {
    readonly issuer?: string;
    readonly entityIdPrefix?: string;
    readonly groupConfiguration?: {
      readonly groupClaim?: string;
      readonly groupEntityType?: string;
    };
    readonly tokenSelection?: {
      readonly accessTokenOnly?: {
        readonly audiences?: readonly string[];
        readonly principalIdClaim?: string;
      };
      readonly identityTokenOnly?: {
        readonly clientIds?: readonly string[];
        readonly principalIdClaim?: string;
      };
    };
  };
}

type Value = string | readonly string[] | undefined;

/** One compared property: its path, how to read it, and whether it is an unordered list. */
interface Leaf {
  readonly path: string;
  readonly read: (configuration: LooseConfiguration) => Value;
  readonly unordered?: true;
}

const COGNITO = 'Configuration.CognitoUserPoolConfiguration';
const OIDC = 'Configuration.OpenIdConnectConfiguration';
const ACCESS = `${OIDC}.TokenSelection.AccessTokenOnly`;
const IDENTITY = `${OIDC}.TokenSelection.IdentityTokenOnly`;

/** The service's default `principalIdClaim` (the native schema documents it). */
const DEFAULT_PRINCIPAL_ID_CLAIM = 'sub';

const cognito = (c: LooseConfiguration) => c.cognitoUserPoolConfiguration;
const oidc = (c: LooseConfiguration) => c.openIdConnectConfiguration;
const access = (c: LooseConfiguration) => oidc(c)?.tokenSelection?.accessTokenOnly;
const identity = (c: LooseConfiguration) => oidc(c)?.tokenSelection?.identityTokenOnly;

/** Every compared configuration property, in the order differences are reported. */
const LEAVES: readonly Leaf[] = [
  { path: `${COGNITO}.UserPoolArn`, read: (c) => cognito(c)?.userPoolArn },
  {
    path: `${COGNITO}.ClientIds`,
    read: (c) => (cognito(c) ? (cognito(c)?.clientIds ?? []) : undefined),
    unordered: true,
  },
  {
    path: `${COGNITO}.GroupConfiguration.GroupEntityType`,
    read: (c) => cognito(c)?.groupConfiguration?.groupEntityType,
  },
  { path: `${OIDC}.Issuer`, read: (c) => oidc(c)?.issuer },
  { path: `${OIDC}.EntityIdPrefix`, read: (c) => oidc(c)?.entityIdPrefix },
  {
    path: `${OIDC}.GroupConfiguration.GroupClaim`,
    read: (c) => oidc(c)?.groupConfiguration?.groupClaim,
  },
  {
    path: `${OIDC}.GroupConfiguration.GroupEntityType`,
    read: (c) => oidc(c)?.groupConfiguration?.groupEntityType,
  },
  {
    path: `${ACCESS}.Audiences`,
    read: (c) => (access(c) ? (access(c)?.audiences ?? []) : undefined),
    unordered: true,
  },
  {
    path: `${ACCESS}.PrincipalIdClaim`,
    read: (c) =>
      access(c) ? (access(c)?.principalIdClaim ?? DEFAULT_PRINCIPAL_ID_CLAIM) : undefined,
  },
  {
    path: `${IDENTITY}.ClientIds`,
    read: (c) => (identity(c) ? (identity(c)?.clientIds ?? []) : undefined),
    unordered: true,
  },
  {
    path: `${IDENTITY}.PrincipalIdClaim`,
    read: (c) =>
      identity(c) ? (identity(c)?.principalIdClaim ?? DEFAULT_PRINCIPAL_ID_CLAIM) : undefined,
  },
];

/**
 * The configuration the source should have: the one the last Create or Update sent.
 *
 * @example
 * ```ts
 * appliedConfiguration(properties); // properties.updateConfiguration ?? properties.configuration
 * ```
 */
export function appliedConfiguration(properties: IdentitySourceProperties): LooseConfiguration {
  return properties.updateConfiguration ?? properties.configuration;
}

/**
 * Every property in which the source differs from the properties last applied; empty when it
 * is in sync.
 *
 * @example
 * ```ts
 * driftOf(properties, await client.send(new GetIdentitySourceCommand(input)));
 * // [{ Path: 'Configuration.CognitoUserPoolConfiguration.ClientIds', Expected: ['a', 'b'], Actual: ['a'] }]
 * ```
 */
export function driftOf(
  properties: IdentitySourceProperties,
  actual: Pick<GetIdentitySourceOutput, 'configuration' | 'principalEntityType'>,
): Difference[] {
  const expected = appliedConfiguration(properties);
  const current = (actual.configuration ?? {}) as LooseConfiguration;
  const differences: Difference[] = [];
  for (const leaf of LEAVES) {
    const want = leaf.read(expected);
    const have = leaf.read(current);
    if (!sameValue(want, have, leaf.unordered === true)) {
      differences.push({ Path: leaf.path, Expected: want ?? null, Actual: have ?? null });
    }
  }
  if (
    properties.principalEntityType !== undefined &&
    properties.principalEntityType !== actual.principalEntityType
  ) {
    differences.push({
      Path: 'PrincipalEntityType',
      Expected: properties.principalEntityType,
      Actual: actual.principalEntityType ?? null,
    });
  }
  return differences;
}

/**
 * The `UpdateIdentitySource` input that puts the source back to the properties last applied,
 * addressed to the store it is in (the resolved id, when `PolicyStoreId` was an alias).
 *
 * @example
 * ```ts
 * repairInput(properties, { policyStoreId: 'PSEXAMPLE', identitySourceId: 'IS1' });
 * ```
 */
export function repairInput(
  properties: IdentitySourceProperties,
  source: { readonly policyStoreId: string; readonly identitySourceId: string },
): UpdateIdentitySourceInput {
  return {
    ...updateInput(properties, source.identitySourceId),
    policyStoreId: source.policyStoreId,
  };
}

function sameValue(a: Value, b: Value, unordered: boolean): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.length !== b.length) return false;
  const [left, right] = unordered ? [[...a].sort(), [...b].sort()] : [a, b];
  return left.every((item, i) => item === right[i]);
}
