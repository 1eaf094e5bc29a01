/**
 * The native `AWS::VerifiedPermissions::IdentitySource` schema's rules, as the property
 * reader applies them: accepted names per type, lengths, patterns, and what a valid value
 * looks like for the FAILED reason.
 */
import { allPartitions, parseArn, partitionOfRegion } from '../partitions.js';
import type { ListRule, StringRule } from './property-reader.js';

/**
 * The property names this provider accepts, per type, named as in the native schema's
 * `definitions`. `UpdateConfiguration`, `Region`, `RoleArn` and `AdoptExisting` are this
 * provider's additions.
 */
export const ACCEPTED_PROPERTY_NAMES = {
  IdentitySource: [
    'PolicyStoreId',
    'Configuration',
    'PrincipalEntityType',
    'UpdateConfiguration',
    'Region',
    'RoleArn',
    'AdoptExisting',
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

/** CloudFormation's own keys, ignored. */
export const CLOUDFORMATION_KEYS = ['ServiceToken', 'ServiceTimeout'] as const;

/** The native type's read-only attributes: readable with `!GetAtt`, never settable. */
export const READ_ONLY_ATTRIBUTES = ['IdentitySourceId', 'Details'] as const;

const SINGLE_LINE = { pattern: /^.*$/, expected: 'a single line' };

export const ENTITY_TYPE: StringRule = {
  min: 1,
  max: 200,
  pattern: /^([_a-zA-Z][_a-zA-Z0-9]*::)*[_a-zA-Z][_a-zA-Z0-9]*$/,
  expected: 'a Cedar entity type such as MyApp::Group (identifiers joined by ::)',
};

export const CLAIM: StringRule = { min: 1, ...SINGLE_LINE };

const CLIENT_ID: StringRule = { min: 1, max: 255, ...SINGLE_LINE };

/** A policy store alias, as every Verified Permissions operation accepts it for a store id. */
export const POLICY_STORE_ALIAS = /^policy-store-alias\/[a-zA-Z0-9_/-]+$/;
const POLICY_STORE_ID = /^[a-zA-Z0-9-]*$/;
const MAX_ALIAS_LENGTH = 150;

export const RULES = {
  policyStoreId: {
    min: 1,
    max: 200,
    // Beyond the native schema: an alias too (the API's pattern is `[a-zA-Z0-9-/_]*`).
    pattern: {
      test: (value: string) =>
        POLICY_STORE_ID.test(value) ||
        (POLICY_STORE_ALIAS.test(value) && value.length <= MAX_ALIAS_LENGTH),
    },
    expected:
      'a policy store id (letters, digits and hyphens) or alias (policy-store-alias/ followed by letters, digits, -, _ or /; at most 150 characters)',
  },
  principalEntityType: { min: 1, max: 200, ...SINGLE_LINE },
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
  entityIdPrefix: { min: 1, max: 100, ...SINGLE_LINE },
  roleArn: {
    min: 20,
    max: 2048,
    pattern: { test: (value: string) => isRoleArn(value) },
    expected: 'an IAM role ARN (arn:<partition>:iam::<account>:role/<path and name>)',
  },
  clientIds: { minItems: 0, maxItems: 1000, item: CLIENT_ID },
  audiences: { minItems: 1, maxItems: 255, item: { min: 1, max: 255, ...SINGLE_LINE } },
} satisfies Record<string, StringRule | ListRule>;

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** An IAM role ARN of a known partition: `arn:<partition>:iam::<12 digits>:role/[path/]<name>`. */
function isRoleArn(value: string): boolean {
  const arn = parseArn(value);
  if (arn === undefined || arn.service !== 'iam' || arn.region !== '') return false;
  const [kind, ...path] = arn.resourceId;
  return (
    allPartitions().some((p) => p.id === arn.partition) &&
    /^\d{12}$/.test(arn.accountId) &&
    kind === 'role' &&
    path.length > 0 &&
    path.every((part) => part.length > 0) &&
    ROLE_NAME.test(path[path.length - 1] as string)
  );
}
