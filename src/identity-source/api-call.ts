/**
 * One Verified Permissions call made safely: retried while the retry policy allows and the
 * deadline leaves time, abandoned at the deadline even if the SDK ignores its abort signal,
 * each attempt logged, and a failure turned into a reason that says what to do.
 */
import { sleep as realSleep, type Sleep } from '../backoff.js';
import type { Log } from '../logger.js';
import { ApiCallError, DeadlineExceededError } from './errors.js';
import {
  isOutcomeUnknown,
  isRetryable,
  isStoreNotVisibleYet,
  retryDelayMs,
  type SdkErrorLike,
  STORE_VISIBILITY_WAIT_MS,
} from './retry-policy.js';

/** What a call needs: the deadline, a log, and (for tests) a way to wait. */
export interface CallDependencies {
  /** Epoch ms by which every call must have ended. */
  readonly workEndsAt: number;
  readonly log: Log;
  readonly sleep?: Sleep;
}

const BUDGET = "the time budget is the Lambda's remaining time or ServiceTimeout";

/**
 * One API call, retried while the policy allows and the deadline leaves time.
 *
 * @example
 * ```ts
 * const output = await call('GetIdentitySource', 'eu-west-1', deps, (abortSignal) =>
 *   client.send(new GetIdentitySourceCommand(input), { abortSignal }),
 * );
 * ```
 * @throws {ApiCallError} on an error that retrying cannot fix
 * @throws {DeadlineExceededError} when the time budget ran out
 */
export async function call<T>(
  operation: string,
  region: string,
  deps: CallDependencies,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const sleep = deps.sleep ?? realSleep;
  let mayHaveTakenEffect = false;
  let storeMissingSince: number | undefined;
  for (let attempt = 1; ; attempt++) {
    const remaining = deps.workEndsAt - Date.now();
    if (remaining <= 0) {
      throw new DeadlineExceededError(
        `timed out before ${operation} could complete (attempt ${attempt}); ${BUDGET}`,
        { operation, attempts: attempt - 1, mayHaveTakenEffect },
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
      const e = (error ?? {}) as SdkErrorLike;
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
      const failure = { operation, attempts: attempt, mayHaveTakenEffect, cause: error };
      if (timedOut) {
        throw new DeadlineExceededError(
          `timed out waiting for ${operation} in ${region} after ${attempt} attempt(s) (last: ${errorName}); ${BUDGET}`,
          failure,
        );
      }
      if (isStoreNotVisibleYet(operation, error)) storeMissingSince ??= started;
      const waitedForStore = storeMissingSince === undefined ? 0 : Date.now() - storeMissingSince;
      if (!isRetryable(operation, error) || waitedForStore > STORE_VISIBILITY_WAIT_MS) {
        const waited =
          waitedForStore > 0
            ? ` (waited ${Math.round(waitedForStore / 1000)} s for it to become visible)`
            : '';
        throw new ApiCallError(`${describeFailure(operation, region, error)}${waited}`, {
          ...failure,
          errorName,
        });
      }
      const wait = retryDelayMs(attempt, error);
      if (Date.now() + wait >= deps.workEndsAt) {
        throw new DeadlineExceededError(
          `gave up on ${operation} in ${region} after ${attempt} attempt(s): the time budget leaves no room for another (last: ${errorName}: ${e.message ?? ''})`,
          failure,
        );
      }
      await sleep(wait);
    }
  }
}

/** The FAILED reason for a service error: what failed, where, and what to do. */
function describeFailure(operation: string, region: string, error: unknown): string {
  const e = (error ?? {}) as SdkErrorLike & {
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
