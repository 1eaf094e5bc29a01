/**
 * Pure translation between the resource's terms and the Verified Permissions API: validated
 * properties → API inputs, the native type's read-only `Details` attributes (no API call
 * needed), a source as the API reports it → what handing it back restores; the clientToken;
 * physical ids and the markers a failed Create answers with; the account a source lives in;
 * whether two sets of properties ask for the same in-place state. No SDK client, no HTTP, no
 * logger.
 */
import { createHash } from 'node:crypto';
import type {
  CreateIdentitySourceInput,
  IdentitySourceItem,
  UpdateConfiguration,
  UpdateIdentitySourceInput,
} from '@aws-sdk/client-verifiedpermissions';
import { parseArn, partitionOfRegion } from '../partitions.js';
import type { PreviousConfiguration } from '../persistence/ownership.js';
import type { IdentitySourceConfiguration } from './configuration.js';
import type { IdentitySourceProperties } from './properties.js';
import type { PropertyProblem } from './property-reader.js';

/**
 * @example
 * ```ts
 * createInput(properties, clientTokenFor(request.requestId));
 * ```
 */
export function createInput(
  properties: IdentitySourceProperties,
  clientToken: string,
): CreateIdentitySourceInput {
  return {
    clientToken,
    policyStoreId: properties.policyStoreId,
    configuration: toApiConfiguration(properties.configuration),
    ...(properties.principalEntityType !== undefined && {
      principalEntityType: properties.principalEntityType,
    }),
  };
}

/** `UpdateConfiguration` when given, else `Configuration` mapped to the update shape. */
export function updateInput(
  properties: IdentitySourceProperties,
  identitySourceId: string,
): UpdateIdentitySourceInput {
  return {
    policyStoreId: properties.policyStoreId,
    identitySourceId,
    updateConfiguration: toApiConfiguration(
      properties.updateConfiguration ?? properties.configuration,
    ),
    ...(properties.principalEntityType !== undefined && {
      principalEntityType: properties.principalEntityType,
    }),
  };
}

/** Response `Data` keys: the id and the native type's `Details.*` attributes. */
export type IdentitySourceData = Readonly<Record<string, string | readonly string[]>>;

/**
 * The attributes `!GetAtt` reads: `IdentitySourceId`, and for Cognito sources
 * `Details.ClientIds`, `Details.UserPoolArn`, `Details.DiscoveryUrl`, `Details.OpenIdIssuer`.
 *
 * @example
 * ```ts
 * dataFor('IS123', properties.configuration)['Details.DiscoveryUrl'];
 * // 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc'
 * ```
 */
export function dataFor(
  identitySourceId: string,
  configuration: IdentitySourceConfiguration,
): IdentitySourceData {
  if (!('cognitoUserPoolConfiguration' in configuration))
    return { IdentitySourceId: identitySourceId };
  const { userPoolArn, clientIds } = configuration.cognitoUserPoolConfiguration;
  return {
    IdentitySourceId: identitySourceId,
    'Details.ClientIds': [...(clientIds ?? [])],
    'Details.UserPoolArn': userPoolArn,
    'Details.DiscoveryUrl': discoveryUrlOf(userPoolArn),
    'Details.OpenIdIssuer': 'COGNITO',
  };
}

/**
 * The Cognito user pool's OIDC discovery base URL, from its ARN: the pool's region under its
 * partition's DNS suffix.
 *
 * @example
 * ```ts
 * discoveryUrlOf('arn:aws-eusc:cognito-idp:eusc-de-east-1:123456789012:userpool/eusc-de-east-1_a');
 * // 'https://cognito-idp.eusc-de-east-1.amazonaws.eu/eusc-de-east-1_a'
 * ```
 */
function discoveryUrlOf(userPoolArn: string): string {
  const arn = parseArn(userPoolArn);
  const region = arn?.region ?? '';
  const poolId = arn?.resourceId.slice(1).join('/') ?? '';
  const suffix = partitionOfRegion(region)?.dnsSuffix ?? 'amazonaws.com';
  return `https://cognito-idp.${region}.${suffix}/${poolId}`;
}

