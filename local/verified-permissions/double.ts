/**
 * A TEST DOUBLE of Amazon Verified Permissions' identity-source operations: a small, stateful,
 * local HTTP server for end-to-end tests and `npm start`. It is not the real service and does not
 * claim to be; it imitates the parts the provider depends on, closely enough that the real AWS SDK
 * v3 client (`@aws-sdk/client-verifiedpermissions`) cannot tell the difference on the wire.
 *
 * Wire protocol (AWS JSON 1.0, as the SDK sends and parses it):
 * - requests: `POST /`, `X-Amz-Target: VerifiedPermissions.<Operation>`,
 *   `Content-Type: application/x-amz-json-1.0`, SigV4 `Authorization` header (the signature itself
 *   is not checked; the credential scope's region and service are read);
 * - responses: JSON; timestamps as ISO 8601 strings, because the model gives `TimestampFormat`
 *   the `iso8601` format and the SDK parses those members with an RFC 3339 parser that rejects
 *   numbers (epoch seconds are only the protocol's default when no format is given);
 * - errors: header `x-amzn-errortype: <Name>`, body `{"__type":"<Name>","message":…}` plus the
 *   error's members, HTTP status from the error's `@httpError` code in the service's Smithy model
 *   (as compiled into the SDK): 400 validation, 402 quota, 403 access, 404 not found,
 *   409 conflict, 429 throttling, 500 internal.
 *
 * Behaviour modelled on the reference model and the service documentation:
 * - input validation driven by the model file itself (see {@link validateOperationInput});
 * - policy stores exist only when a test adds them ({@link VerifiedPermissionsDouble.addPolicyStore}),
 *   optionally pinned to one region and/or invisible for a while after creation;
 * - at most one identity source per policy store (`ServiceQuotaExceededException`);
 * - `clientToken` replay on create: same token and parameters → the original answer, no new
 *   source; same token, other parameters → `ConflictException` (tokens live eight hours);
 * - an optional per-store write throttle (`ThrottlingException`), and an optional read-after-write
 *   lag for new identity sources;
 * - fault injection: {@link VerifiedPermissionsDouble.failNext} and
 *   {@link VerifiedPermissionsDouble.hangNext}.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ApiModel,
  type FieldViolation,
  loadApiModel,
  REFERENCE_MODEL_URL,
  validateOperationInput,
  validationMessage,
} from './model.js';

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

/** The operations counted by the write throttle. */
const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateIdentitySource',
  'UpdateIdentitySource',
  'DeleteIdentitySource',
]);

/** HTTP status of each error, from the `@httpError` traits of the service's Smithy model. */
const ERROR_STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  MissingAuthenticationTokenException: 403,
  InvalidSignatureException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
};

/** How long the service remembers a `clientToken` (documented: eight hours). */
const CLIENT_TOKEN_TTL_MS = 8 * 60 * 60 * 1000;

/** The principal entity type the service assigns when a create leaves it out (documented). */
export const DEFAULT_PRINCIPAL_ENTITY_TYPE = 'AWS::Cognito';

/** Options of {@link startVerifiedPermissionsDouble}. */
export interface VerifiedPermissionsDoubleOptions {
  /**
   * Accepted Create/Update/Delete calls per policy store per rolling second; more answer
   * `ThrottlingException`. Off (`undefined` or 0) by default so ordinary tests are fast; the real
   * service's rate is 1. Can be changed later with {@link VerifiedPermissionsDouble.setWriteThrottle}.
   */
  throttleWritesPerSecond?: number;
  /**
   * How long a new identity source stays invisible to Get/List/Update/Delete after it is created
   * (answering `ResourceNotFoundException`), to imitate eventual consistency. Default 0.
   */
  identitySourceVisibleAfterMs?: number;
  /** Identity sources allowed per policy store (the service's hard quota is 1). */
  maxIdentitySourcesPerStore?: number;
  /**
   * Whether the model file must exist (default true). `npm start` passes false, so a clone
   * without the reference beside it still runs, with input validation off.
   */
  requireModel?: boolean;
  /** The model file to validate inputs against; default the reference model. */
  modelUrl?: URL;
}

