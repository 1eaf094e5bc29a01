/**
 * Verified Permissions, as the resource uses it: each operation one call, made safely —
 * retried while the error's kind allows and the deadline leaves time, abandoned at the deadline
 * even if the SDK ignores its abort signal, each attempt logged, a failure turned into a reason
 * that says what to do — on a client for the target's region and role.
 *
 * Clients: one cache per invocation ({@link invocationClients}); clients with the function's
 * own credentials come from the process's cache ({@link ownClients}), a `RoleArn`'s are made
 * with credentials assumed once per invocation (STS `AssumeRole` in the target's region) and
 * never kept beyond it. The SDK makes one attempt per call: the retries are ours, sized to the
 * deadline.
 */

import {
  CreateIdentitySourceCommand,
  type CreateIdentitySourceInput,
  DeleteIdentitySourceCommand,
  type DeleteIdentitySourceInput,
  GetIdentitySourceCommand,
  type GetIdentitySourceOutput,
  GetPolicyStoreAliasCommand,
  type IdentitySourceItem,
  ListIdentitySourcesCommand,
  UpdateIdentitySourceCommand,
  type UpdateIdentitySourceInput,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { backoffMs, sleep as realSleep, type Sleep } from '../backoff.js';
import type { Log } from '../logger.js';
import {
  ApiCallError,
  describeFailure,
  errorKind,
  errorName,
  httpStatusOf,
  isRefusal,
  type Refusal,
  refusalOf,
} from './errors.js';

/** Where a call goes: the region, and the role to assume there (none: the function's own). */
export interface Target {
  readonly region: string;
  readonly roleArn?: string;
}

/** Temporary credentials, as STS hands them out. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Assumes a role in a region; replaceable in tests. */
export type AssumeRole = (
  input: { readonly region: string; readonly roleArn: string; readonly sessionName: string },
  signal: AbortSignal,
) => Promise<Credentials>;

/** A Verified Permissions client for a target; roles are assumed on first use. */
export type Clients = (target: Target) => Promise<VerifiedPermissionsClient>;

/** What a call needs: the clients, the deadline, a log, and (for tests) a way to wait. */
export interface ServiceDependencies {
  readonly clients: Clients;
  /** Epoch ms by which every call must have ended. */
  readonly workEndsAt: number;
  readonly log: Log;
  readonly sleep?: Sleep;
}

const BUDGET = "the time budget is the Lambda's remaining time or ServiceTimeout";

/**
 * How long a Create waits for a policy store to become visible: long enough for the service's
 * eventual consistency (seconds), short enough that a wrong PolicyStoreId or Region fails in
 * half a minute, not after the whole time budget.
 */
export const STORE_VISIBILITY_WAIT_MS = 30_000;
/** How long a call whose requests never leave the machine is retried (a passing DNS fault). */
export const NEVER_SENT_WAIT_MS = 8_000;

const TRANSIENT_BACKOFF = { baseMs: 250, capMs: 4_000 };
/** Slower, and at least 1 s, when the service throttles (about 1 write per second per store). */
const THROTTLED_BACKOFF = { baseMs: 2_000, capMs: 8_000, floorMs: 1_000 };

/** A cache of values made on first use. */
function cache<V>(make: (key: string) => V): (key: string) => V {
  const values = new Map<string, V>();
  return (key) => {
    let value = values.get(key);
    if (value === undefined) {
      value = make(key);
      values.set(key, value);
    }
    return value;
  };
}

/** A client for a region, with the given credentials (default: the function's own). */
function verifiedPermissionsClient(region: string, credentials?: Credentials) {
  return new VerifiedPermissionsClient({
    region,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 3_000 },
    ...(credentials !== undefined && { credentials }),
  });
}

/**
 * The process's clients with the function's own credentials, one per region.
 *
 * @example
 * ```ts
 * const own = ownClients();
 * await own('eu-west-1').send(new GetIdentitySourceCommand(input));
 * ```
 */
export function ownClients(): (region: string) => VerifiedPermissionsClient {
  return cache((region) => verifiedPermissionsClient(region));
}