/** The API's union shape; `UpdateConfiguration` has the same members as `Configuration`. */
function toApiConfiguration(configuration: IdentitySourceConfiguration): UpdateConfiguration {
  if ('cognitoUserPoolConfiguration' in configuration) {
    const { userPoolArn, clientIds, groupConfiguration } =
      configuration.cognitoUserPoolConfiguration;
    return {
      cognitoUserPoolConfiguration: {
        userPoolArn,
        ...(clientIds !== undefined && { clientIds: [...clientIds] }),
        ...(groupConfiguration !== undefined && {
          groupConfiguration: { groupEntityType: groupConfiguration.groupEntityType },
        }),
      },
    };
  }
  const { issuer, entityIdPrefix, groupConfiguration, tokenSelection } =
    configuration.openIdConnectConfiguration;
  return {
    openIdConnectConfiguration: {
      issuer,
      ...(entityIdPrefix !== undefined && { entityIdPrefix }),
      ...(groupConfiguration !== undefined && {
        groupConfiguration: {
          groupClaim: groupConfiguration.groupClaim,
          groupEntityType: groupConfiguration.groupEntityType,
        },
      }),
      tokenSelection:
        'accessTokenOnly' in tokenSelection
          ? {
              accessTokenOnly: {
                ...(tokenSelection.accessTokenOnly.audiences !== undefined && {
                  audiences: [...tokenSelection.accessTokenOnly.audiences],
                }),
                ...(tokenSelection.accessTokenOnly.principalIdClaim !== undefined && {
                  principalIdClaim: tokenSelection.accessTokenOnly.principalIdClaim,
                }),
              },
            }
          : {
              identityTokenOnly: {
                ...(tokenSelection.identityTokenOnly.clientIds !== undefined && {
                  clientIds: [...tokenSelection.identityTokenOnly.clientIds],
                }),
                ...(tokenSelection.identityTokenOnly.principalIdClaim !== undefined && {
                  principalIdClaim: tokenSelection.identityTokenOnly.principalIdClaim,
                }),
              },
            },
    },
  };
}

const TOKEN_RULE = /^[a-zA-Z0-9-]{1,64}$/;

/**
 * @example
 * ```ts
 * clientTokenFor('4f2a9c3e-…-uuid'); // the same UUID
 * clientTokenFor('not a token!');     // 'h-' + 62 hex characters of its SHA-256
 * ```
 */
export function clientTokenFor(requestId: string): string {
  if (TOKEN_RULE.test(requestId)) return requestId;
  return `h-${createHash('sha256').update(requestId, 'utf8').digest('hex').slice(0, 62)}`;
}

/** True when a string could be a token this module made. */
export function isClientToken(value: string): boolean {
  return TOKEN_RULE.test(value);
}

const IDENTITY_SOURCE_ID = /^[a-zA-Z0-9-]{1,200}$/;
const NOT_CREATED = 'NotCreated:';
const CREATE_UNCONFIRMED = 'CreateUnconfirmed:';

export type PhysicalId =
  | { readonly kind: 'identity-source'; readonly identitySourceId: string }
  | { readonly kind: 'not-created'; readonly requestId: string }
  | { readonly kind: 'create-unconfirmed'; readonly clientToken: string }
  | { readonly kind: 'foreign' };

/**
 * Reads a physical id. `foreign` is anything else: never an identity source of ours.
 *
 * @example
 * ```ts
 * readPhysicalId('ISabcdEFGH1234567890ab'); // { kind: 'identity-source', identitySourceId: … }
 * readPhysicalId(notCreatedId('req-1'));   // { kind: 'not-created' }
 * ```
 */
export function readPhysicalId(physicalId: string | undefined): PhysicalId {
  if (physicalId === undefined) return { kind: 'foreign' };
  if (physicalId.startsWith(NOT_CREATED)) {
    return { kind: 'not-created', requestId: physicalId.slice(NOT_CREATED.length) };
  }
  if (physicalId.startsWith(CREATE_UNCONFIRMED)) {
    const clientToken = physicalId.slice(CREATE_UNCONFIRMED.length);
    return isClientToken(clientToken)
      ? { kind: 'create-unconfirmed', clientToken }
      : { kind: 'foreign' };
  }
  if (IDENTITY_SOURCE_ID.test(physicalId))
    return { kind: 'identity-source', identitySourceId: physicalId };
  return { kind: 'foreign' };
}

