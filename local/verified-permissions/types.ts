/**
 * The Verified Permissions double's public types: its options, what it records and the handle
 * a test holds. See `double.ts` for the double itself.
 *
 * @module
 */

/** The operations the double answers. */
export const IDENTITY_SOURCE_OPERATIONS = [
  'CreateIdentitySource',
  'UpdateIdentitySource',
  'DeleteIdentitySource',
  'GetIdentitySource',
  'ListIdentitySources',
] as const;

/** One of {@link IDENTITY_SOURCE_OPERATIONS}. */
export type IdentitySourceOperation = (typeof IDENTITY_SOURCE_OPERATIONS)[number];

/** The policy store alias operations the double answers too (see `aliases.ts`). */
export const POLICY_STORE_ALIAS_OPERATIONS = [
  'GetPolicyStoreAlias',
  'CreatePolicyStoreAlias',
  'ListPolicyStoreAliases',
  'DeletePolicyStoreAlias',
] as const;

/** One of {@link POLICY_STORE_ALIAS_OPERATIONS}. */
export type PolicyStoreAliasOperation = (typeof POLICY_STORE_ALIAS_OPERATIONS)[number];

/** Any operation the double answers. */
export type DoubleOperation = IdentitySourceOperation | PolicyStoreAliasOperation;

/** Options of `startVerifiedPermissionsDouble`. */
export interface VerifiedPermissionsDoubleOptions {
  /**
   * Accepted Create/Update/Delete calls per policy store per rolling second; more answer
   * `ThrottlingException`. Off (`undefined` or 0) by default so ordinary tests are fast; the real
   * service's rate is 1. Can be changed later with {@link VerifiedPermissionsDouble.setWriteThrottle}.
   */
  throttleWritesPerSecond?: number;
  /**
   * Accepted Create/Update/Delete calls per account (of the signing access key, see
   * `accountOf`; one account when unknown) and region per rolling second, all policy stores
   * together, on top of {@link throttleWritesPerSecond}; more answer `ThrottlingException`. Off (`undefined` or 0) by
   * default. Can be changed later with {@link VerifiedPermissionsDouble.setAccountWriteThrottle}.
   */
  throttleAccountWritesPerSecond?: number;
  /**
   * How long a new identity source stays invisible to Get/List/Update/Delete after it is created
   * (answering `ResourceNotFoundException`), to imitate eventual consistency. Default 0.
   */
  identitySourceVisibleAfterMs?: number;
  /** Identity sources allowed per policy store (the service's hard quota is 1). */
  maxIdentitySourcesPerStore?: number;
  /** The model file to validate inputs against; default the committed `api-model.json`. */
  modelUrl?: URL;
  /**
   * The account a request's signing access key belongs to (undefined: unknown), for stores
   * added with {@link PolicyStoreOptions.accountId}. Default: no key belongs to any account.
   */
  accountOf?: (accessKeyId: string) => string | undefined;
}

/** Options of {@link VerifiedPermissionsDouble.addPolicyStore}. */
export interface PolicyStoreOptions {
  /** The store answers `ResourceNotFoundException` until this many ms after it was added. */
  visibleAfterMs?: number;
  /** The store exists only in this region (as read from the request signature); default: every region. */
  region?: string;
  /**
   * The store exists only for requests signed by this account's access keys (another
   * account's store; see {@link VerifiedPermissionsDoubleOptions.accountOf}); default: every
   * signer's.
   */
  accountId?: string;
}

/** Options of {@link VerifiedPermissionsDouble.addPolicyStoreAlias}. */
export interface PolicyStoreAliasOptions {
  /** The region the alias lives in; default the store's (every region for a store pinned to none). */
  region?: string;
}

/** An injected error answer, see {@link VerifiedPermissionsDouble.failNext}. */
export interface InjectedFailure {
  /** HTTP status; default the error type's usual status, else 500. */
  status?: number;
  /** The `__type` / `x-amzn-errortype`; default `InternalServerException`. */
  errorType?: string;
  /** Default: "Injected failure (<errorType>)". */
  message?: string;
  /** How many consecutive matching requests get this answer; default 1. */
  times?: number;
}

