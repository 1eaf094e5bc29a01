import { describe, expect, it } from 'vitest';
import { parseProperties } from '../../../src/identity-source/properties.js';
import {
  clientTokenFor,
  createInput,
  createUnconfirmedId,
  dataFor,
  effectiveAccount,
  isClientToken,
  notCreatedId,
  previousOf,
  readPhysicalId,
  rolePartitionProblem,
  sameAccount,
  sameInPlaceProperties,
  sameResource,
  updateInput,
} from '../../../src/identity-source/translate.js';
import { COGNITO_API_CONFIGURATION, OIDC_API_CONFIGURATION } from '../../fixtures/api-shapes.js';
import { EXISTING_PREVIOUS, EXISTING_SOURCE } from '../../fixtures/ownership.js';
import {
  cognitoProperties,
  oidcProperties,
  STACK_ID,
  USER_POOL_ARN,
} from '../../fixtures/requests.js';

const parsed = (raw: Record<string, unknown>) => {
  const result = parseProperties(raw);
  if (!result.ok) throw new Error('fixture invalid');
  return result.properties;
};

describe('API inputs', () => {
  it('builds CreateIdentitySource input with the token', () => {
    expect(createInput(parsed(cognitoProperties()), 'tok')).toEqual({
      clientToken: 'tok',
      policyStoreId: 'PSEXAMPLEabcdefg111111',
      principalEntityType: 'MyApp::User',
      configuration: COGNITO_API_CONFIGURATION,
    });
  });

  it('builds UpdateIdentitySource input for OIDC', () => {
    expect(updateInput(parsed(oidcProperties({ PrincipalEntityType: undefined })), 'IS1')).toEqual({
      policyStoreId: 'PSEXAMPLEabcdefg111111',
      identitySourceId: 'IS1',
      updateConfiguration: OIDC_API_CONFIGURATION,
    });
  });

  it('derives the native Details attributes for Cognito sources', () => {
    expect(dataFor('IS1', parsed(cognitoProperties()).configuration)).toEqual({
      IdentitySourceId: 'IS1',
      'Details.ClientIds': ['client-a', 'client-b'],
      'Details.UserPoolArn': USER_POOL_ARN,
      'Details.DiscoveryUrl': 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      'Details.OpenIdIssuer': 'COGNITO',
    });
  });

  it('gives only the id for OIDC sources', () => {
    expect(dataFor('IS2', parsed(oidcProperties()).configuration)).toEqual({
      IdentitySourceId: 'IS2',
    });
  });
});

describe('Details.DiscoveryUrl', () => {
  it("uses the pool's region under its partition's DNS suffix", () => {
    const cases = {
      'arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_Abc':
        'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_Abc',
      'arn:aws:cognito-idp:ap-east-2:123456789012:userpool/ap-east-2_A':
        'https://cognito-idp.ap-east-2.amazonaws.com/ap-east-2_A',
      'arn:aws-us-gov:cognito-idp:us-gov-west-1:123456789012:userpool/us-gov-west-1_A':
        'https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_A',
      'arn:aws-eusc:cognito-idp:eusc-de-east-1:123456789012:userpool/eusc-de-east-1_A':
        'https://cognito-idp.eusc-de-east-1.amazonaws.eu/eusc-de-east-1_A',
      'arn:aws-iso:cognito-idp:us-iso-east-1:123456789012:userpool/us-iso-east-1_A':
        'https://cognito-idp.us-iso-east-1.c2s.ic.gov/us-iso-east-1_A',
      'arn:aws-iso-b:cognito-idp:us-isob-east-1:123456789012:userpool/us-isob-east-1_A':
        'https://cognito-idp.us-isob-east-1.sc2s.sgov.gov/us-isob-east-1_A',
    };
    for (const [userPoolArn, url] of Object.entries(cases)) {
      const data = dataFor('IS1', { cognitoUserPoolConfiguration: { userPoolArn } });
      expect(data['Details.DiscoveryUrl'], userPoolArn).toBe(url);
    }
  });
});

describe('clientTokenFor', () => {
  it("keeps CloudFormation's UUID RequestId as it is", () => {
    const requestId = '4f2a9c3e-1b7d-4e0a-9c8b-0123456789ab';
    expect(clientTokenFor(requestId)).toBe(requestId);
  });

  it("turns a RequestId that breaks the API's rule into a stable token that keeps it", () => {
    const odd = ['has spaces', 'x'.repeat(65), 'ünï', ''];
    for (const requestId of odd) {
      const token = clientTokenFor(requestId);
      expect(token, requestId).toMatch(/^h-[0-9a-f]{62}$/);
      expect(isClientToken(token)).toBe(true);
      expect(clientTokenFor(requestId)).toBe(token);
    }
    expect(new Set(odd.map(clientTokenFor)).size).toBe(odd.length);
    expect(clientTokenFor('a b')).not.toBe(clientTokenFor('a_b'));
  });
});