/** Options of {@link VerifiedPermissionsDouble.addPolicyStore}. */
export interface PolicyStoreOptions {
  /** The store answers `ResourceNotFoundException` until this many ms after it was added. */
  visibleAfterMs?: number;
  /** The store exists only in this region (as read from the request signature); default: every region. */
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
  /** Arrival time, epoch ms. */
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

/** A running double; see the module documentation. */
export interface VerifiedPermissionsDouble {
  /** `http://127.0.0.1:<port>`, for the SDK client's `endpoint` or `AWS_ENDPOINT_URL_VERIFIEDPERMISSIONS`. */
  readonly endpoint: string;
  /** Every request received, oldest first. Cleared by {@link reset}. */
  readonly requests: readonly RecordedRequest[];
  /** Adds a policy store (test-only; not an API operation) and returns its id (random when omitted). */
  addPolicyStore(id?: string, options?: PolicyStoreOptions): string;
  /** Removes a policy store and its identity sources, as if deleted out of band. */
  deletePolicyStore(id: string): void;
  /** The current identity sources, oldest first. */
  identitySources(): IdentitySourceState[];
  /** The next `times` requests for `operation` (or any, with `'*'`) get an error answer. */
  failNext(operation: IdentitySourceOperation | '*', failure?: InjectedFailure): void;
  /** The next `times` requests for `operation` are never answered (until {@link close}). */
  hangNext(operation: IdentitySourceOperation | '*', times?: number): void;
  /** The next `times` requests for `operation` take effect and are answered only after `ms`. */
  delayNext(operation: IdentitySourceOperation | '*', ms: number, times?: number): void;
  /** Switches the write throttle: N accepted writes per store per second, or off with undefined/0. */
  setWriteThrottle(perSecond: number | undefined): void;
  /** Forgets all stores, identity sources, client tokens, requests, pending faults and throttle windows. */
  reset(): void;
  /** Stops the server, destroying open (also hanging) connections. */
  close(): Promise<void>;
}

interface PolicyStore {
  id: string;
  region: string | undefined;
  visibleAt: number;
}

interface StoredIdentitySource extends IdentitySourceState {
  visibleAt: number;
}

interface RememberedToken {
  fingerprint: string;
  response: Record<string, unknown>;
  identitySourceId: string;
  expiresAt: number;
}

type Fault =
  | { kind: 'fail'; failure: InjectedFailure; remaining: number }
  | {
      kind: 'hang';
      remaining: number;
    }
  | { kind: 'delay'; ms: number; remaining: number };

/** An error answer, thrown inside the operation handlers and turned into an HTTP response. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly members: Record<string, unknown> = {},
    readonly status: number = ERROR_STATUS[type] ?? 400,
  ) {
    super(message);
  }
}

interface RequestContext {
  region: string;
  now: number;
}

/**
 * Starts a Verified Permissions test double on 127.0.0.1 (random port).
 *
 * @example
 * const double = await startVerifiedPermissionsDouble();
 * const storeId = double.addPolicyStore();
 * const client = new VerifiedPermissionsClient({ region: 'eu-west-1', endpoint: double.endpoint, credentials });
 */
export async function startVerifiedPermissionsDouble(
  options: VerifiedPermissionsDoubleOptions = {},
): Promise<VerifiedPermissionsDouble> {
  const model: ApiModel = loadApiModel(options.modelUrl ?? REFERENCE_MODEL_URL, {
    required: options.requireModel ?? true,
  });
  const targetPrefix = `${model.metadata.targetPrefix}.`;
  const maxPerStore = options.maxIdentitySourcesPerStore ?? 1;
  const sourceLagMs = options.identitySourceVisibleAfterMs ?? 0;
  let throttlePerSecond = options.throttleWritesPerSecond;

  const stores = new Map<string, PolicyStore>();
  const sources = new Map<string, StoredIdentitySource>();
  const tokens = new Map<string, RememberedToken>();
  const writeTimes = new Map<string, number[]>();
  const faults = new Map<string, Fault[]>();
  const requests: RecordedRequest[] = [];

  // ---- state lookups -------------------------------------------------------------------------

  function visibleStore(id: unknown, ctx: RequestContext): PolicyStore {
    const store = typeof id === 'string' ? stores.get(id) : undefined;
    if (
      !store ||
      ctx.now < store.visibleAt ||
      (store.region !== undefined && store.region !== ctx.region)
    ) {
      throw new ServiceError('ResourceNotFoundException', `Policy store ${String(id)} not found.`, {
        resourceId: String(id),
        resourceType: 'POLICY_STORE',
      });
    }
    return store;
  }

  function visibleSource(store: PolicyStore, id: unknown, ctx: RequestContext) {
    const source = typeof id === 'string' ? sources.get(id) : undefined;
    if (!source || source.policyStoreId !== store.id || ctx.now < source.visibleAt) {
      throw new ServiceError(
        'ResourceNotFoundException',
        `Identity source ${String(id)} not found in policy store ${store.id}.`,
        { resourceId: String(id), resourceType: 'IDENTITY_SOURCE' },
      );
    }
    return source;
  }

  function checkWriteThrottle(body: Record<string, unknown>, now: number): void {
    if (!throttlePerSecond) return;
    const key = String(body.policyStoreId);
    const recent = (writeTimes.get(key) ?? []).filter((t) => t > now - 1000);
    if (recent.length >= throttlePerSecond) {
      writeTimes.set(key, recent);
      throw new ServiceError('ThrottlingException', 'Rate exceeded', {
        serviceCode: 'verifiedpermissions',
      });
    }
    recent.push(now);
    writeTimes.set(key, recent);
  }

  // ---- operations ----------------------------------------------------------------------------

  function createIdentitySource(input: Record<string, unknown>, ctx: RequestContext) {
    const token = typeof input.clientToken === 'string' ? input.clientToken : undefined;
    const tokenKey = token === undefined ? undefined : `${ctx.region}\u0000${token}`;
    const { clientToken: _ignored, ...parameters } = input;
    const fingerprint = canonicalJson(parameters);
    if (tokenKey) {
      const remembered = tokens.get(tokenKey);
      if (remembered && remembered.expiresAt > ctx.now) {
        if (remembered.fingerprint === fingerprint) return remembered.response;
        throw new ServiceError(
          'ConflictException',
          'The request failed because another request with the same client token but different parameters was already accepted.',
          {
            resources: [
              { resourceId: remembered.identitySourceId, resourceType: 'IDENTITY_SOURCE' },
            ],
          },
        );
      }
    }
    const store = visibleStore(input.policyStoreId, ctx);
    const inStore = [...sources.values()].filter((s) => s.policyStoreId === store.id);
    if (inStore.length >= maxPerStore) {
      throw new ServiceError(
        'ServiceQuotaExceededException',
        `Policy store ${store.id} already has the maximum number of identity sources (${maxPerStore}).`,
        {
          resourceId: store.id,
          resourceType: 'IDENTITY_SOURCE',
          serviceCode: 'verifiedpermissions',
        },
      );
    }
    const now = new Date(ctx.now);
    const source: StoredIdentitySource = {
      identitySourceId: newId('IS', 20),
      policyStoreId: store.id,
      region: ctx.region,
      principalEntityType:
        typeof input.principalEntityType === 'string'
          ? input.principalEntityType
          : DEFAULT_PRINCIPAL_ENTITY_TYPE,
      configuration: structuredClone(input.configuration) as IdentitySourceConfiguration,
      createdDate: now,
      lastUpdatedDate: now,
      visibleAt: ctx.now + sourceLagMs,
    };
    sources.set(source.identitySourceId, source);
    const response = writeOutput(source);
    if (tokenKey) {
      tokens.set(tokenKey, {
        fingerprint,
        response,
        identitySourceId: source.identitySourceId,
        expiresAt: ctx.now + CLIENT_TOKEN_TTL_MS,
      });
    }
    return response;
  }

  function updateIdentitySource(input: Record<string, unknown>, ctx: RequestContext) {
    const source = visibleSource(
      visibleStore(input.policyStoreId, ctx),
      input.identitySourceId,
      ctx,
    );
    source.configuration = structuredClone(
      input.updateConfiguration,
    ) as IdentitySourceConfiguration;
    if (typeof input.principalEntityType === 'string') {
      source.principalEntityType = input.principalEntityType;
    }
    source.lastUpdatedDate = new Date(ctx.now);
    return writeOutput(source);
  }

  function deleteIdentitySource(input: Record<string, unknown>, ctx: RequestContext) {
    const source = visibleSource(
      visibleStore(input.policyStoreId, ctx),
      input.identitySourceId,
      ctx,
    );
    sources.delete(source.identitySourceId);
    return {};
  }

  function getIdentitySource(input: Record<string, unknown>, ctx: RequestContext) {
    const source = visibleSource(
      visibleStore(input.policyStoreId, ctx),
      input.identitySourceId,
      ctx,
    );
    return readOutput(source);
  }

  function listIdentitySources(input: Record<string, unknown>, ctx: RequestContext) {
    const store = visibleStore(input.policyStoreId, ctx);
    const filters = (input.filters ?? []) as { principalEntityType?: string }[];
    const all = [...sources.values()].filter(
      (s) =>
        s.policyStoreId === store.id &&
        ctx.now >= s.visibleAt &&
        filters.every(
          (f) =>
            f.principalEntityType === undefined || f.principalEntityType === s.principalEntityType,
        ),
    );
    const start = input.nextToken === undefined ? 0 : decodeNextToken(input.nextToken);
    const max = typeof input.maxResults === 'number' ? input.maxResults : all.length;
    const page = all.slice(start, start + max);
    const next = start + page.length;
    return {
      identitySources: page.map(readOutput),
      ...(next < all.length ? { nextToken: Buffer.from(`offset:${next}`).toString('base64') } : {}),
    };
  }

  const handlers: Record<
    IdentitySourceOperation,
    (input: Record<string, unknown>, ctx: RequestContext) => Record<string, unknown>
  > = {
    CreateIdentitySource: createIdentitySource,
    UpdateIdentitySource: updateIdentitySource,
    DeleteIdentitySource: deleteIdentitySource,
    GetIdentitySource: getIdentitySource,
    ListIdentitySources: listIdentitySources,
  };

  // ---- HTTP ----------------------------------------------------------------------------------

  function takeFault(operation: string): Fault | undefined {
    for (const key of [operation, '*']) {
      const queue = faults.get(key);
      const fault = queue?.[0];
      if (queue && fault) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) queue.shift();
        return fault;
      }
    }
    return undefined;
  }

  function answer(
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: unknown,
    errorType?: string,
  ): void {
    record.status = status;
    if (errorType !== undefined) record.errorType = errorType;
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': randomUUID(),
      ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
    });
    res.end(payload);
  }

  function answerError(res: ServerResponse, record: RecordedRequest, error: ServiceError): void {
    answer(
      res,
      record,
      error.status,
      { __type: error.type, message: error.message, ...error.members },
      error.type,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let now = Date.now();
    const target = req.headers['x-amz-target'];
    const operation =
      typeof target === 'string' && target.startsWith(targetPrefix)
        ? target.slice(targetPrefix.length)
        : undefined;
    const scope = parseCredentialScope(req.headers.authorization);
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const record: RecordedRequest = {
      operation,
      body,
      region: scope?.region,
      time: now,
      status: undefined,
    };
    requests.push(record);

    try {
      if (req.method !== 'POST' || !operation || !isOperation(operation)) {
        throw new ServiceError(
          'UnknownOperationException',
          `Unknown operation ${String(target)} (this test double answers ${IDENTITY_SOURCE_OPERATIONS.join(', ')}).`,
        );
      }
      if (!scope) {
        throw new ServiceError(
          'MissingAuthenticationTokenException',
          'Missing Authentication Token',
        );
      }
      if (scope.service !== model.metadata.signingName) {
        throw new ServiceError(
          'InvalidSignatureException',
          `Credential should be scoped to correct service: '${model.metadata.signingName}'.`,
        );
      }
      const fault = takeFault(operation);
      if (fault?.kind === 'hang') return; // never answered; close() destroys the socket
      if (fault?.kind === 'delay') {
        // a slow service: the request takes effect, and is answered, only after the delay
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        now = Date.now();
      }
      if (fault?.kind === 'fail') {
        const type = fault.failure.errorType ?? 'InternalServerException';
        throw new ServiceError(
          type,
          fault.failure.message ?? `Injected failure (${type})`,
          {},
          fault.failure.status ?? ERROR_STATUS[type] ?? 500,
        );
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ServiceError('SerializationException', 'The request body is not a JSON object.');
      }
      const input = body as Record<string, unknown>;
      if (WRITE_OPERATIONS.has(operation)) checkWriteThrottle(input, now);
      const violations: FieldViolation[] = validateOperationInput(model, operation, input);
      if (violations.length > 0) {
        throw new ServiceError('ValidationException', validationMessage(violations), {
          fieldList: violations,
        });
      }
      const output = handlers[operation](input, { region: scope.region, now });
      answer(res, record, 200, output);
    } catch (error) {
      if (error instanceof ServiceError) return answerError(res, record, error);
      answerError(
        res,
        record,
        new ServiceError('InternalServerException', `Test double failure: ${String(error)}`),
      );
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    addPolicyStore(id = newId('', 22), storeOptions = {}) {
      stores.set(id, {
        id,
        region: storeOptions.region,
        visibleAt: Date.now() + (storeOptions.visibleAfterMs ?? 0),
      });
      return id;
    },
    deletePolicyStore(id) {
      stores.delete(id);
      for (const [sourceId, source] of sources) {
        if (source.policyStoreId === id) sources.delete(sourceId);
      }
    },
    identitySources() {
      return [...sources.values()].map(({ visibleAt: _visibleAt, ...state }) =>
        structuredClone(state),
      );
    },
    failNext(operation, failure = {}) {
      enqueueFault(faults, operation, { kind: 'fail', failure, remaining: failure.times ?? 1 });
    },
    hangNext(operation, times = 1) {
      enqueueFault(faults, operation, { kind: 'hang', remaining: times });
    },
    delayNext(operation, ms, times = 1) {
      enqueueFault(faults, operation, { kind: 'delay', ms, remaining: times });
    },
    setWriteThrottle(perSecond) {
      throttlePerSecond = perSecond;
    },
    reset() {
      stores.clear();
      sources.clear();
      tokens.clear();
      writeTimes.clear();
      faults.clear();
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

// ---- response shapes ---------------------------------------------------------------------------

/** Create/Update output: `{ createdDate, identitySourceId, lastUpdatedDate, policyStoreId }`. */
function writeOutput(source: IdentitySourceState): Record<string, unknown> {
  return {
    createdDate: source.createdDate.toISOString(),
    identitySourceId: source.identitySourceId,
    lastUpdatedDate: source.lastUpdatedDate.toISOString(),
    policyStoreId: source.policyStoreId,
  };
}

/** Get output and List item (`ConfigurationDetail` and `ConfigurationItem` have the same members). */
function readOutput(source: IdentitySourceState): Record<string, unknown> {
  const cognito = source.configuration.cognitoUserPoolConfiguration;
  return {
    ...writeOutput(source),
    principalEntityType: source.principalEntityType,
    configuration: configurationDetail(source.configuration),
    ...(cognito
      ? {
          details: {
            clientIds: cognito.clientIds ?? [],
            userPoolArn: cognito.userPoolArn,
            discoveryUrl: cognitoIssuer(cognito.userPoolArn),
            openIdIssuer: 'COGNITO',
          },
        }
      : {}),
  };
}

/**
 * The configuration as the service reports it: Cognito gains its `issuer` and an empty
 * `clientIds` when none were given; OIDC token selections report `principalIdClaim` `sub` when
 * none was given (the default the CloudFormation schema documents).
 */
function configurationDetail(configuration: IdentitySourceConfiguration): Record<string, unknown> {
  const cognito = configuration.cognitoUserPoolConfiguration;
  if (cognito) {
    return {
      cognitoUserPoolConfiguration: {
        userPoolArn: cognito.userPoolArn,
        clientIds: cognito.clientIds ?? [],
        issuer: cognitoIssuer(cognito.userPoolArn),
        ...(cognito.groupConfiguration ? { groupConfiguration: cognito.groupConfiguration } : {}),
      },
    };
  }
  const oidc = configuration.openIdConnectConfiguration;
  if (!oidc) return {};
  const { accessTokenOnly, identityTokenOnly } = oidc.tokenSelection;
  const tokenSelection = accessTokenOnly
    ? {
        accessTokenOnly: {
          principalIdClaim: accessTokenOnly.principalIdClaim ?? 'sub',
          ...(accessTokenOnly.audiences ? { audiences: accessTokenOnly.audiences } : {}),
        },
      }
    : {
        identityTokenOnly: {
          principalIdClaim: identityTokenOnly?.principalIdClaim ?? 'sub',
          clientIds: identityTokenOnly?.clientIds ?? [],
        },
      };
  return {
    openIdConnectConfiguration: {
      issuer: oidc.issuer,
      ...(oidc.entityIdPrefix === undefined ? {} : { entityIdPrefix: oidc.entityIdPrefix }),
      ...(oidc.groupConfiguration ? { groupConfiguration: oidc.groupConfiguration } : {}),
      tokenSelection,
    },
  };
}

/**
 * The OIDC issuer / discovery URL of a Cognito user pool:
 * `https://cognito-idp.<region>.amazonaws.com[.cn]/<poolId>`.
 */
export function cognitoIssuer(userPoolArn: string): string {
  const [, partition = 'aws', , region = '', , resource = ''] = userPoolArn.split(':');
  const poolId = resource.replace(/^userpool\//, '');
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://cognito-idp.${region}.${domain}/${poolId}`;
}

// ---- helpers -----------------------------------------------------------------------------------

function isOperation(name: string): name is IdentitySourceOperation {
  return (IDENTITY_SOURCE_OPERATIONS as readonly string[]).includes(name);
}

function enqueueFault(faults: Map<string, Fault[]>, operation: string, fault: Fault): void {
  if (fault.remaining <= 0) return;
  const queue = faults.get(operation) ?? [];
  queue.push(fault);
  faults.set(operation, queue);
}

/** Reads the region and service of a SigV4 `Authorization` header's credential scope. */
export function parseCredentialScope(
  authorization: string | undefined,
): { region: string; service: string } | undefined {
  const match = /Credential=[^/,\s]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
    authorization ?? '',
  );
  return match?.[1] && match[2] ? { region: match[1], service: match[2] } : undefined;
}

function decodeNextToken(token: unknown): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(String(token), 'base64').toString('utf8'));
  if (!match?.[1]) {
    throw new ServiceError('ValidationException', 'The nextToken is not valid.', {
      fieldList: [{ path: 'nextToken', message: 'Invalid pagination token' }],
    });
  }
  return Number(match[1]);
}

/** JSON with object keys sorted, so equal parameters compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random id like the service's (`IS` + 20 alphanumerics for identity sources). */
function newId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