/** The STS client of the region (it honours `AWS_ENDPOINT_URL_STS`). */
const assumeRoleWithSts: AssumeRole = async ({ region, roleArn, sessionName }, signal) => {
  // Loaded on first use (a chunk of its own in the bundle): most resources have no RoleArn.
  const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
  const sts = new STSClient({ region, maxAttempts: 1 });
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }),
      { abortSignal: signal },
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw Object.assign(new Error('AssumeRole answered without credentials'), {
        name: 'InvalidResponse',
      });
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken !== undefined && { sessionToken: c.SessionToken }),
      ...(c.Expiration !== undefined && { expiration: c.Expiration }),
    };
  } finally {
    sts.destroy();
  }
};

/**
 * The session name for a request: `cfn-<logical id>-<request id>`, cut to STS's 64 characters,
 * so CloudTrail shows which stack request used the role.
 *
 * @example
 * ```ts
 * sessionNameFor('IdentitySource', '4f2a9c3e-1b7d-4e0a-9c8b-0123456789ab'); // 'cfn-IdentitySource-4f2a9c3e-1b7d-4e0a-9c8b-0123456789ab'
 * ```
 */
export function sessionNameFor(logicalResourceId: string, requestId: string): string {
  const clean = (text: string) => text.replace(/[^\w+=,.@-]/g, '');
  const id = clean(requestId).slice(0, 40);
  return `cfn-${clean(logicalResourceId).slice(0, 64 - 5 - id.length)}-${id}`.slice(0, 64);
}

/**
 * One invocation's clients: the function's own from the process's cache; a role's assumed once
 * (a denied role fails, naming it, before any Verified Permissions call).
 *
 * @example
 * ```ts
 * const clients = invocationClients({ own: ownClients(), sessionName, deps: { workEndsAt, log } });
 * const client = await clients({ region: 'eu-west-1', roleArn });
 * ```
 */
export function invocationClients(options: {
  readonly own: (region: string) => VerifiedPermissionsClient;
  readonly sessionName: string;
  readonly assumeRole?: AssumeRole;
  readonly deps: Omit<ServiceDependencies, 'clients'>;
}): Clients {
  const { own, sessionName, deps } = options;
  const assume = options.assumeRole ?? assumeRoleWithSts;
  const roles = cache(async (key) => {
    const [region, roleArn] = key.split(' ') as [string, string];
    const credentials = await assumed({ region, roleArn, sessionName }, assume, deps);
    return cache((r) => verifiedPermissionsClient(r, credentials));
  });
  return async ({ region, roleArn }) =>
    roleArn === undefined ? own(region) : (await roles(`${region} ${roleArn}`))(region);
}

async function assumed(
  input: { readonly region: string; readonly roleArn: string; readonly sessionName: string },
  assume: AssumeRole,
  deps: Omit<ServiceDependencies, 'clients'>,
): Promise<Credentials> {
  try {
    return await call('AssumeRole', input.region, deps, (signal) => assume(input, signal));
  } catch (error) {
    if (!(error instanceof ApiCallError)) throw error;
    const cause = error.cause as { name?: string; message?: string } | undefined;
    throw new ApiCallError(
      `could not assume RoleArn ${input.roleArn} in ${input.region}: ${cause?.name ?? error.kind}${cause?.message ? `: ${cause.message}` : ''}. The role's trust policy must let the provider's function role call sts:AssumeRole, and the provider stack must list the role in its AssumableRoleArns parameter.`,
      { operation: 'AssumeRole', kind: error.kind, mayHaveTakenEffect: false, cause: error },
    );
  }
}

/** One call on the target's client. */
async function send<T>(
  operation: string,
  target: Target,
  deps: ServiceDependencies,
  run: (client: VerifiedPermissionsClient, abortSignal: AbortSignal) => Promise<T>,
  options: CallOptions = {},
): Promise<T> {
  const client = await deps.clients(target);
  const attempt = (abortSignal: AbortSignal) => run(client, abortSignal);
  return call(operation, target.region, deps, attempt, options);
}

/** How a call treats a refusal that eventual consistency explains. */
interface CallOptions {
  /**
   * A "not found" that only means "not visible yet" (a store or source made moments ago): retried
   * for {@link STORE_VISIBILITY_WAIT_MS}, then final.
   */
  readonly visibility?: Refusal;
}

