/**
 * Reads `Configuration` (and `UpdateConfiguration`, the same shape) field by field: exactly one
 * of a Cognito user pool or an OpenID Connect provider, with the native schema's rules.
 */
import type {
  CognitoGroupConfiguration,
  CognitoUserPoolConfiguration,
  IdentitySourceConfiguration,
  OpenIdConnectConfiguration,
  OpenIdConnectGroupConfiguration,
  OpenIdConnectTokenSelection,
} from './configuration.js';
import type { PropertyReader } from './property-reader.js';
import { CLAIM, ENTITY_TYPE, ACCEPTED_PROPERTY_NAMES as NAMES, RULES } from './property-rules.js';

/**
 * Reads one configuration under `key` of `parent`; `undefined` (with problems reported) when it
 * is absent or invalid.
 *
 * @example
 * ```ts
 * const reader = new PropertyReader();
 * readConfiguration(reader, { Configuration: { OpenIdConnectConfiguration: oidc } }, 'Configuration', true);
 * ```
 */
export function readConfiguration(
  reader: PropertyReader,
  parent: Record<string, unknown>,
  key: string,
  required: boolean,
): IdentitySourceConfiguration | undefined {
  const value = reader.object(parent, key, '', { required });
  if (value === undefined) return undefined;
  const member = reader.oneOf(value, key, NAMES.IdentitySourceConfiguration);
  if (member === 'CognitoUserPoolConfiguration') {
    const cognito = readCognito(reader, value, `${key}.${member}`);
    return cognito && { cognitoUserPoolConfiguration: cognito };
  }
  if (member === 'OpenIdConnectConfiguration') {
    const oidc = readOpenIdConnect(reader, value, `${key}.${member}`);
    return oidc && { openIdConnectConfiguration: oidc };
  }
  return undefined;
}

function readCognito(
  reader: PropertyReader,
  parent: Record<string, unknown>,
  path: string,
): CognitoUserPoolConfiguration | undefined {
  const value = reader.object(parent, 'CognitoUserPoolConfiguration', parentOf(path), {
    required: true,
  });
  if (value === undefined) return undefined;
  reader.onlyKeys(value, path, NAMES.CognitoUserPoolConfiguration);
  const userPoolArn = reader.string(value, 'UserPoolArn', path, {
    required: true,
    ...RULES.userPoolArn,
  });
  const clientIds = reader.stringList(value, 'ClientIds', path, RULES.clientIds);
  const group = reader.object(value, 'GroupConfiguration', path, { required: false });
  let groupConfiguration: CognitoGroupConfiguration | undefined;
  if (group !== undefined) {
    const groupPath = `${path}.GroupConfiguration`;
    reader.onlyKeys(group, groupPath, NAMES.CognitoGroupConfiguration);
    const groupEntityType = reader.string(group, 'GroupEntityType', groupPath, {
      required: true,
      ...ENTITY_TYPE,
    });
    groupConfiguration = groupEntityType === undefined ? undefined : { groupEntityType };
  }
  if (userPoolArn === undefined) return undefined;
  return {
    userPoolArn,
    ...(clientIds !== undefined && { clientIds }),
    ...(groupConfiguration !== undefined && { groupConfiguration }),
  };
}

function readOpenIdConnect(
  reader: PropertyReader,
  parent: Record<string, unknown>,
  path: string,
): OpenIdConnectConfiguration | undefined {
  const value = reader.object(parent, 'OpenIdConnectConfiguration', parentOf(path), {
    required: true,
  });
  if (value === undefined) return undefined;
  reader.onlyKeys(value, path, NAMES.OpenIdConnectConfiguration);
  const issuer = reader.string(value, 'Issuer', path, { required: true, ...RULES.issuer });
  const entityIdPrefix = reader.string(value, 'EntityIdPrefix', path, {
    required: false,
    ...RULES.entityIdPrefix,
  });

  let groupConfiguration: OpenIdConnectGroupConfiguration | undefined;
  const group = reader.object(value, 'GroupConfiguration', path, { required: false });
  if (group !== undefined) {
    const groupPath = `${path}.GroupConfiguration`;
    reader.onlyKeys(group, groupPath, NAMES.OpenIdConnectGroupConfiguration);
    const groupClaim = reader.string(group, 'GroupClaim', groupPath, { required: true, ...CLAIM });
    const groupEntityType = reader.string(group, 'GroupEntityType', groupPath, {
      required: true,
      ...ENTITY_TYPE,
    });
    if (groupClaim !== undefined && groupEntityType !== undefined) {
      groupConfiguration = { groupClaim, groupEntityType };
    }
  }

  const tokenSelection = readTokenSelection(reader, value, `${path}.TokenSelection`);
  if (issuer === undefined || tokenSelection === undefined) return undefined;
  return {
    issuer,
    ...(entityIdPrefix !== undefined && { entityIdPrefix }),
    ...(groupConfiguration !== undefined && { groupConfiguration }),
    tokenSelection,
  };
}

function readTokenSelection(
  reader: PropertyReader,
  parent: Record<string, unknown>,
  path: string,
): OpenIdConnectTokenSelection | undefined {
  const value = reader.object(parent, 'TokenSelection', parentOf(path), { required: true });
  if (value === undefined) return undefined;
  const member = reader.oneOf(value, path, NAMES.OpenIdConnectTokenSelection);
  if (member === undefined) return undefined;
  const selection = reader.object(value, member, path, { required: true });
  if (selection === undefined) return undefined;
  const memberPath = `${path}.${member}`;
  const principalIdClaim = reader.string(selection, 'PrincipalIdClaim', memberPath, {
    required: false,
    ...CLAIM,
  });
  if (member === 'AccessTokenOnly') {
    reader.onlyKeys(selection, memberPath, NAMES.OpenIdConnectAccessTokenConfiguration);
    const audiences = reader.stringList(selection, 'Audiences', memberPath, RULES.audiences);
    return {
      accessTokenOnly: {
        ...(audiences !== undefined && { audiences }),
        ...(principalIdClaim !== undefined && { principalIdClaim }),
      },
    };
  }
  reader.onlyKeys(selection, memberPath, NAMES.OpenIdConnectIdentityTokenConfiguration);
  const clientIds = reader.stringList(selection, 'ClientIds', memberPath, RULES.clientIds);
  return {
    identityTokenOnly: {
      ...(clientIds !== undefined && { clientIds }),
      ...(principalIdClaim !== undefined && { principalIdClaim }),
    },
  };
}

function parentOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot === -1 ? '' : path.slice(0, dot);
}
