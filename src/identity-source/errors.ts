/**
 * Errors of applying a plan. Their messages are the FAILED reasons CloudFormation shows, so
 * each names the operation, the resource and what to do; the SDK's error stays as `cause`.
 */

/** What every error of an API call says besides its message. */
export interface CallErrorOptions {
  /** e.g. `CreateIdentitySource`. */
  readonly operation: string;
  /** True when an attempt's outcome is unknown (timeout, 5xx, reset): a Create may have made a source. */
  readonly mayHaveTakenEffect: boolean;
  readonly cause?: unknown;
}

/**
 * Every error applying a plan ends in: its message is the FAILED reason, and it says whether
 * the work may still have taken effect (a Create may have made a source).
 */
export abstract class ResourceError extends Error {
  abstract readonly mayHaveTakenEffect: boolean;
}

/** An API call that failed: which operation, and whether it may still have taken effect. */
abstract class CallError extends ResourceError {
  readonly operation: string;
  readonly mayHaveTakenEffect: boolean;

  constructor(message: string, options: CallErrorOptions) {
    super(message, { cause: options.cause });
    this.operation = options.operation;
    this.mayHaveTakenEffect = options.mayHaveTakenEffect;
  }
}

/** A Verified Permissions call that ended in an error the provider does not retry (further). */
export class ApiCallError extends CallError {
  override readonly name = 'ApiCallError';
  /** The service's error type, e.g. `ValidationException`. */
  readonly errorName: string;

  /**
   * @example
   * ```ts
   * throw new ApiCallError('CreateIdentitySource rejected the input: …', {
   *   operation: 'CreateIdentitySource', errorName: 'ValidationException', mayHaveTakenEffect: false, cause: error,
   * });
   * ```
   */
  constructor(message: string, options: CallErrorOptions & { readonly errorName: string }) {
    super(message, options);
    this.errorName = options.errorName;
  }
}

/**
 * A Create that CloudFormation had already given up on when it began (a Delete for its
 * resource, issued after it, was handled first): it makes nothing.
 */
export class CreateGivenUpError extends ResourceError {
  override readonly name = 'CreateGivenUpError';
  readonly mayHaveTakenEffect = false;

  constructor() {
    super(
      'CloudFormation had already given up on this Create: a Delete of this resource, issued after it, was handled first (the Create waited in the queue too long); nothing was created',
    );
  }
}

/**
 * A Create into a store that already holds its one identity source, which this resource may
 * not take over (not a renamed resource of the same stack, and no `AdoptExisting`). Nothing
 * was written.
 */
export class StoreHoldsSourceError extends ResourceError {
  override readonly name = 'StoreHoldsSourceError';
  readonly mayHaveTakenEffect = false;

  constructor(
    policyStoreId: string,
    identitySourceId: string,
    owner?: { readonly stackId: string; readonly logicalResourceId: string },
  ) {
    const whose =
      owner === undefined
        ? 'which this provider did not make for this stack'
        : `which resource ${owner.logicalResourceId} of stack ${owner.stackId} owns`;
    super(
      `policy store ${policyStoreId} already holds its one identity source (${identitySourceId}), ${whose}; a policy store holds only one (a quota that cannot be raised). Set AdoptExisting: true to take it over, or use another policy store.`,
    );
  }
}

/** The time budget ran out before a call succeeded. */
export class DeadlineExceededError extends CallError {
  override readonly name = 'DeadlineExceededError';
  /** Attempts made before the budget ran out. */
  readonly attempts: number;

  constructor(message: string, options: CallErrorOptions & { readonly attempts: number }) {
    super(message, options);
    this.attempts = options.attempts;
  }
}
