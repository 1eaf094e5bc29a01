/**
 * A TEST DOUBLE of Amazon Verified Permissions' identity-source and policy store alias
 * operations: a small, stateful, local HTTP server for end-to-end tests, `npm start` and the
 * benchmark. It is not the real service and does not claim to be; it imitates the parts the
 * provider depends on, closely enough that the real AWS SDK v3 client
 * (`@aws-sdk/client-verifiedpermissions`) cannot tell the difference on the wire.
 *
 * One request goes: wire protocol (`wire.ts`) → injected fault, if any (`faults.ts`) → write
 * throttle (`throttle.ts`) and stores (`state.ts`) → input validation against the API model
 * (`input-validation.ts`, `model.ts`) → the operation (`operations.ts`; `alias-operations.ts`
 * on the aliases of `aliases.ts`) → its output shape (`output-shapes.ts`). Every request is
 * recorded, in arrival order.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { closeServer, listenOnLoopback } from '../loopback.js';
import { policyStoreAliasOperations } from './alias-operations.js';
import { isAliasName } from './aliases.js';
import { FaultQueue, injectedError } from './faults.js';
import { validateOperationInput, validationMessage } from './input-validation.js';
import { API_MODEL_URL, loadApiModel } from './model.js';
import { identitySourceOperations } from './operations.js';
import { DoubleState, newId } from './state.js';
import {
  type DoubleOperation,
  IDENTITY_SOURCE_OPERATIONS,
  POLICY_STORE_ALIAS_OPERATIONS,
  type RecordedRequest,
  type VerifiedPermissionsDouble,
  type VerifiedPermissionsDoubleOptions,
} from './types.js';
import {
  answer,
  errorBody,
  type RequestHead,
  readJsonBody,
  requestHead,
  ServiceError,
} from './wire.js';

export { cognitoIssuer } from './output-shapes.js';
export type * from './types.js';

/** The operations counted by the write throttle. */
const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateIdentitySource',
  'UpdateIdentitySource',
  'DeleteIdentitySource',
]);

const OPERATIONS: readonly string[] = [
  ...IDENTITY_SOURCE_OPERATIONS,
  ...POLICY_STORE_ALIAS_OPERATIONS,
];
const isOperation = (name: string | undefined): name is DoubleOperation =>
  name !== undefined && OPERATIONS.includes(name);

/**
 * Starts a Verified Permissions test double on 127.0.0.1 (random port).
 *
 * @example
 * ```ts
 * const double = await startVerifiedPermissionsDouble();
 * const storeId = double.addPolicyStore();
 * const client = new VerifiedPermissionsClient({ region: 'eu-west-1', endpoint: double.endpoint, credentials });
 * ```
 */
export async function startVerifiedPermissionsDouble(
  options: VerifiedPermissionsDoubleOptions = {},
): Promise<VerifiedPermissionsDouble> {
  const model = loadApiModel(options.modelUrl ?? API_MODEL_URL);
  const state = new DoubleState({
    perStore: options.throttleWritesPerSecond,
    perAccount: options.throttleAccountWritesPerSecond,
  });
  const operations = {
    ...identitySourceOperations(state, {
      maxPerStore: options.maxIdentitySourcesPerStore ?? 1,
      sourceLagMs: options.identitySourceVisibleAfterMs ?? 0,
    }),
    ...policyStoreAliasOperations(state),
  };
  const faults = new FaultQueue();
  /** The input with its alias resolved, so that the write throttle counts per store. */
  const withStoreId = (input: Record<string, unknown>, region: string, now: number) => {
    if (!isAliasName(input.policyStoreId)) return input;
    try {
      return { ...input, policyStoreId: state.aliases.storeIdOf(input.policyStoreId, region, now) };
    } catch {
      return input; // the operation answers ResourceNotFoundException
    }
  };
  const requests: RecordedRequest[] = [];

  /** The output of one request, or the {@link ServiceError} it answers; undefined: never answered. */
  async function outcome(
    req: IncomingMessage,
    { operation, target, scope }: RequestHead,
    body: unknown,
  ): Promise<Record<string, unknown> | undefined> {
    if (req.method !== 'POST' || !isOperation(operation)) {
      throw new ServiceError(
        'UnknownOperationException',
        `Unknown operation ${String(target)} (this test double answers ${OPERATIONS.join(', ')}).`,
      );
    }
    if (!scope) {
      throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    if (scope.service !== model.metadata.signingName) {
      throw new ServiceError(
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${model.metadata.signingName}'.`,
      );
    }
    let now = Date.now();
    const fault = faults.take(operation);
    if (fault?.kind === 'hang') return undefined; // never answered; close() destroys the socket
    if (fault?.kind === 'delay') {
      // a slow service: the request takes effect, and is answered, only after the delay
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      now = Date.now();
    }
    if (fault?.kind === 'fail') throw injectedError(fault.failure);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ServiceError('SerializationException', 'The request body is not a JSON object.');
    }
    const input = body as Record<string, unknown>;
    const accountId = options.accountOf?.(scope.accessKeyId);
    const ctx = { region: scope.region, now, accountId };
    if (WRITE_OPERATIONS.has(operation))
      state.countWrite(withStoreId(input, scope.region, now), ctx);
    const violations = validateOperationInput(model, operation, input);
    if (violations.length > 0) {
      throw new ServiceError('ValidationException', validationMessage(violations), {
        fieldList: violations,
      });
    }
    return operations[operation](input, ctx);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = performance.timeOrigin + performance.now();
    const body = await readJsonBody(req);
    const head = requestHead(req, model.metadata.targetPrefix);
    const record: RecordedRequest = {
      operation: head.operation,
      body,
      region: head.scope?.region,
      accessKeyId: head.scope?.accessKeyId,
      time,
      status: undefined,
    };
    requests.push(record);
    const reply = (status: number, payload: unknown, errorType?: string): void => {
      record.status = status;
      if (errorType !== undefined) record.errorType = errorType;
      answer(res, status, payload, errorType);
    };
    try {
      const output = await outcome(req, head, body);
      if (output !== undefined) reply(200, output);
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : new ServiceError('InternalServerException', `Test double failure: ${String(error)}`);
      reply(failure.status, errorBody(failure), failure.type);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  const port = await listenOnLoopback(server);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    addPolicyStore: (id = newId('', 22), storeOptions = {}) =>
      state.addPolicyStore(id, storeOptions),
    addPolicyStoreAlias(aliasName, policyStoreId, aliasOptions = {}) {
      const store = state.stores.get(policyStoreId);
      if (!store) throw new Error(`addPolicyStoreAlias: no policy store ${policyStoreId}`);
      const region = aliasOptions.region ?? store.region;
      return state.aliases.create(aliasName, store.id, region, Date.now()).aliasName;
    },
    deletePolicyStore: (id) => state.deletePolicyStore(id),
    identitySources: () => state.identitySources(),
    failNext(operation, failure = {}) {
      faults.add(operation, { kind: 'fail', failure, remaining: failure.times ?? 1 });
    },
    hangNext(operation, times = 1) {
      faults.add(operation, { kind: 'hang', remaining: times });
    },
    delayNext(operation, ms, times = 1) {
      faults.add(operation, { kind: 'delay', ms, remaining: times });
    },
    setWriteThrottle(perSecond) {
      state.writes.perStore = perSecond;
    },
    setAccountWriteThrottle(perSecond) {
      state.writes.perAccount = perSecond;
    },
    reset() {
      state.reset();
      faults.clear();
      requests.length = 0;
    },
    close() {
      return closeServer(server);
    },
  };
}