/**
 * Creates a source; the answer's id.
 *
 * @example
 * ```ts
 * const id = await createSource({ region: 'eu-west-1' }, input, deps);
 * ```
 */
export async function createSource(
  target: Target,
  input: CreateIdentitySourceInput,
  deps: ServiceDependencies,
): Promise<string> {
  const output = await send(
    'CreateIdentitySource',
    target,
    deps,
    (c, abortSignal) => c.send(new CreateIdentitySourceCommand(input), { abortSignal }),
    // A store made moments ago in the same stack may not be visible yet.
    { visibility: 'store-not-found' },
  );
  if (typeof output.identitySourceId !== 'string' || output.identitySourceId === '') {
    throw new ApiCallError('CreateIdentitySource answered without an identitySourceId', {
      operation: 'CreateIdentitySource',
      kind: 'outcome-unknown',
      mayHaveTakenEffect: true,
    });
  }
  return output.identitySourceId;
}

/** Updates a source in place. */
export async function updateSource(
  target: Target,
  input: UpdateIdentitySourceInput,
  deps: ServiceDependencies,
): Promise<void> {
  await send('UpdateIdentitySource', target, deps, (c, abortSignal) =>
    c.send(new UpdateIdentitySourceCommand(input), { abortSignal }),
  );
}

/**
 * Deletes a source: `already-gone` when it (or its whole store) is not found — after waiting for
 * a source made moments ago to become visible, with `madeRecently`.
 */
export async function deleteSource(
  target: Target,
  input: DeleteIdentitySourceInput,
  deps: ServiceDependencies,
  options: { readonly madeRecently?: boolean } = {},
): Promise<'deleted' | 'already-gone'> {
  try {
    await send(
      'DeleteIdentitySource',
      target,
      deps,
      (c, abortSignal) => c.send(new DeleteIdentitySourceCommand(input), { abortSignal }),
      options.madeRecently === true ? { visibility: 'not-found' } : {},
    );
    return 'deleted';
  } catch (error) {
    if (isRefusal(error, 'not-found') || isRefusal(error, 'store-not-found')) return 'already-gone';
    throw error;
  }
}

/** A source as the service has it; `undefined` when it (or its store) is not found. */
export async function getSource(
  target: Target,
  input: { readonly policyStoreId: string; readonly identitySourceId: string },
  deps: ServiceDependencies,
): Promise<GetIdentitySourceOutput | undefined> {
  try {
    return await send('GetIdentitySource', target, deps, (c, abortSignal) =>
      c.send(new GetIdentitySourceCommand(input), { abortSignal }),
    );
  } catch (error) {
    if (isRefusal(error, 'not-found') || isRefusal(error, 'store-not-found')) return undefined;
    throw error;
  }
}

/** The store's identity source (a store holds at most one), or `undefined` when it has none. */
export async function sourceIn(
  target: Target,
  policyStoreId: string,
  deps: ServiceDependencies,
): Promise<IdentitySourceItem | undefined> {
  const output = await send('ListIdentitySources', target, deps, (c, abortSignal) =>
    c.send(new ListIdentitySourcesCommand({ policyStoreId, maxResults: 1 }), { abortSignal }),
  );
  return output.identitySources?.[0];
}

/**
 * The id of the policy store a `PolicyStoreId` names: an alias resolved with
 * `GetPolicyStoreAlias`, an id as it is (no call).
 *
 * @example
 * ```ts
 * await storeIdOf({ region: 'eu-west-1' }, 'policy-store-alias/payments', deps); // 'PSEXAMPLEabcdefg111111'
 * ```
 */
export async function storeIdOf(
  target: Target,
  policyStoreId: string,
  deps: ServiceDependencies,
): Promise<string> {
  if (!policyStoreId.startsWith('policy-store-alias/')) return policyStoreId;
  const output = await send('GetPolicyStoreAlias', target, deps, (c, abortSignal) =>
    c.send(new GetPolicyStoreAliasCommand({ aliasName: policyStoreId }), { abortSignal }),
  );
  if (typeof output.policyStoreId !== 'string' || output.policyStoreId === '') {
    throw new ApiCallError(
      `GetPolicyStoreAlias answered without a policyStoreId for ${policyStoreId}`,
      { operation: 'GetPolicyStoreAlias', kind: 'definitive', mayHaveTakenEffect: false },
    );
  }
  return output.policyStoreId;
}

