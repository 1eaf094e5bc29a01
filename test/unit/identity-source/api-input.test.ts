import { describe, expect, it } from 'vitest';
import { createInput, dataFor, updateInput } from '../../../src/identity-source/api-input.js';
import { parseProperties } from '../../../src/identity-source/properties.js';
import { COGNITO_API_CONFIGURATION, OIDC_API_CONFIGURATION } from '../../fixtures/api-shapes.js';
import { cognitoProperties, oidcProperties, USER_POOL_ARN } from '../../fixtures/requests.js';

const parsed = (raw: Record<string, unknown>) => {
  const result = parseProperties(raw);
  if (!result.ok) throw new Error('fixture invalid');
  return result.properties;
};

describe('api-input', () => {
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
