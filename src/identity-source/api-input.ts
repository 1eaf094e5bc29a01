/**
 * Pure mapping of validated properties to the Verified Permissions API inputs, and the
 * native type's read-only `Details` attributes derived from them (no API call needed).
 */
import type {
  CreateIdentitySourceInput,
  DeleteIdentitySourceInput,
  UpdateConfiguration,
  UpdateIdentitySourceInput,
} from '@aws-sdk/client-verifiedpermissions';
import { parseArn, partitionOfRegion } from '../partitions.js';
import type { IdentitySourceConfiguration } from './configuration.js';
import type { IdentitySourceProperties } from './properties.js';

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

export function deleteInput(
  policyStoreId: string,
  identitySourceId: string,
): DeleteIdentitySourceInput {
  return { policyStoreId, identitySourceId };
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