/**
 * One call, retried while the error's kind allows and the deadline leaves time.
 *
 * @example
 * ```ts
 * const output = await call('GetIdentitySource', 'eu-west-1', deps, (abortSignal) =>
 *   client.send(new GetIdentitySourceCommand(input), { abortSignal }),
 * );
 * ```
 * @throws {ApiCallError} on an error retrying cannot fix, or when the time budget ran out
 */
export async function call<T>(
  operation: string,
  region: string,
  deps: Omit<ServiceDependencies, 'clients'>,
  attempt: (signal: AbortSignal) => Promise<T>,
  options: CallOptions = {},
): Promise<T> {
  const sleep = deps.sleep ?? realSleep;
  let mayHaveTakenEffect = false;
  /** Since when a kind that is retried only for a while has lasted. */
  const since: { store?: number; neverSent?: number } = {};
  for (let n = 1; ; n++) {
    const remaining = deps.workEndsAt - Date.now();
    if (remaining <= 0) {
      throw new ApiCallError(
        `timed out before ${operation} could complete (attempt ${n}); ${BUDGET}`,
        { operation, kind: 'deadline', mayHaveTakenEffect },
      );
    }
    const started = Date.now();
    try {
      const output = await untilDeadline(attempt, remaining);
      deps.log.info('API call succeeded', {
        operation,
        region,
        attempt: n,
        durationMs: Date.now() - started,
      });
      return output;
    } catch (error) {
      const timedOut = Date.now() >= deps.workEndsAt;
      const kind = errorKind(error);
      const name = errorName(error, timedOut);
      mayHaveTakenEffect ||= kind === 'outcome-unknown' || timedOut;
      deps.log.info('API call failed', {
        operation,
        region,
        attempt: n,
        durationMs: Date.now() - started,
        errorName: name,
        errorKind: kind,
        httpStatusCode: httpStatusOf(error),
      });
      const failure = { operation, mayHaveTakenEffect, cause: error };
      if (timedOut) {
        throw new ApiCallError(
          `timed out waiting for ${operation} in ${region} after ${n} attempt(s) (last: ${name}); ${BUDGET}`,
          { ...failure, kind: 'deadline' },
        );
      }
      const refusal = kind === 'definitive' ? refusalOf(error) : undefined;
      const waitingForStore = refusal !== undefined && refusal === options.visibility;
      const limited = waitingForStore ? 'store' : kind === 'never-sent' ? 'neverSent' : undefined;
      if (limited !== undefined) since[limited] ??= started;
      const lasted = limited === undefined ? 0 : Date.now() - (since[limited] ?? started);
      const limit = limited === 'store' ? STORE_VISIBILITY_WAIT_MS : NEVER_SENT_WAIT_MS;
      const retried = kind === 'throttled' || kind === 'outcome-unknown' || limited !== undefined;
      if (!retried || lasted > limit) {
        const waited =
          limited === 'store'
            ? ` (waited ${Math.round(lasted / 1000)} s for it to become visible)`
            : '';
        throw new ApiCallError(`${describeFailure(operation, region, error)}${waited}`, {
          ...failure,
          kind,
          ...(refusal !== undefined && { refusal }),
        });
      }
      const wait = backoffMs(n, kind === 'throttled' ? THROTTLED_BACKOFF : TRANSIENT_BACKOFF);
      if (Date.now() + wait >= deps.workEndsAt) {
        throw new ApiCallError(
          `gave up on ${operation} in ${region} after ${n} attempt(s): the time budget leaves no room for another (last: ${name}: ${(error as Error)?.message ?? ''})`,
          { ...failure, kind },
        );
      }
      await sleep(wait);
    }
  }
}

/**
 * Runs `attempt` with an abort signal for the time left, and stops waiting then even if the
 * call ignores its signal: a hung endpoint must never hold the response back.
 */
async function untilDeadline<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  ms: number,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`no answer within ${ms} ms`), { name: 'AbortError' });
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([attempt(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
