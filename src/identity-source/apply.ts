/**
 * Runs a plan against Verified Permissions: each call retried by the retry policy, aborted
 * at the deadline, its outcome logged.
 */
import {
  CreateIdentitySourceCommand,
  type CreateIdentitySourceInput,
  DeleteIdentitySourceCommand,
  type DeleteIdentitySourceInput,
  GetIdentitySourceCommand,
  UpdateIdentitySourceCommand,
} from '@aws-sdk/client-verifiedpermissions';
import type { Log } from '../logger.js';
import type { ClientForRegion } from './client.js';
import type { CreateJournal, CreateResult, JournalEntry, ResourceKey } from './create-journal.js';
import { ApiCallError, DeadlineExceededError } from './errors.js';
import type { Plan } from './plan.js';
import {
  backoffMs,
  isOutcomeUnknown,
  isRetryable,
  type SdkErrorLike,
  STORE_VISIBILITY_WAIT_MS,
} from './retry-policy.js';

export interface ApplyDependencies {
  readonly clientFor: ClientForRegion;
  /** Epoch ms by which every call must have ended. */
  readonly workEndsAt: number;
  readonly log: Log;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where Creates are recorded so a Delete that lacks the id can find them; optional. */
  readonly journal?: CreateJournal;
}

/** What applying a plan did. */
export type Applied =
  | { readonly kind: 'created'; readonly identitySourceId: string }
  | { readonly kind: 'updated' | 'unchanged'; readonly identitySourceId: string }
  | { readonly kind: 'deleted' | 'already-gone' | 'nothing-to-delete' };

type ApplicablePlan = Exclude<Plan, { action: 'reject' }>;

/**
 * @example
 * ```ts
 * const applied = await applyPlan(plan, { clientFor, workEndsAt: deadline.workEndsAt, log: logger });
 * ```
 * @throws {ApiCallError} on an error that retrying cannot fix
 * @throws {DeadlineExceededError} when the time budget ran out
 */
export async function applyPlan(plan: ApplicablePlan, deps: ApplyDependencies): Promise<Applied> {
  switch (plan.action) {
    case 'create': {
      if (
        plan.replaces !== undefined &&
        (await existsIn(plan.region, plan.replaces.ifAlreadyThere, deps))
      ) {
        // Rolling back a failed replacement: the source is already where it should be.
        deps.log.info('The replaced source already lives in the target store: updating in place');
        return applyPlan(
          {
            action: 'update',
            region: plan.region,
            input: plan.replaces.ifAlreadyThere,
            configuration: plan.configuration,
          },
          deps,
        );
      }
      return { kind: 'created', identitySourceId: await journaledCreate(plan, deps) };
    }
    case 'update': {
      const input = plan.input;
      await call('UpdateIdentitySource', plan.region, deps, (signal) =>
        deps
          .clientFor(plan.region)
          .send(new UpdateIdentitySourceCommand(input), { abortSignal: signal }),
      );
      return { kind: 'updated', identitySourceId: input.identitySourceId as string };
    }
    case 'no-op':
      return { kind: 'unchanged', identitySourceId: plan.identitySourceId };
    case 'delete': {
      const removed = await remove(plan.region, plan.input, deps);
      // Not found: the id may be one CloudFormation made up for a Create it gave up on.
      return removed.kind === 'already-gone' ? sweep(plan.resource, deps, removed) : removed;
    }
    case 'sweep':
      return sweep(plan.resource, deps, { kind: 'nothing-to-delete' });
    case 'delete-unconfirmed':
      return deleteUnconfirmed(plan.region, plan.replay, deps);
    case 'acknowledge':
      return { kind: 'nothing-to-delete' };
  }
}

