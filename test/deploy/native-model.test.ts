/**
 * support/native-model.ts reads AWS::VerifiedPermissions::IdentitySource from the service spec
 * as CONTRACT.md and the registry schema describe it, quickly enough to load once per file.
 */
import { describe, expect, it } from 'vitest';
import {
  IDENTITY_SOURCE_TYPE,
  loadNativeModel,
  unknownPropertyPaths,
} from './support/native-model.js';

const started = performance.now();
const model = await loadNativeModel();
const loadMs = performance.now() - started;

describe('the native model of AWS::VerifiedPermissions::IdentitySource', () => {
  it('loads in a few seconds at most, once', async () => {
    expect(loadMs).toBeLessThan(5_000);
    expect(await loadNativeModel(IDENTITY_SOURCE_TYPE)).toBe(model);
  });

  it('has the native properties, PolicyStoreId creating a new resource', () => {
    expect(model.typeName).toBe(IDENTITY_SOURCE_TYPE);
    expect(model.propertyNames).toEqual(['Configuration', 'PolicyStoreId', 'PrincipalEntityType']);
    expect(model.requiredPropertyNames).toEqual(['Configuration', 'PolicyStoreId']);
    expect(model.createOnlyPropertyNames).toEqual(['PolicyStoreId']);
    expect(model.createOnlyPropertyPaths).toEqual(['PolicyStoreId']);
    expect(model.primaryIdentifier).toEqual(['IdentitySourceId', 'PolicyStoreId']);
  });

  it('has the read-only attributes', () => {
    expect(model.attributeNames).toEqual([
      'Details',
      'Details.ClientIds',
      'Details.DiscoveryUrl',
      'Details.OpenIdIssuer',
      'Details.UserPoolArn',
      'IdentitySourceId',
    ]);
    expect(model.deprecatedAttributeNames).toEqual(['Details']);
  });

  it('has the nested configuration types', () => {
    const names = (type: string) => model.types[type]?.propertyNames;
    expect(names('IdentitySourceConfiguration')).toEqual([
      'CognitoUserPoolConfiguration',
      'OpenIdConnectConfiguration',
    ]);
    expect(names('CognitoUserPoolConfiguration')).toEqual([
      'ClientIds',
      'GroupConfiguration',
      'UserPoolArn',
    ]);
    expect(model.types.CognitoUserPoolConfiguration?.requiredPropertyNames).toEqual([
      'UserPoolArn',
    ]);
    expect(names('CognitoGroupConfiguration')).toEqual(['GroupEntityType']);
    expect(names('OpenIdConnectConfiguration')).toEqual([
      'EntityIdPrefix',
      'GroupConfiguration',
      'Issuer',
      'TokenSelection',
    ]);
    expect(names('OpenIdConnectGroupConfiguration')).toEqual(['GroupClaim', 'GroupEntityType']);
    expect(names('OpenIdConnectTokenSelection')).toEqual(['AccessTokenOnly', 'IdentityTokenOnly']);
    expect(names('OpenIdConnectAccessTokenConfiguration')).toEqual([
      'Audiences',
      'PrincipalIdClaim',
    ]);
    expect(names('OpenIdConnectIdentityTokenConfiguration')).toEqual([
      'ClientIds',
      'PrincipalIdClaim',
    ]);
    expect(model.properties.Configuration?.type).toEqual({
      kind: 'ref',
      typeName: 'IdentitySourceConfiguration',
    });
    expect(model.types.CognitoUserPoolConfiguration?.properties.ClientIds?.type).toEqual({
      kind: 'array',
      element: { kind: 'primitive', primitive: 'string' },
    });
  });

  it('lists every property path', () => {
    expect(model.propertyPaths).toContain(
      'Configuration.OpenIdConnectConfiguration.TokenSelection.AccessTokenOnly.Audiences',
    );
    expect(model.propertyPaths).toContain(
      'Configuration.CognitoUserPoolConfiguration.GroupConfiguration.GroupEntityType',
    );
    expect(model.propertyPaths).toHaveLength(new Set(model.propertyPaths).size);
  });
});

describe('unknownPropertyPaths', () => {
  it('reports unknown keys at any depth, through arrays, but not inside intrinsics', () => {
    expect(
      unknownPropertyPaths(
        model,
        {
          ServiceToken: 'arn',
          PolicyStoreId: { Ref: 'Store' },
          Extra: 1,
          Configuration: {
            CognitoUserPoolConfiguration: {
              UserPoolArn: { 'Fn::GetAtt': ['Pool', 'Arn'] },
              ClientIds: [{ Ref: 'Client' }, 'x'],
              GroupConfiguration: { GroupEntityType: 'G', GroupClaim: 'nope' },
            },
          },
        },
        ['ServiceToken'],
      ),
    ).toEqual([
      'Configuration.CognitoUserPoolConfiguration.GroupConfiguration.GroupClaim',
      'Extra',
    ]);
    expect(unknownPropertyPaths(model, { 'Fn::If': ['c', {}, {}] })).toEqual([]);
    expect(unknownPropertyPaths(model, { Region: 'x' })).toEqual(['Region']);
  });
});
