import { describe, expect, it } from 'vitest';
import { parseProperties } from '../../../src/identity-source/properties.js';
import { COGNITO_API_CONFIGURATION, OIDC_API_CONFIGURATION } from '../../fixtures/api-shapes.js';
import { cognitoProperties, oidcProperties, USER_POOL_ARN } from '../../fixtures/requests.js';

function problemsOf(raw: Record<string, unknown>): string[] {
  const result = parseProperties(raw);
  if (result.ok) throw new Error('expected problems');
  return result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('parseProperties', () => {
  it('maps a Cognito configuration field by field to the API shape', () => {
    const result = parseProperties(cognitoProperties({ Region: 'us-gov-west-1' }));
    expect(result).toEqual({
      ok: true,
      properties: {
        policyStoreId: 'PSEXAMPLEabcdefg111111',
        configuration: COGNITO_API_CONFIGURATION,
        principalEntityType: 'MyApp::User',
        region: 'us-gov-west-1',
        adoptExisting: false,
      },
    });
  });

  it('maps an OIDC access-token configuration', () => {
    const result = parseProperties(oidcProperties());
    expect(result.ok && result.properties.configuration).toEqual(OIDC_API_CONFIGURATION);
  });

  it('maps an OIDC identity-token configuration and an UpdateConfiguration', () => {
    const configuration = {
      OpenIdConnectConfiguration: {
        Issuer: 'https://idp.example.com',
        TokenSelection: { IdentityTokenOnly: { ClientIds: ['c1'], PrincipalIdClaim: 'email' } },
      },
    };
    const result = parseProperties(
      oidcProperties({ Configuration: configuration, UpdateConfiguration: configuration }),
    );
    const expected = {
      openIdConnectConfiguration: {
        issuer: 'https://idp.example.com',
        tokenSelection: { identityTokenOnly: { clientIds: ['c1'], principalIdClaim: 'email' } },
      },
    };
    expect(result.ok && result.properties.configuration).toEqual(expected);
    expect(result.ok && result.properties.updateConfiguration).toEqual(expected);
  });

  it('accepts the minimum: PolicyStoreId and a user pool ARN', () => {
    const result = parseProperties({
      PolicyStoreId: 'ps-1',
      Configuration: { CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN } },
    });
    expect(result).toEqual({
      ok: true,
      properties: {
        policyStoreId: 'ps-1',
        configuration: { cognitoUserPoolConfiguration: { userPoolArn: USER_POOL_ARN } },
        adoptExisting: false,
      },
    });
  });

  it('names the property and what was expected for a bad user pool ARN', () => {
    const props = cognitoProperties({
      Configuration: { CognitoUserPoolConfiguration: { UserPoolArn: 'arn:aws:s3:::bucket' } },
    });
    expect(problemsOf(props)).toEqual([
      'Configuration.CognitoUserPoolConfiguration.UserPoolArn: must be a Cognito user pool ARN (arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>)',
    ]);
  });

  it('accepts a policy store alias, beyond the native schema, and nothing else it rejects', () => {
    for (const PolicyStoreId of [
      'policy-store-alias/payments',
      'policy-store-alias/team_a/prod-1',
      `policy-store-alias/${'a'.repeat(131)}`,
    ]) {
      expect(parseProperties(cognitoProperties({ PolicyStoreId })).ok, PolicyStoreId).toBe(true);
    }
    for (const PolicyStoreId of [
      'policy-store-alias/',
      'policy-store-alias/has space',
      'Policy-Store-Alias/x',
      'alias/payments',
      'ps_1',
      `policy-store-alias/${'a'.repeat(132)}`,
    ]) {
      expect(problemsOf(cognitoProperties({ PolicyStoreId })), PolicyStoreId).toEqual([
        expect.stringMatching(/^PolicyStoreId: must be a policy store id .* or alias/),
      ]);
    }
  });

  it('reads RoleArn as an IAM role ARN of any partition', () => {
    for (const RoleArn of [
      'arn:aws:iam::111122223333:role/IdentitySourceManager',
      'arn:aws-cn:iam::111122223333:role/path/to/Deployer',
      'arn:aws-eusc:iam::111122223333:role/a+b=c,d.e@f-g_h',
    ]) {
      const parsed = parseProperties(cognitoProperties({ RoleArn }));
      expect(parsed.ok && parsed.properties.roleArn, RoleArn).toBe(RoleArn);
    }
    for (const RoleArn of [
      'arn:aws:iam::111122223333:user/Someone',
      'arn:aws:iam::1111:role/Short',
      'arn:aws:iam:us-east-1:111122223333:role/Regional',
      'arn:aws:sts::111122223333:assumed-role/R/s',
      'arn:not-a-partition:iam::111122223333:role/R',
      'arn:aws:iam::111122223333:role/',
      'arn:aws:iam::111122223333:role/has space',
    ]) {
      expect(problemsOf(cognitoProperties({ RoleArn })), RoleArn).toEqual([
        'RoleArn: must be an IAM role ARN (arn:<partition>:iam::<account>:role/<path and name>)',
      ]);
    }
  });

  it('reads AdoptExisting as a boolean, from the strings CloudFormation sends too', () => {
    const adopt = (AdoptExisting: unknown) => {
      const parsed = parseProperties(cognitoProperties({ AdoptExisting }));
      return parsed.ok ? parsed.properties.adoptExisting : undefined;
    };
    expect([true, 'true', false, 'false', undefined].map(adopt)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    for (const AdoptExisting of ['yes', 'True', 1, {}]) {
      expect(problemsOf(cognitoProperties({ AdoptExisting })), String(AdoptExisting)).toEqual([
        expect.stringMatching(/^AdoptExisting: must be true or false/),
      ]);
    }
  });

  it('reports every problem, not only the first', () => {
    const problems = problemsOf({
      PolicyStoreId: 'bad id!',
      Configuration: {
        OpenIdConnectConfiguration: {
          Issuer: 'http://insecure.example.com',
          GroupConfiguration: { GroupClaim: 'groups', GroupEntityType: 'not a type' },
          TokenSelection: { AccessTokenOnly: { Audiences: [] } },
        },
      },
      PrincipalEntityType: '',
      Colour: 'blue',
    });
    expect(problems).toEqual([
      'Colour: is not a known property (expected one of: PolicyStoreId, Configuration, PrincipalEntityType, UpdateConfiguration, Region, RoleArn, AdoptExisting)',
      'PolicyStoreId: must be a policy store id (letters, digits and hyphens) or alias (policy-store-alias/ followed by letters, digits, -, _ or /; at most 150 characters)',
      'Configuration.OpenIdConnectConfiguration.Issuer: must be an https:// URL (the OIDC issuer)',
      'Configuration.OpenIdConnectConfiguration.GroupConfiguration.GroupEntityType: must be a Cedar entity type such as MyApp::Group (identifiers joined by ::)',
      'Configuration.OpenIdConnectConfiguration.TokenSelection.AccessTokenOnly.Audiences: must have 1 to 255 items (got 0)',
      'PrincipalEntityType: must not be empty (got 0)',
    ]);
  });

  it('requires exactly one configuration member', () => {
    expect(problemsOf({ PolicyStoreId: 'p', Configuration: {} })).toEqual([
      'Configuration: must set exactly one of CognitoUserPoolConfiguration, OpenIdConnectConfiguration (none is set)',
    ]);
    const both = cognitoProperties({
      Configuration: {
        CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN },
        OpenIdConnectConfiguration: {
          Issuer: 'https://x',
          TokenSelection: { AccessTokenOnly: {} },
        },
      },
    });
    expect(problemsOf(both)).toEqual([
      'Configuration: must set exactly one of CognitoUserPoolConfiguration, OpenIdConnectConfiguration (CognitoUserPoolConfiguration and OpenIdConnectConfiguration are both set)',
    ]);
  });

  it('requires exactly one token selection', () => {
    const props = oidcProperties({
      Configuration: {
        OpenIdConnectConfiguration: {
          Issuer: 'https://x',
          TokenSelection: { AccessTokenOnly: {}, IdentityTokenOnly: {} },
        },
      },
    });
    expect(problemsOf(props)).toEqual([
      'Configuration.OpenIdConnectConfiguration.TokenSelection: must set exactly one of AccessTokenOnly, IdentityTokenOnly (AccessTokenOnly and IdentityTokenOnly are both set)',
    ]);
  });

  it('rejects the read-only attributes and unknown nested keys', () => {
    const props = cognitoProperties({
      IdentitySourceId: 'IS1',
      Details: {},
      Configuration: {
        CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, userPoolArn: USER_POOL_ARN },
      },
    });
    expect(problemsOf(props)).toEqual([
      'IdentitySourceId: is a read-only attribute of the identity source: read it with !GetAtt, do not set it',
      'Details: is a read-only attribute of the identity source: read it with !GetAtt, do not set it',
      'Configuration.CognitoUserPoolConfiguration.userPoolArn: is not a known property (expected one of: UserPoolArn, ClientIds, GroupConfiguration)',
    ]);
  });

  it('ignores ServiceToken and ServiceTimeout', () => {
    expect(parseProperties(cognitoProperties({ ServiceTimeout: '300' })).ok).toBe(true);
  });

  it('reports wrong types with what arrived', () => {
    const props = cognitoProperties({
      PolicyStoreId: 42,
      Configuration: {
        CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, ClientIds: 'a,b' },
      },
      UpdateConfiguration: [],
    });
    expect(problemsOf(props)).toEqual([
      'PolicyStoreId: must be a string (got a number)',
      'Configuration.CognitoUserPoolConfiguration.ClientIds: must be a list of strings (got a string)',
      'UpdateConfiguration: must be an object (got a list)',
    ]);
  });

  it('checks list items one by one and lengths', () => {
    const props = cognitoProperties({
      Configuration: {
        CognitoUserPoolConfiguration: {
          UserPoolArn: USER_POOL_ARN,
          ClientIds: ['ok', '', 'x'.repeat(256), 'a\nb'],
        },
      },
      PolicyStoreId: 'p'.repeat(201),
    });
    expect(problemsOf(props)).toEqual([
      'PolicyStoreId: must be 1 to 200 characters long (got 201)',
      'Configuration.CognitoUserPoolConfiguration.ClientIds[1]: must not be empty (got 0)',
      'Configuration.CognitoUserPoolConfiguration.ClientIds[2]: must be 1 to 255 characters long (got 256)',
      'Configuration.CognitoUserPoolConfiguration.ClientIds[3]: must be a single line',
    ]);
  });

  it('accepts a Region of every partition', () => {
    for (const Region of [
      'us-east-1',
      'ap-east-2',
      'cn-north-1',
      'us-gov-west-1',
      'us-iso-east-1',
      'us-isob-east-1',
      'eu-isoe-west-1',
      'us-isof-south-1',
      'eusc-de-east-1',
    ]) {
      expect(parseProperties(cognitoProperties({ Region })).ok, Region).toBe(true);
    }
  });

  it('rejects a Region that is no region of any partition, saying what one looks like', () => {
    for (const Region of ['Europe', 'us-east', 'eu_west_1', 'US-EAST-1']) {
      expect(problemsOf(cognitoProperties({ Region })), Region).toEqual([
        'Region: must be a region of an AWS partition, such as us-east-1, cn-north-1, us-gov-west-1 or eusc-de-east-1',
      ]);
    }
  });

  it('requires PolicyStoreId and Configuration', () => {
    expect(problemsOf({})).toEqual(['PolicyStoreId: is required', 'Configuration: is required']);
  });
});