/** Whether the identity source exists in that store and region (errors count as no). */
async function existsIn(
  region: string,
  input: { policyStoreId: string | undefined; identitySourceId: string | undefined },
  deps: ApplyDependencies,
): Promise<boolean> {
  try {
    await call('GetIdentitySource', region, deps, (signal) =>
      deps.clientFor(region).send(
        new GetIdentitySourceCommand({
          policyStoreId: input.policyStoreId,
          identitySourceId: input.identitySourceId,
        }),
        { abortSignal: signal },
      ),
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * A Create recorded in the journal: begun before the call; a failure is settled at once, a
 * success by {@link settleCreated} once its answer was sent (one write for both).
 */
async function journaledCreate(
  plan: Extract<Plan, { action: 'create' }>,
  deps: ApplyDependencies,
): Promise<string> {
  const { journal, log } = deps;
  const key = plan.resource;
  const { requestId, region, input } = plan;
  if (journal === undefined) return create(region, input, deps);
  await bestEffort(log, 'begin', () => journal.begin(key, { requestId, region, input }), undefined);
  try {
    return await create(region, input, deps);
  } catch (error) {
    const mayHaveTakenEffect = !(error instanceof ApiCallError) || error.mayHaveTakenEffect;
    const failed: CreateResult = { failed: true, mayHaveTakenEffect };
    const verdict = await bestEffort(
      log,
      'settle',
      () => journal.settle(key, requestId, failed),
      'recorded',
    );
    if (verdict === 'cancelled') {
      const how = mayHaveTakenEffect ? 'finished' : 'cleaned';
      await bestEffort(log, 'close', () => journal.closeCancelled(key, requestId, how), undefined);
    }
    throw error;
  }
}

/**
 * Settles a successful Create after its SUCCESS was sent: `answered` marks the source live.
 * When a Delete cancelled the Create meanwhile — CloudFormation gave up on it, so the
 * SUCCESS is ignored — the source it made is removed again, leaving nothing behind.
 */
export async function settleCreated(
  plan: Extract<Plan, { action: 'create' }>,
  identitySourceId: string,
  answered: boolean,
  deps: ApplyDependencies,
): Promise<'recorded' | 'removed'> {
  const { journal, log } = deps;
  if (journal === undefined) return 'recorded';
  const key = plan.resource;
  const result = { identitySourceId, answered };
  const verdict = await bestEffort(
    log,
    'settle',
    () => journal.settle(key, plan.requestId, result),
    'recorded',
  );
  if (verdict === 'recorded') return 'recorded';
  log.warn('A Delete arrived while this Create ran: removing what it made', { identitySourceId });
  try {
    await remove(plan.region, { policyStoreId: plan.input.policyStoreId, identitySourceId }, deps);
  } catch (error) {
    log.error("Could not remove the cancelled Create's identity source; the Delete will", {
      error: (error as Error)?.message,
    });
    await bestEffort(
      log,
      'close',
      () => journal.closeCancelled(key, plan.requestId, 'finished'),
      undefined,
    );
    return 'recorded';
  }
  await bestEffort(
    log,
    'close',
    () => journal.closeCancelled(key, plan.requestId, 'cleaned'),
    undefined,
  );
  return 'removed';
}

/**
 * For a Delete that does not name a live identity source: finds the latest Create of this
 * resource in the journal and removes what it made, unless its SUCCESS was answered (then
 * that source is live and CloudFormation would name it). A Create still running is waited
 * for; if it does not finish in time, its clientToken is replayed to learn what it made.
 */
async function sweep(
  resource: ResourceKey,
  deps: ApplyDependencies,
  otherwise: Applied,
): Promise<Applied> {
  const { journal, log } = deps;
  if (journal === undefined) return otherwise;
  const found = await bestEffort(log, 'cancel', () => journal.cancel(resource), undefined);
  if (found === undefined) return otherwise;
  log.info('Create journal', { state: found.state, createRequestId: found.requestId });
  switch (found.state) {
    case 'answered':
    case 'cleaned':
      return otherwise;
    case 'created':
      return removeMade(found, found.identitySourceId, deps);
    case 'failed':
      return found.mayHaveTakenEffect
        ? deleteUnconfirmed(found.region, found.input, deps)
        : otherwise;
    case 'in-flight':
    case 'cancelled': {
      const settled = await waitForCancelledCreate(resource, journal, deps);
      if (settled?.state === 'cleaned') return { kind: 'deleted' };
      return deleteUnconfirmed(found.region, found.input, deps);
    }
  }
}

async function removeMade(
  entry: JournalEntry,
  identitySourceId: string | undefined,
  deps: ApplyDependencies,
): Promise<Applied> {
  if (identitySourceId === undefined || entry.input.policyStoreId === undefined)
    return { kind: 'nothing-to-delete' };
  return remove(entry.region, { policyStoreId: entry.input.policyStoreId, identitySourceId }, deps);
}

/** Polls until the cancelled Create has cleaned up or finished, keeping time to act after. */
async function waitForCancelledCreate(
  resource: ResourceKey,
  journal: CreateJournal,
  deps: ApplyDependencies,
): Promise<JournalEntry | undefined> {
  const sleep = deps.sleep ?? defaultSleep;
  const keep = Math.max(3_000, (deps.workEndsAt - Date.now()) * 0.3);
  for (;;) {
    const entry = await bestEffort(deps.log, 'read', () => journal.read(resource), undefined);
    if (entry === undefined || entry.state === 'cleaned' || entry.createFinished === true)
      return entry;
    if (deps.workEndsAt - Date.now() - 500 < keep) return entry;
    await sleep(500);
  }
}

/** Journal trouble never fails the request: it is logged and the work goes on without it. */
async function bestEffort<T>(
  log: Log,
  step: string,
  run: () => Promise<T>,
  fallback: T,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    log.warn('Create journal unavailable; going on without it', {
      step,
      error: (error as Error)?.name,
    });
    return fallback;
  }
}

async function create(
  region: string,
  input: CreateIdentitySourceInput,
  deps: ApplyDependencies,
): Promise<string> {
  const output = await call('CreateIdentitySource', region, deps, (signal) =>
    deps.clientFor(region).send(new CreateIdentitySourceCommand(input), { abortSignal: signal }),
  );
  if (typeof output.identitySourceId !== 'string' || output.identitySourceId === '') {
    throw new ApiCallError(
      'CreateIdentitySource answered without an identitySourceId',
      'CreateIdentitySource',
      'InvalidResponse',
      true,
    );
  }
  return output.identitySourceId;
}

async function remove(
  region: string,
  input: DeleteIdentitySourceInput,
  deps: ApplyDependencies,
): Promise<Applied> {
  try {
    await call('DeleteIdentitySource', region, deps, (signal) =>
      deps.clientFor(region).send(new DeleteIdentitySourceCommand(input), { abortSignal: signal }),
    );
    return { kind: 'deleted' };
  } catch (error) {
    // Not found (the source or its whole store) means there is nothing left to delete.
    if (error instanceof ApiCallError && error.errorName === 'ResourceNotFoundException')
      return { kind: 'already-gone' };
    throw error;
  }
}

/**
 * A Create whose effect was unknown: replaying it with the same clientToken and parameters
 * returns the source it made (the service remembers a token for 8 hours), which is then
 * deleted. If the store is gone or holds another source, nothing of this resource exists.
 */
async function deleteUnconfirmed(
  region: string,
  replay: CreateIdentitySourceInput,
  deps: ApplyDependencies,
): Promise<Applied> {
  let identitySourceId: string;
  try {
    identitySourceId = await create(region, replay, deps);
  } catch (error) {
    const definitive = [
      'ServiceQuotaExceededException',
      'ConflictException',
      'ResourceNotFoundException',
      'ValidationException',
    ];
    if (error instanceof ApiCallError && definitive.includes(error.errorName)) {
      deps.log.info('Replayed create found nothing of this resource', {
        errorName: error.errorName,
      });
      return { kind: 'nothing-to-delete' };
    }
    throw error;
  }
  if (replay.policyStoreId === undefined) return { kind: 'nothing-to-delete' };
  return remove(region, { policyStoreId: replay.policyStoreId, identitySourceId }, deps);
}

/** One API call, retried while the policy allows and the deadline leaves time. */
async function call<T>(
  operation: string,
  region: string,
  deps: ApplyDependencies,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const sleep = deps.sleep ?? defaultSleep;
  let mayHaveTakenEffect = false;
  let storeMissingSince: number | undefined;
  for (let attempt = 1; ; attempt++) {
    const remaining = deps.workEndsAt - Date.now();
    if (remaining <= 0) {
      throw new DeadlineExceededError(
        `timed out before ${operation} could complete (attempt ${attempt}); the time budget is the Lambda's remaining time or ServiceTimeout`,
        operation,
        attempt - 1,
        mayHaveTakenEffect,
      );
    }
    const started = Date.now();
    try {
      const output = await untilDeadline(send, remaining);
      deps.log.info('API call succeeded', {
        operation,
        region,
        attempt,
        durationMs: Date.now() - started,
      });
      return output;
    } catch (error) {
      const e = (error ?? {}) as SdkErrorLike & { message?: string };
      const timedOut = Date.now() >= deps.workEndsAt;
      const errorName = timedOut && isAbort(e) ? 'Timeout' : (e.name ?? 'Error');
      mayHaveTakenEffect ||= isOutcomeUnknown(error) || timedOut;
      deps.log.info('API call failed', {
        operation,
        region,
        attempt,
        durationMs: Date.now() - started,
        errorName,
        httpStatusCode: e.$metadata?.httpStatusCode,
      });
      if (timedOut) {
        throw new DeadlineExceededError(
          `timed out waiting for ${operation} in ${region} after ${attempt} attempt(s) (last: ${errorName}); the time budget is the Lambda's remaining time or ServiceTimeout`,
          operation,
          attempt,
          mayHaveTakenEffect,
        );
      }
      if (e.name === 'ResourceNotFoundException') storeMissingSince ??= started;
      const waitedForStore = storeMissingSince === undefined ? 0 : Date.now() - storeMissingSince;
      if (!isRetryable(operation, error) || waitedForStore > STORE_VISIBILITY_WAIT_MS) {
        const waited =
          waitedForStore > 0
            ? ` (waited ${Math.round(waitedForStore / 1000)} s for it to become visible)`
            : '';
        throw new ApiCallError(
          `${describeFailure(operation, region, error)}${waited}`,
          operation,
          errorName,
          mayHaveTakenEffect,
        );
      }
      const wait = backoffMs(attempt + 1, error);
      if (Date.now() + wait >= deps.workEndsAt) {
        throw new DeadlineExceededError(
          `gave up on ${operation} in ${region} after ${attempt} attempt(s): the time budget leaves no room for another (last: ${errorName}: ${e.message ?? ''})`,
          operation,
          attempt,
          mayHaveTakenEffect,
        );
      }
      await sleep(wait);
    }
  }
}

/** The FAILED reason for a service error: what failed, where, and what to do. */
export function describeFailure(operation: string, region: string, error: unknown): string {
  const e = (error ?? {}) as SdkErrorLike & {
    message?: string;
    resourceId?: string;
    fieldList?: readonly { path?: string; message?: string }[];
  };
  const message = (e.message ?? '').trim();
  switch (e.name) {
    case 'ValidationException': {
      const fields = (e.fieldList ?? [])
        .map((f) => `${f.path ?? '?'}: ${f.message ?? ''}`)
        .join('; ');
      return `${operation} rejected the input: ${message}${fields ? ` (${fields})` : ''}`;
    }
    case 'ServiceQuotaExceededException':
      return `${operation} failed in ${region}: the policy store already has an identity source, and a policy store holds only one (a quota that cannot be raised). Remove the other identity source or use another policy store. (${message})`;
    case 'ResourceNotFoundException':
      return `${operation} failed in ${region}: ${e.resourceType ?? 'resource'} ${e.resourceId ?? ''} was not found${e.resourceType === 'POLICY_STORE' ? ' (check PolicyStoreId and Region)' : ''}. (${message})`;
    case 'AccessDeniedException':
      return `${operation} was denied in ${region}: ${message}. The provider's role needs verifiedpermissions:${operation} on the policy store (and cognito-idp:DescribeUserPool for Cognito sources).`;
    case 'ConflictException':
      return `${operation} conflicts with the current state in ${region}: ${message}`;
    default:
      return `${operation} failed in ${region}: ${e.name ?? 'Error'}${message ? `: ${message}` : ''}`;
  }
}

/**
 * Runs `send` with an abort signal for the time left, and stops waiting then even if the
 * call ignores its signal: a hung endpoint must never hold the response back.
 */
async function untilDeadline<T>(send: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
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
    return await Promise.race([send(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function isAbort(e: SdkErrorLike): boolean {
  return e.name === 'AbortError' || e.name === 'TimeoutError';
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
