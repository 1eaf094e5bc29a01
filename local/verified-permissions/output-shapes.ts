/**
 * What the Verified Permissions double answers, in the shapes of the API model: Create/Update
 * outputs, Get outputs and List items (with the configuration as the service reports it back,
 * defaults filled in, and Cognito's `details`).
 *
 * @module
 */
import { parseArn, partitionOfRegion } from '../../src/partitions.js';
import type { IdentitySourceConfiguration, IdentitySourceState } from './types.js';

/** Create/Update output: `{ createdDate, identitySourceId, lastUpdatedDate, policyStoreId }`. */
export function writeOutput(source: IdentitySourceState): Record<string, unknown> {
  return {
    createdDate: source.createdDate.toISOString(),
    identitySourceId: source.identitySourceId,
    lastUpdatedDate: source.lastUpdatedDate.toISOString(),
    policyStoreId: source.policyStoreId,
  };
}

/** Get output and List item (`ConfigurationDetail` and `ConfigurationItem` have the same members). */
export function readOutput(source: IdentitySourceState): Record<string, unknown> {
  const cognito = source.configuration.cognitoUserPoolConfiguration;
  return {
    ...writeOutput(source),
    principalEntityType: source.principalEntityType,
    configuration: configurationDetail(source.configuration),
    ...(cognito
      ? {
          details: {
            clientIds: cognito.clientIds ?? [],
            userPoolArn: cognito.userPoolArn,
            discoveryUrl: cognitoIssuer(cognito.userPoolArn),
            openIdIssuer: 'COGNITO',
          },
        }
      : {}),
  };
}

/**
 * The configuration as the service reports it: Cognito gains its `issuer` and an empty
 * `clientIds` when none were given; OIDC token selections report `principalIdClaim` `sub` when
 * none was given (the default the CloudFormation schema documents).
 */
function configurationDetail(configuration: IdentitySourceConfiguration): Record<string, unknown> {
  const cognito = configuration.cognitoUserPoolConfiguration;
  if (cognito) {
    return {
      cognitoUserPoolConfiguration: {
        userPoolArn: cognito.userPoolArn,
        clientIds: cognito.clientIds ?? [],
        issuer: cognitoIssuer(cognito.userPoolArn),
        ...(cognito.groupConfiguration ? { groupConfiguration: cognito.groupConfiguration } : {}),
      },
    };
  }
  const oidc = configuration.openIdConnectConfiguration;
  if (!oidc) return {};
  const { accessTokenOnly, identityTokenOnly } = oidc.tokenSelection;
  const tokenSelection = accessTokenOnly
    ? {
        accessTokenOnly: {
          principalIdClaim: accessTokenOnly.principalIdClaim ?? 'sub',
          ...(accessTokenOnly.audiences ? { audiences: accessTokenOnly.audiences } : {}),
        },
      }
    : {
        identityTokenOnly: {
          principalIdClaim: identityTokenOnly?.principalIdClaim ?? 'sub',
          clientIds: identityTokenOnly?.clientIds ?? [],
        },
      };
  return {
    openIdConnectConfiguration: {
      issuer: oidc.issuer,
      ...(oidc.entityIdPrefix === undefined ? {} : { entityIdPrefix: oidc.entityIdPrefix }),
      ...(oidc.groupConfiguration ? { groupConfiguration: oidc.groupConfiguration } : {}),
      tokenSelection,
    },
  };
}

/**
 * The OIDC issuer / discovery URL of a Cognito user pool,
 * `https://cognito-idp.<region>.<the region's partition DNS suffix>/<poolId>`.
 *
 * @example
 * ```ts
 * cognitoIssuer('arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_Abc');
 * // 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_Abc'
 * ```
 */
export function cognitoIssuer(userPoolArn: string): string {
  const arn = parseArn(userPoolArn);
  const region = arn?.region ?? '';
  const poolId = arn?.resourceId.at(-1) ?? '';
  // The model's ARN pattern lets any region-like word through; such a pool is treated as `aws`'s.
  const suffix = partitionOfRegion(region)?.dnsSuffix ?? 'amazonaws.com';
  return `https://cognito-idp.${region}.${suffix}/${poolId}`;
}
