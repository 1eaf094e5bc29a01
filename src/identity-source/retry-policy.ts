/**
 * Pure: which Verified Permissions errors are worth another attempt, and how long to wait.
 * The error classes are the SDK's own (`@smithy/core/retry`): throttling, transient (network
 * faults, timeouts, 500/502/503/504, errors the service marks retryable) and server errors.
 * The one domain rule on top: a policy store not found yet, for a call that only works once
 * it exists — the service is eventually consistent, so a store created moments ago in the
 * same stack may not be visible.
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { backoffMs } from '../backoff.js';

/** The shape of an AWS SDK v3 service or network error, as far as retrying cares. */
export interface SdkErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly resourceType?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * How long a Create waits for a policy store to become visible. Long enough for the
 * service's eventual consistency (seconds), short enough that a wrong PolicyStoreId or
 * Region fails in half a minute, not after the whole time budget.
 */
export const STORE_VISIBILITY_WAIT_MS = 30_000;

/** Operations that wait for a policy store made moments ago to become visible. */
const WAITS_FOR_STORE = new Set(['CreateIdentitySource']);

/** Backoff for transient errors, and the slower one when the service throttles (1 write/s per store). */
const TRANSIENT_BACKOFF = { baseMs: 250, capMs: 4_000 };
const THROTTLED_BACKOFF = { baseMs: 2_000, capMs: 8_000, floorMs: 1_000 };

/**
 * @example
 * ```ts
 * isRetryable('CreateIdentitySource', new ThrottlingException({ message: 'Rate exceeded', $metadata: {} })); // true
 * isRetryable('UpdateIdentitySource', new ValidationException({ message: 'bad', $metadata: {} }));         // false
 * ```
 */
export function isRetryable(operation: string, error: unknown): boolean {
  return isThrottled(error) || isOutcomeUnknown(error) || isStoreNotVisibleYet(operation, error);
}

/** A policy store that is not (yet) found, for an operation that waits for it. */
export function isStoreNotVisibleYet(operation: string, error: unknown): boolean {
  const e = asError(error);
  return (
    WAITS_FOR_STORE.has(operation) &&
    e.name === 'ResourceNotFoundException' &&
    e.resourceType === 'POLICY_STORE'
  );
}

/** The service throttled the call: it did not take effect. */
function isThrottled(error: unknown): boolean {
  return isThrottlingError(asError(error) as Parameters<typeof isThrottlingError>[0]);
}

/**
 * True when the call may or may not have taken effect: a network fault, a timeout, a 5xx, or
 * the call abandoned at its own deadline. A Create that ends like this may have made a source.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  const e = asError(error) as Parameters<typeof isTransientError>[0];
  if (isThrottled(error)) return false;
  return e.name === 'AbortError' || isTransientError(e) || isServerError(e);
}

/** Wait before retry number `retry` (1 = the first retry): slower and at least 1 s when throttled. */
export function retryDelayMs(retry: number, error: unknown, random?: () => number): number {
  return backoffMs(retry, isThrottled(error) ? THROTTLED_BACKOFF : TRANSIENT_BACKOFF, random);
}

function asError(error: unknown): SdkErrorLike {
  return typeof error === 'object' && error !== null ? (error as SdkErrorLike) : {};
}
