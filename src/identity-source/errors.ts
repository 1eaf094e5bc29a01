/**
 * What an error means: the one place that reads the SDK's errors. Every failure of a call the
 * resource makes (Verified Permissions, or STS for its role) falls in one of four kinds:
 *
 * | kind | examples | what follows |
 * | --- | --- | --- |
 * | `never-sent` | the endpoint's name does not resolve, the connection is refused or never established | nothing happened: retried briefly, then FAILED as "not created" |
 * | `throttled` | `ThrottlingException`, HTTP 429 | nothing happened: retried, slower |
 * | `outcome-unknown` | a timeout or reset after sending, HTTP 5xx, the call abandoned at the deadline | it may have taken effect: retried; a Create may have made a source |
 * | `definitive` | not found, quota, access denied, validation, conflict | the service answered: not retried |
 *
 * The error classes are the SDK's own (`@smithy/core/retry`); what is ours is the never-sent
 * kind, and what a definitive error means for an identity source ({@link Refusal}).
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { Log } from '../logger.js';

export type ErrorKind = 'never-sent' | 'throttled' | 'outcome-unknown' | 'definitive';

/** What the service's definitive answer means for the resource. */
export type Refusal =
  | 'not-found'
  | 'store-not-found'
  | 'store-full'
  | 'conflict'
  | 'invalid'
  | 'denied'
  | 'other';

/** The shape of an AWS SDK v3 service or network error, as far as this module cares. */
interface SdkErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly fieldList?: readonly { path?: string; message?: string }[];
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** Node's codes for a request that never left the machine: no name, no route, no connection. */
const NEVER_SENT_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * @example
 * ```ts
 * errorKind(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' })); // 'never-sent'
 * errorKind(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));      // 'throttled'
 * errorKind(new ValidationException({ message: 'bad', $metadata: {} }));                 // 'definitive'
 * ```
 */
export function errorKind(error: unknown): ErrorKind {
  const e = asError(error);
  if (neverSent(e)) return 'never-sent';
  const sdk = e as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(sdk)) return 'throttled';
  if (e.name === 'AbortError' || isTransientError(sdk) || isServerError(sdk)) {
    return 'outcome-unknown';
  }
  return 'definitive';
}

/** The request never left: a DNS failure, a refused or unestablished connection. */
function neverSent(e: SdkErrorLike): boolean {
  if (e.code !== undefined && NEVER_SENT_CODES.has(e.code)) return true;
  // The SDK's Node handler names a connect timeout a TimeoutError, with this message.
  return e.name === 'TimeoutError' && /without establishing a connection/.test(e.message ?? '');
}

/**
 * What a definitive error means.
 *
 * @example
 * ```ts
 * refusalOf(new ServiceQuotaExceededException({ message: 'full', $metadata: {} })); // 'store-full'
 * ```
 */
export function refusalOf(error: unknown): Refusal {
  const e = asError(error);
  switch (e.name) {
    case 'ResourceNotFoundException':
      return e.resourceType === 'POLICY_STORE' ? 'store-not-found' : 'not-found';
    case 'ServiceQuotaExceededException':
      return 'store-full';
    case 'ConflictException':
      return 'conflict';
    case 'ValidationException':
      return 'invalid';
    case 'AccessDeniedException':
      return 'denied';
    default:
      return 'other';
  }
}

/** The error's name for logs and reasons (`Timeout` for a call abandoned at the deadline). */
export function errorName(error: unknown, timedOut = false): string {
  const e = asError(error);
  if (timedOut && (e.name === 'AbortError' || e.name === 'TimeoutError')) return 'Timeout';
  return e.code !== undefined && NEVER_SENT_CODES.has(e.code) ? e.code : (e.name ?? 'Error');
}

/** The HTTP status of the error's answer, if it had one. */
export function httpStatusOf(error: unknown): number | undefined {
  return asError(error).$metadata?.httpStatusCode;
}

/**
 * The FAILED reason for a call that failed for good: what failed, where, and what to do.
 *
 * @example
 * ```ts
 * describeFailure('CreateIdentitySource', 'eu-west-1', error);
 * // 'CreateIdentitySource was denied in eu-west-1: … The provider's role needs verifiedpermissions:CreateIdentitySource …'
 * ```
 */
