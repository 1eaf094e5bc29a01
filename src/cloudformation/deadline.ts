/**
 * One time budget per invocation, from the Lambda context and the resource's `ServiceTimeout`.
 *
 * The work (API calls and their retries) must end by {@link Deadline.workEndsAt}; the
 * response PUT then has until {@link Deadline.responseEndsAt}, just before Lambda would stop
 * the process. A FAILED answer sent in time beats a stack that waits an hour.
 *
 * CloudFormation waits for the answer to a request `ServiceTimeout` seconds (default one hour)
 * from when it issued the request — its ResponseURL's signing time ({@link waitEndsAt}). After
 * that it has given up (a Create is then followed by a Delete with a physical id it made up),
 * and whatever the request still does, no stack learns of it.
 */
import type { InvocationContext } from '../lambda-context.js';
import type { CustomResourceRequest } from './request.js';
import type { SignatureTimes } from './response-url.js';

/** What the deadline needs of the Lambda context. */
type RemainingTime = Pick<InvocationContext, 'getRemainingTimeInMillis'>;

export interface Deadline {
  /** Epoch ms by which the resource work must have ended. */
  readonly workEndsAt: number;
  /** Epoch ms by which the response must have been delivered. */
  readonly responseEndsAt: number;
  /** Milliseconds of work time left (never negative). */
  workRemainingMs(now?: number): number;
  /** Milliseconds left for the response (never negative). */
  responseRemainingMs(now?: number): number;
}

/** Time kept back at the very end so the process is not frozen mid-write. */
export const FINAL_MARGIN_MS = 200;
/** Least time reserved for the response PUT and its retries. */
export const MIN_RESPONSE_RESERVE_MS = 1_000;
/** Most time reserved for the response PUT and its retries. */
export const MAX_RESPONSE_RESERVE_MS = 8_000;

/**
 * Builds the deadline: budget = min(Lambda remaining time, ServiceTimeout); a tenth of it
 * (1 s to 8 s) is kept for the response.
 *
 * @example
 * ```ts
 * const deadline = deadlineFor({ getRemainingTimeInMillis: () => 300_000 }, 60);
 * deadline.workRemainingMs();     // 53 820: a minute (ServiceTimeout), less 0.2 s and a reserve of a tenth
 * deadline.responseRemainingMs(); // 59 800
 * ```
 */
export function deadlineFor(
  context: RemainingTime,
  serviceTimeoutSeconds?: number,
  now: number = Date.now(),
): Deadline {
  const lambdaRemaining = Math.max(0, safeRemaining(context));
  const budget =
    serviceTimeoutSeconds === undefined
      ? lambdaRemaining
      : Math.min(lambdaRemaining, serviceTimeoutSeconds * 1000);
  const usable = Math.max(0, budget - FINAL_MARGIN_MS);
  const reserve = Math.min(
    usable / 2,
    Math.max(MIN_RESPONSE_RESERVE_MS, Math.min(MAX_RESPONSE_RESERVE_MS, usable * 0.1)),
  );
  const workEndsAt = now + Math.floor(usable - reserve);
  const responseEndsAt = now + Math.floor(usable);
  return {
    workEndsAt,
    responseEndsAt,
    workRemainingMs: (at = Date.now()) => Math.max(0, workEndsAt - at),
    responseRemainingMs: (at = Date.now()) => Math.max(0, responseEndsAt - at),
  };
}

/** Used when the context cannot say (a direct invocation outside Lambda). */
export const DEFAULT_REMAINING_MS = 60_000;

function safeRemaining(context: RemainingTime): number {
  if (typeof context?.getRemainingTimeInMillis !== 'function') return DEFAULT_REMAINING_MS;
  try {
    const remaining = context.getRemainingTimeInMillis();
    return Number.isFinite(remaining) ? remaining : 0;
  } catch {
    return 0;
  }
}

/** CloudFormation's wait for a custom resource when the template sets no `ServiceTimeout`. */
export const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;

/**
 * Epoch ms at which CloudFormation stops waiting for a Create or Update; `undefined` for a
 * Delete (one that runs late only removes what the stack wanted removed, so it still runs) and
 * for a ResponseURL whose signing time cannot be read.
 *
 * @example
 * ```ts
 * waitEndsAt({ requestType: 'Create', serviceTimeoutSeconds: 600 }, { signedAt: Date.UTC(2026, 11, 1, 10) });
 * // Date.UTC(2026, 11, 1, 10, 10)
 * ```
 */
export function waitEndsAt(
  request: Pick<CustomResourceRequest, 'requestType' | 'serviceTimeoutSeconds'>,
  signed: Pick<SignatureTimes, 'signedAt'> | undefined,
): number | undefined {
  if (request.requestType === 'Delete') return undefined;
  const signedAt = signed?.signedAt;
  if (signedAt === undefined) return undefined;
  return signedAt + (request.serviceTimeoutSeconds ?? DEFAULT_SERVICE_TIMEOUT_SECONDS) * 1000;
}
