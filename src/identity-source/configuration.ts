/**
 * The identity source's configuration as the provider holds it once read: the API's camelCase
 * shapes, exactly one of a Cognito user pool or an OpenID Connect provider.
 */

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