export function describeFailure(operation: string, region: string, error: unknown): string {
  const e = asError(error);
  const message = (e.message ?? '').trim();
  if (errorKind(error) === 'never-sent') {
    return `${operation} could not reach Verified Permissions in ${region} (${errorName(error)}: ${message}): nothing was sent. Check Region (is ${region} a region where Verified Permissions is available?) and the network path to its endpoint.`;
  }
  switch (refusalOf(error)) {
    case 'invalid': {
      const fields = (e.fieldList ?? [])
        .map((f) => `${f.path ?? '?'}: ${f.message ?? ''}`)
        .join('; ');
      return `${operation} rejected the input: ${message}${fields ? ` (${fields})` : ''}`;
    }
    case 'store-full':
      return `${operation} failed in ${region}: the policy store already has an identity source, and a policy store holds only one (a quota that cannot be raised). Remove the other identity source or use another policy store. (${message})`;
    case 'store-not-found':
    case 'not-found':
      return `${operation} failed in ${region}: ${e.resourceType ?? 'resource'} ${e.resourceId ?? ''} was not found${e.resourceType === 'POLICY_STORE' ? ' (check PolicyStoreId and Region)' : ''}. (${message})`;
    case 'denied':
      return `${operation} was denied in ${region}: ${message}. The provider's role needs verifiedpermissions:${operation} on the policy store (and cognito-idp:DescribeUserPool for Cognito sources).`;
    case 'conflict':
      return `${operation} conflicts with the current state in ${region}: ${message}`;
    default:
      return `${operation} failed in ${region}: ${e.name ?? 'Error'}${message ? `: ${message}` : ''}`;
  }
}

function asError(error: unknown): SdkErrorLike {
  return typeof error === 'object' && error !== null ? (error as SdkErrorLike) : {};
}

/** What every error of a call says besides its message. */
export interface CallErrorOptions {
  /** e.g. `CreateIdentitySource`. */
  readonly operation: string;
  /** True when an attempt's outcome is unknown (timeout, 5xx, reset): a Create may have made a source. */
  readonly mayHaveTakenEffect: boolean;
  readonly cause?: unknown;
}

/**
 * Every error of the resource's work ends in one of these: its message is the FAILED reason,
 * and it says whether the work may still have taken effect (a Create may have made a source).
 */
export abstract class ResourceError extends Error {
  abstract readonly mayHaveTakenEffect: boolean;
}

/**
 * A call that failed: which operation, what the failure means, and whether it may still have
 * taken effect. `refusal` is set when the service answered definitively.
 *
 * @example
 * ```ts
 * if (error instanceof ApiCallError && error.refusal === 'store-full') { … }
 * ```
 */
export class ApiCallError extends ResourceError {
  override readonly name = 'ApiCallError';
  readonly operation: string;
  readonly mayHaveTakenEffect: boolean;
  /** The kind of the last attempt's error. */
  readonly kind: ErrorKind | 'deadline';
  /** What a definitive answer means; `undefined` for the other kinds. */
  readonly refusal?: Refusal;

  constructor(
    message: string,
    options: CallErrorOptions & {
      readonly kind: ErrorKind | 'deadline';
      readonly refusal?: Refusal;
    },
  ) {
    super(message, { cause: options.cause });
    this.operation = options.operation;
    this.mayHaveTakenEffect = options.mayHaveTakenEffect;
    this.kind = options.kind;
    if (options.refusal !== undefined) this.refusal = options.refusal;
  }
}

/** True when the error is the service saying `refusal`. */
export function isRefusal(error: unknown, refusal: Refusal): error is ApiCallError {
  return error instanceof ApiCallError && error.refusal === refusal;
}

/**
 * A request that must make nothing, with the reason CloudFormation shows: a Create or
 * replacement CloudFormation had already given up on, a store whose one source belongs to
 * another resource, a concurrent takeover that lost. Nothing was written.
 */
export class RefusedError extends ResourceError {
  override readonly name = 'RefusedError';
  readonly mayHaveTakenEffect = false;
}

/** A Create or Update CloudFormation had already given up on when it began: it changes nothing. */
export function createGivenUp(kind: 'create' | 'replacement'): RefusedError {
  const request = kind === 'create' ? 'Create' : 'Update';
  return new RefusedError(
    `CloudFormation had already given up on this ${request}: a request of this resource issued after it (a Delete, or the rollback) was handled first (this one waited in the queue too long, or is a late duplicate); nothing was ${kind === 'create' ? 'created' : 'changed'}`,
  );
}

/** The FAILED reason for an error: its own message, or — unexpected, and logged — an internal error. */
export function reasonOf(error: unknown, log: Log): string {
  if (error instanceof ResourceError) return error.message;
  log.error('Unexpected error', { error: error as Error });
  return `internal error: ${(error as Error)?.message ?? String(error)}`;
}

/** Whether the failed work may still have taken effect (unexpected errors: assume so). */
export function mayHaveTakenEffect(error: unknown): boolean {
  return !(error instanceof ResourceError) || error.mayHaveTakenEffect;
}

/** Trouble with the provider's own records never fails a request: logged, and the work goes on. */
export async function bestEffort<T>(
  log: Log,
  step: string,
  run: () => Promise<T>,
  fallback: T,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    log.warn('Resource record unavailable; going on without it', {
      step,
      error: (error as Error)?.name,
    });
    return fallback;
  }
}
