/**
 * Pure: which Verified Permissions errors are worth another attempt, and how long to wait.
 *
 * Retried: throttling (1 write/s per store), the service's 5xx, network faults and, for
 * `CreateIdentitySource` only, a policy store not found yet — the service is eventually
 * consistent, so a store created moments ago in the same stack may not be visible.
 */

/** The shape of an AWS SDK v3 service or network error, as far as retrying cares. */
export interface SdkErrorLike {
  readonly name?: string;
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

const NETWORK_ERRORS = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * @example
 * ```ts
 * isRetryable('CreateIdentitySource', { name: 'ThrottlingException' }); // true
 * isRetryable('UpdateIdentitySource', { name: 'ValidationException' }); // false
 * ```
 */
export function isRetryable(operation: string, error: unknown): boolean {
  const e = (error ?? {}) as SdkErrorLike;
  if (e.name === 'ThrottlingException' || e.name === 'InternalServerException') return true;
  if (e.name === 'ResourceNotFoundException') {
    return operation === 'CreateIdentitySource' && e.resourceType === 'POLICY_STORE';
  }
  return isOutcomeUnknown(error);
}

/**
 * True when the call may or may not have taken effect: a network fault, a timeout or a 5xx.
 * A Create that ends like this may have made a source.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  const e = (error ?? {}) as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e.name === 'InternalServerException' || e.name === 'AbortError') return true;
  return NETWORK_ERRORS.has(e.name ?? '') || NETWORK_ERRORS.has(e.code ?? '');
}

/** Wait before the given attempt (2, 3, …): exponential with jitter, 1 s floor when throttled. */
export function backoffMs(
  attempt: number,
  error: unknown,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(4_000, 250 * 2 ** Math.max(0, attempt - 2));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  const throttled = (error as SdkErrorLike | undefined)?.name === 'ThrottlingException';
  return Math.round(throttled ? Math.max(1_000, jittered) : jittered);
}