/** One request the double received, in arrival order. */
export interface RecordedRequest {
  /** The operation from `X-Amz-Target` (undefined when the header was missing or foreign). */
  operation: string | undefined;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  /** Region of the SigV4 credential scope in the `Authorization` header. */
  region: string | undefined;
  /** The access key that signed the request (the `Authorization` header's `Credential=`). */
  accessKeyId: string | undefined;
  /** Arrival time, epoch ms (fractional: ordered with the other stand-ins' records). */
  time: number;
  /** HTTP status of the answer; undefined while the request hangs (see `hangNext`). */
  status: number | undefined;
  /** The error answered, if any. */
  errorType?: string;
}

/** Identity-source configuration as the API receives it (the `Configuration` union, camelCase). */
export interface IdentitySourceConfiguration {
  cognitoUserPoolConfiguration?: {
    userPoolArn: string;
    clientIds?: string[];
    groupConfiguration?: { groupEntityType: string };
  };
  openIdConnectConfiguration?: {
    issuer: string;
    entityIdPrefix?: string;
    groupConfiguration?: { groupClaim: string; groupEntityType: string };
    tokenSelection: {
      accessTokenOnly?: { principalIdClaim?: string; audiences?: string[] };
      identityTokenOnly?: { principalIdClaim?: string; clientIds?: string[] };
    };
  };
}

/** The double's record of one identity source (a copy; changing it changes nothing). */
export interface IdentitySourceState {
  identitySourceId: string;
  policyStoreId: string;
  /** The region whose endpoint created it (from the request signature). */
  region: string;
  principalEntityType: string;
  /** The configuration as last received (Create's `configuration` or Update's `updateConfiguration`). */
  configuration: IdentitySourceConfiguration;
  createdDate: Date;
  lastUpdatedDate: Date;
}

/** A running double; see `double.ts`. */
export interface VerifiedPermissionsDouble {
  /** `http://127.0.0.1:<port>`, for the SDK client's `endpoint` or `AWS_ENDPOINT_URL_VERIFIEDPERMISSIONS`. */
  readonly endpoint: string;
  /** Every request received, oldest first. Cleared by {@link reset}. */
  readonly requests: readonly RecordedRequest[];
  /** Adds a policy store (test-only; not an API operation) and returns its id (random when omitted). */
  addPolicyStore(id?: string, options?: PolicyStoreOptions): string;
  /**
   * Adds a policy store alias (test-only, as `CreatePolicyStoreAlias` would, with its rules:
   * the `policy-store-alias/` prefix, a name unique in its region, at most 10 per store) and
   * returns its name.
   *
   * @throws Error (the service's error answer) when a rule is broken or the store is unknown.
   */
  addPolicyStoreAlias(
    aliasName: string,
    policyStoreId: string,
    options?: PolicyStoreAliasOptions,
  ): string;
  /** Removes a policy store, its identity sources and its aliases, as if deleted out of band. */
  deletePolicyStore(id: string): void;
  /** The current identity sources, oldest first. */
  identitySources(): IdentitySourceState[];
  /** The next `times` requests for `operation` (or any, with `'*'`) get an error answer. */
  failNext(operation: DoubleOperation | '*', failure?: InjectedFailure): void;
  /** The next `times` requests for `operation` are never answered (until {@link close}). */
  hangNext(operation: DoubleOperation | '*', times?: number): void;
  /** The next `times` requests for `operation` take effect and are answered only after `ms`. */
  delayNext(operation: DoubleOperation | '*', ms: number, times?: number): void;
  /** Switches the write throttle: N accepted writes per store per second, or off with undefined/0. */
  setWriteThrottle(perSecond: number | undefined): void;
  /** Switches the account-wide write limit: N accepted writes per account and region per second, or off. */
  setAccountWriteThrottle(perSecond: number | undefined): void;
  /** Forgets all stores, aliases, identity sources, client tokens, requests, pending faults and throttle windows. */
  reset(): void;
  /** Stops the server, destroying open (also hanging) connections. */
  close(): Promise<void>;
}
