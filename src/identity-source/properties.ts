/**
 * The resource properties: the native `AWS::VerifiedPermissions::IdentitySource` names, read
 * field by field into typed values (the API's camelCase shapes) by the native schema's rules.
 */
import type { RawProperties } from '../cloudformation/request.js';
import { partitionOfRegion } from '../partitions.js';
import { type PropertyProblem, PropertyReader, type StringRule } from './property-reader.js';

export interface CognitoGroupConfiguration {
  readonly groupEntityType: string;
}

export interface CognitoUserPoolConfiguration {
  readonly userPoolArn: string;
  readonly clientIds?: readonly string[];
  readonly groupConfiguration?: CognitoGroupConfiguration;
}

export interface OpenIdConnectGroupConfiguration {
  readonly groupClaim: string;
  readonly groupEntityType: string;
}

export interface OpenIdConnectAccessTokenConfiguration {
  readonly audiences?: readonly string[];
  readonly principalIdClaim?: string;
}

export interface OpenIdConnectIdentityTokenConfiguration {
  readonly clientIds?: readonly string[];
  readonly principalIdClaim?: string;
}

export type OpenIdConnectTokenSelection =
  | { readonly accessTokenOnly: OpenIdConnectAccessTokenConfiguration }
  | { readonly identityTokenOnly: OpenIdConnectIdentityTokenConfiguration };

export interface OpenIdConnectConfiguration {
  readonly issuer: string;
  readonly entityIdPrefix?: string;
  readonly groupConfiguration?: OpenIdConnectGroupConfiguration;
  readonly tokenSelection: OpenIdConnectTokenSelection;
}

/** Exactly one of a Cognito user pool or an OpenID Connect provider. */
export type IdentitySourceConfiguration =
  | { readonly cognitoUserPoolConfiguration: CognitoUserPoolConfiguration }
  | { readonly openIdConnectConfiguration: OpenIdConnectConfiguration };

/** The validated properties of one identity source resource. */
export interface IdentitySourceProperties {
  readonly policyStoreId: string;
  readonly configuration: IdentitySourceConfiguration;
  readonly principalEntityType?: string;
  /** On Update, what `UpdateIdentitySource` receives instead of the mapped `Configuration`. */
  readonly updateConfiguration?: IdentitySourceConfiguration;
  /** Region to create the identity source in; absent = the function's region. */
  readonly region?: string;
}

export type PropertiesResult =
  | { readonly ok: true; readonly properties: IdentitySourceProperties }
  | { readonly ok: false; readonly problems: readonly PropertyProblem[] };

/**
 * The property names this provider accepts, per type, named as in the native schema's
 * `definitions`. `Region` and `UpdateConfiguration` are this provider's additions.
 */
export const ACCEPTED_PROPERTY_NAMES = {
  IdentitySource: [
    'PolicyStoreId',
    'Configuration',
    'PrincipalEntityType',
    'UpdateConfiguration',
    'Region',
  ],
  IdentitySourceConfiguration: ['CognitoUserPoolConfiguration', 'OpenIdConnectConfiguration'],
  CognitoUserPoolConfiguration: ['UserPoolArn', 'ClientIds', 'GroupConfiguration'],
  CognitoGroupConfiguration: ['GroupEntityType'],
  OpenIdConnectConfiguration: ['Issuer', 'EntityIdPrefix', 'GroupConfiguration', 'TokenSelection'],
  OpenIdConnectGroupConfiguration: ['GroupClaim', 'GroupEntityType'],
  OpenIdConnectTokenSelection: ['AccessTokenOnly', 'IdentityTokenOnly'],
  OpenIdConnectAccessTokenConfiguration: ['Audiences', 'PrincipalIdClaim'],
  OpenIdConnectIdentityTokenConfiguration: ['ClientIds', 'PrincipalIdClaim'],
} as const;

/** Properties whose change replaces the identity source (a new one, a new physical id). */
export const REPLACEMENT_PROPERTIES = ['PolicyStoreId', 'Region'] as const;

/** CloudFormation's own keys, ignored. */
export const CLOUDFORMATION_KEYS = ['ServiceToken', 'ServiceTimeout'] as const;

/** The native type's read-only attributes: readable with `!GetAtt`, never settable. */
const READ_ONLY_ATTRIBUTES = ['IdentitySourceId', 'Details'];

const NAMES = ACCEPTED_PROPERTY_NAMES;

const ENTITY_TYPE: StringRule = {
  min: 1,
  max: 200,
  pattern: /^([_a-zA-Z][_a-zA-Z0-9]*::)*[_a-zA-Z][_a-zA-Z0-9]*$/,
  expected: 'a Cedar entity type such as MyApp::Group (identifiers joined by ::)',
};
const CLIENT_ID: StringRule = { min: 1, max: 255, pattern: /^.*$/, expected: 'a single line' };
const CLAIM: StringRule = { min: 1, pattern: /^.*$/, expected: 'a single line' };

const RULES = {
  policyStoreId: {
    min: 1,
    max: 200,
    pattern: /^[a-zA-Z0-9-]*$/,
    expected: 'a policy store id (letters, digits and hyphens)',
  },
  principalEntityType: { min: 1, max: 200, pattern: /^.*$/, expected: 'a single line' },
  region: {
    min: 1,
    max: 50,
    pattern: { test: (value: string) => partitionOfRegion(value) !== undefined },
    expected:
      'a region of an AWS partition, such as us-east-1, cn-north-1, us-gov-west-1 or eusc-de-east-1',
  },
  userPoolArn: {
    min: 1,
    max: 255,
    pattern:
      /^arn:[a-zA-Z0-9-]+:cognito-idp:(([a-zA-Z0-9-]+:\d{12}:userpool\/[\w-]+_[0-9a-zA-Z]+))$/,
    expected:
      'a Cognito user pool ARN (arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>)',
  },
  issuer: {
    min: 1,
    max: 2048,
    pattern: /^https:\/\/.*$/,
    expected: 'an https:// URL (the OIDC issuer)',
  },
  entityIdPrefix: { min: 1, max: 100, pattern: /^.*$/, expected: 'a single line' },
  clientIds: { minItems: 0, maxItems: 1000, item: CLIENT_ID },
  audiences: {
    minItems: 1,
    maxItems: 255,
    item: { min: 1, max: 255, pattern: /^.*$/, expected: 'a single line' },
  },
} satisfies Record<string, StringRule | { minItems: number; maxItems: number; item: StringRule }>;

/**
 * Validates and types the resource properties; reports every problem, each with its path.
 *
 * @example
 * ```ts
 * const result = parseProperties(request.resourceProperties);
 * if (!result.ok) return failed(formatProblems(result.problems));
 * result.properties.policyStoreId;
 * ```
 */
export function parseProperties(raw: RawProperties): PropertiesResult {
  const reader = new PropertyReader();
  const props = raw as Record<string, unknown>;
  for (const key of Object.keys(props)) {
    if (READ_ONLY_ATTRIBUTES.includes(key)) {
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
    },
  };
}

function readConfiguration(
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