/** The physical id of a Create that certainly made nothing. */
export function notCreatedId(requestId: string): string {
  return `${NOT_CREATED}${requestId}`;
}

/** The physical id of a Create whose effect is unknown; carries its clientToken. */
export function createUnconfirmedId(clientToken: string): string {
  return `${CREATE_UNCONFIRMED}${clientToken}`;
}

/**
 * The effective account of properties with or without a role; `undefined` when unknown (no
 * role, and the function's own account is not known).
 *
 * @example
 * ```ts
 * effectiveAccount({ roleArn: 'arn:aws:iam::111122223333:role/R' }, '444455556666'); // '111122223333'
 * effectiveAccount({}, '444455556666');                                             // '444455556666'
 * ```
 */
export function effectiveAccount(
  properties: { readonly roleArn?: string },
  functionAccountId: string | undefined,
): string | undefined {
  if (properties.roleArn === undefined) return functionAccountId;
  return parseArn(properties.roleArn)?.accountId;
}

/** Whether two sets of properties reach the same account (unknown counts as the same). */
export function sameAccount(
  old: { readonly roleArn?: string },
  next: { readonly roleArn?: string },
  functionAccountId: string | undefined,
): boolean {
  const a = effectiveAccount(old, functionAccountId);
  const b = effectiveAccount(next, functionAccountId);
  return a === undefined || b === undefined || a === b;
}

/**
 * A role must be of the partition of the region it is used in (STS there cannot hand out
 * another partition's credentials).
 */
export function rolePartitionProblem(
  roleArn: string | undefined,
  region: string,
): PropertyProblem | undefined {
  if (roleArn === undefined) return undefined;
  const partition = partitionOfRegion(region)?.id;
  const rolePartition = parseArn(roleArn)?.partition;
  if (partition === undefined || rolePartition === partition) return undefined;
  return {
    path: 'RoleArn',
    message: `must be a role of the ${partition} partition, the partition of region ${region} (got ${rolePartition})`,
  };
}

/**
 * Equal in everything an in-place update would send (lists compared as sets).
 *
 * @example
 * ```ts
 * sameInPlaceProperties(old.properties, next.properties); // true: only the order of ClientIds changed
 * ```
 */
export function sameInPlaceProperties(
  a: IdentitySourceProperties,
  b: IdentitySourceProperties,
): boolean {
  const inPlace = (p: IdentitySourceProperties) =>
    canonical({
      configuration: p.updateConfiguration ?? p.configuration,
      principalEntityType: p.principalEntityType,
    });
  return inPlace(a) === inPlace(b);
}

/** JSON with object keys sorted and lists sorted (the schema's lists are unordered). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A source's configuration as the API reports it, in the shape an update sends.
 *
 * @example
 * ```ts
 * previousOf(await sourceIn(target, policyStoreId, deps)); // { configuration: { cognitoUserPoolConfiguration: … } }
 * ```
 */
export function previousOf(source: IdentitySourceItem): PreviousConfiguration {
  const { cognitoUserPoolConfiguration: cognito, openIdConnectConfiguration: oidc } =
    (source.configuration ?? {}) as {
      cognitoUserPoolConfiguration?: NonNullable<
        UpdateConfiguration['cognitoUserPoolConfiguration']
      > & {
        issuer?: string;
      };
      openIdConnectConfiguration?: NonNullable<UpdateConfiguration['openIdConnectConfiguration']>;
    };
  const principal =
    source.principalEntityType === undefined
      ? {}
      : { principalEntityType: source.principalEntityType };
  if (cognito !== undefined) {
    const { issuer: _issuer, ...userPool } = cognito;
    return { configuration: { cognitoUserPoolConfiguration: userPool }, ...principal };
  }
  return {
    configuration: { openIdConnectConfiguration: oidc } as UpdateConfiguration,
    ...principal,
  };
}

/** The same resource: stack and logical id. */
export function sameResource(
  a: { readonly stackId: string; readonly logicalResourceId: string },
  b: { readonly stackId: string; readonly logicalResourceId: string },
): boolean {
  return a.stackId === b.stackId && a.logicalResourceId === b.logicalResourceId;
}