describe('isClientToken', () => {
  it('accepts 1–64 letters, digits and hyphens only', () => {
    expect(isClientToken('a')).toBe(true);
    expect(isClientToken('a'.repeat(64))).toBe(true);
    expect(isClientToken('a'.repeat(65))).toBe(false);
    expect(isClientToken('')).toBe(false);
    expect(isClientToken('a_b')).toBe(false);
  });
});

describe('physical ids', () => {
  it('reads identity source ids', () => {
    expect(readPhysicalId('ISEXAMPLEabcdefg111111')).toEqual({
      kind: 'identity-source',
      identitySourceId: 'ISEXAMPLEabcdefg111111',
    });
  });

  it('round-trips the markers of failed Creates', () => {
    expect(readPhysicalId(notCreatedId('5f1c-req'))).toEqual({
      kind: 'not-created',
      requestId: '5f1c-req',
    });
    expect(readPhysicalId(createUnconfirmedId('tok-1'))).toEqual({
      kind: 'create-unconfirmed',
      clientToken: 'tok-1',
    });
  });

  it('never reads a marker or a made-up id as an identity source', () => {
    for (const id of [
      notCreatedId('a'),
      'CreateUnconfirmed:bad token',
      'stack|Logical|123',
      '',
      undefined,
    ]) {
      expect(readPhysicalId(id).kind).not.toBe('identity-source');
    }
  });
});

describe('accounts', () => {
  const ROLE_A = 'arn:aws:iam::111122223333:role/A';
  const ROLE_A2 = 'arn:aws:iam::111122223333:role/Other';
  const ROLE_B = 'arn:aws:iam::444455556666:role/B';

  it("is the role's account with a role, else the function's own", () => {
    expect(effectiveAccount({ roleArn: ROLE_A }, '999988887777')).toBe('111122223333');
    expect(effectiveAccount({}, '999988887777')).toBe('999988887777');
    expect(effectiveAccount({}, undefined)).toBeUndefined();
  });

  it('compares accounts, an unknown one counting as the same', () => {
    expect(sameAccount({ roleArn: ROLE_A }, { roleArn: ROLE_A2 }, undefined)).toBe(true);
    expect(sameAccount({ roleArn: ROLE_A }, { roleArn: ROLE_B }, undefined)).toBe(false);
    expect(sameAccount({}, { roleArn: ROLE_A }, '111122223333')).toBe(true);
    expect(sameAccount({}, { roleArn: ROLE_A }, '444455556666')).toBe(false);
    expect(sameAccount({}, { roleArn: ROLE_A }, undefined)).toBe(true);
  });

  it("wants a role of the region's partition", () => {
    expect(rolePartitionProblem(undefined, 'cn-north-1')).toBeUndefined();
    expect(rolePartitionProblem(ROLE_A, 'eu-west-1')).toBeUndefined();
    expect(rolePartitionProblem(ROLE_A, 'cn-north-1')).toEqual({
      path: 'RoleArn',
      message:
        'must be a role of the aws-cn partition, the partition of region cn-north-1 (got aws)',
    });
  });
});

describe('sameInPlaceProperties', () => {
  it('compares what an in-place update sends, lists as sets', () => {
    const a = parsed(cognitoProperties());
    const reordered = parsed(
      cognitoProperties({
        Configuration: {
          CognitoUserPoolConfiguration: {
            UserPoolArn: USER_POOL_ARN,
            ClientIds: ['client-b', 'client-a'],
            GroupConfiguration: { GroupEntityType: 'MyApp::Group' },
          },
        },
      }),
    );
    expect(sameInPlaceProperties(a, reordered)).toBe(true);
    expect(
      sameInPlaceProperties(a, parsed(cognitoProperties({ PrincipalEntityType: 'X::Y' }))),
    ).toBe(false);
    expect(sameInPlaceProperties(a, parsed(oidcProperties()))).toBe(false);
    // Only what the update sends: another store is not an in-place difference.
    expect(sameInPlaceProperties(a, parsed(cognitoProperties({ PolicyStoreId: 'PSother' })))).toBe(
      true,
    );
  });
});

describe('previousOf', () => {
  it('turns a source as the API lists it into the update that restores it (no issuer)', () => {
    expect(previousOf(EXISTING_SOURCE)).toEqual(EXISTING_PREVIOUS);
  });

  it('keeps an OIDC configuration as it is, and omits a missing principal type', () => {
    const oidc = OIDC_API_CONFIGURATION.openIdConnectConfiguration;
    expect(
      previousOf({
        ...EXISTING_SOURCE,
        principalEntityType: undefined,
        configuration: { openIdConnectConfiguration: oidc },
      } as never),
    ).toEqual({ configuration: { openIdConnectConfiguration: oidc } });
  });
});

describe('sameResource', () => {
  it('is the same stack and logical id', () => {
    const a = { stackId: STACK_ID, logicalResourceId: 'A' };
    expect(sameResource(a, { ...a })).toBe(true);
    expect(sameResource(a, { ...a, logicalResourceId: 'B' })).toBe(false);
    expect(sameResource(a, { ...a, stackId: `${STACK_ID}x` })).toBe(false);
  });
});
