/**
 * Runs a plan against Verified Permissions: each call retried by the retry policy, aborted
 * at the deadline, its outcome logged.
 */
import {
  CreateIdentitySourceCommand,
  type CreateIdentitySourceInput,
  DeleteIdentitySourceCommand,
  type DeleteIdentitySourceInput,
  UpdateIdentitySourceCommand,
} from '@aws-sdk/client-verifiedpermissions';
import type { Log } from '../logger.js';
import type { ClientForRegion } from './client.js';
import { ApiCallError, DeadlineExceededError } from './errors.js';
import type { Plan } from './plan.js';
import { backoffMs, isOutcomeUnknown, isRetryable, type SdkErrorLike } from './retry-policy.js';

export interface ApplyDependencies {
  readonly clientFor: ClientForRegion;
  /** Epoch ms by which every call must have ended. */
  readonly workEndsAt: number;
  readonly log: Log;
  readonly sleep?: (ms: number) => Promise<void>;
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
    case 'create':
      return { kind: 'created', identitySourceId: await create(plan.region, plan.input, deps) };
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
    case 'delete':
      return remove(plan.region, plan.input, deps);
    case 'delete-unconfirmed':
      return deleteUnconfirmed(plan.region, plan.replay, deps);
    case 'acknowledge':
      return { kind: 'nothing-to-delete' };
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
      if (!isRetryable(operation, error)) {
        throw new ApiCallError(
          describeFailure(operation, region, error),
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
