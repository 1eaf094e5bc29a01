import type { ConfigurationDetail } from '@aws-sdk/client-verifiedpermissions';
import { describe, expect, it } from 'vitest';
import { driftOf, repairInput } from '../../../src/identity-source/drift.js';
import { parseProperties } from '../../../src/identity-source/properties.js';
import { cognitoProperties, oidcProperties, USER_POOL_ARN } from '../../fixtures/requests.js';

const parsed = (raw: Record<string, unknown>) => {
  const result = parseProperties(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.properties;
};
const cognitoDetail = (overrides: Record<string, unknown> = {}) => ({
  cognitoUserPoolConfiguration: {
    userPoolArn: USER_POOL_ARN,
    clientIds: ['client-a', 'client-b'],
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
    groupConfiguration: { groupEntityType: 'MyApp::Group' },
    ...overrides,
  },
});

describe('driftOf', () => {
  it('finds none when the source is as applied, client ids in any order, issuer not compared', () => {
    expect(
      driftOf(parsed(cognitoProperties()), {
        configuration: cognitoDetail({ clientIds: ['client-b', 'client-a'] }),
        principalEntityType: 'MyApp::User',
      }),
    ).toEqual([]);
  });

  it('names each changed property by its PascalCase path, with both values', () => {
    expect(
      driftOf(parsed(cognitoProperties()), {
        configuration: cognitoDetail({ clientIds: ['client-a'], groupConfiguration: undefined }),
        principalEntityType: 'MyApp::Person',
      }),
    ).toEqual([
      {
        Path: 'Configuration.CognitoUserPoolConfiguration.ClientIds',
        Expected: ['client-a', 'client-b'],
        Actual: ['client-a'],
      },
      {
        Path: 'Configuration.CognitoUserPoolConfiguration.GroupConfiguration.GroupEntityType',
        Expected: 'MyApp::Group',
        Actual: null,
      },
      { Path: 'PrincipalEntityType', Expected: 'MyApp::User', Actual: 'MyApp::Person' },
    ]);
  });

  it("takes the service's defaults as no drift: no client ids = [], no PrincipalIdClaim = sub", () => {
    const props = parsed(
      cognitoProperties({
        Configuration: { CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN } },
        PrincipalEntityType: undefined,
      }),
    );
    expect(
      driftOf(props, {
        configuration: cognitoDetail({ clientIds: [], groupConfiguration: undefined }),
        principalEntityType: 'AVP::Whatever',
      }),
    ).toEqual([]);
    const oidc = parsed(
      oidcProperties({
        Configuration: {
          OpenIdConnectConfiguration: {
            Issuer: 'https://auth.example.com',
            TokenSelection: { IdentityTokenOnly: {} },
          },
        },
      }),
    );
    expect(
      driftOf(oidc, {
        configuration: {
          openIdConnectConfiguration: {
            issuer: 'https://auth.example.com',
            tokenSelection: { identityTokenOnly: { clientIds: [], principalIdClaim: 'sub' } },
          },
        },
        principalEntityType: 'MyApp::User',
      }),
    ).toEqual([]);
  });

  it('compares audiences without order, and sees a token selection switched', () => {
    const props = parsed(
      oidcProperties({
        Configuration: {
          OpenIdConnectConfiguration: {
            Issuer: 'https://auth.example.com',
            EntityIdPrefix: 'MyOIDCProvider',
            GroupConfiguration: { GroupClaim: 'groups', GroupEntityType: 'MyApp::Group' },
            TokenSelection: { AccessTokenOnly: { Audiences: ['a', 'b'] } },
          },
        },
      }),
    );
    const detail = (tokenSelection: Record<string, unknown>) => ({
      configuration: {
        openIdConnectConfiguration: {
          issuer: 'https://auth.example.com',
          entityIdPrefix: 'MyOIDCProvider',
          groupConfiguration: { groupClaim: 'groups', groupEntityType: 'MyApp::Group' },
          tokenSelection,
        },
      } as unknown as ConfigurationDetail,
      principalEntityType: 'MyApp::User',
    });
    expect(
      driftOf(
        props,
        detail({ accessTokenOnly: { audiences: ['b', 'a'], principalIdClaim: 'sub' } }),
      ),
    ).toEqual([]);
    expect(
      driftOf(
        props,
        detail({ identityTokenOnly: { clientIds: ['x'], principalIdClaim: 'sub' } }),
      ).map((d) => d.Path),
    ).toEqual([
      'Configuration.OpenIdConnectConfiguration.TokenSelection.AccessTokenOnly.Audiences',
      'Configuration.OpenIdConnectConfiguration.TokenSelection.AccessTokenOnly.PrincipalIdClaim',
      'Configuration.OpenIdConnectConfiguration.TokenSelection.IdentityTokenOnly.ClientIds',
      'Configuration.OpenIdConnectConfiguration.TokenSelection.IdentityTokenOnly.PrincipalIdClaim',
    ]);
  });

  it('compares with UpdateConfiguration when the properties have one', () => {
    const props = parsed(
      cognitoProperties({
        UpdateConfiguration: {
          CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, ClientIds: ['only'] },
        },
      }),
    );
    expect(
      driftOf(props, {
        configuration: cognitoDetail({ clientIds: ['only'], groupConfiguration: undefined }),
        principalEntityType: 'MyApp::User',
      }),
    ).toEqual([]);
  });

  it('sees a switch from Cognito to OIDC', () => {
    const differences = driftOf(parsed(cognitoProperties()), {
      configuration: {
        openIdConnectConfiguration: {
          issuer: 'https://x',
          tokenSelection: { accessTokenOnly: { principalIdClaim: 'sub' } },
        },
      },
      principalEntityType: 'MyApp::User',
    });
    expect(differences[0]).toEqual({
      Path: 'Configuration.CognitoUserPoolConfiguration.UserPoolArn',
      Expected: USER_POOL_ARN,
      Actual: null,
    });
    expect(differences.map((d) => d.Path)).toContain(
      'Configuration.OpenIdConnectConfiguration.Issuer',
    );
  });
});

describe('repairInput', () => {
  it('sends the applied configuration to the store the source is in', () => {
    const props = parsed(cognitoProperties({ PolicyStoreId: 'policy-store-alias/payments' }));
    expect(repairInput(props, { policyStoreId: 'PSEXAMPLE', identitySourceId: 'IS1' })).toEqual({
      policyStoreId: 'PSEXAMPLE',
      identitySourceId: 'IS1',
      updateConfiguration: {
        cognitoUserPoolConfiguration: {
          userPoolArn: USER_POOL_ARN,
          clientIds: ['client-a', 'client-b'],
          groupConfiguration: { groupEntityType: 'MyApp::Group' },
        },
      },
      principalEntityType: 'MyApp::User',
    });
  });
});
