/**
 * Errors of applying a plan. Their messages are the FAILED reasons CloudFormation shows, so
 * each names the operation, the resource and what to do.
 */

/** A Verified Permissions call that ended in an error the provider does not retry (further). */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  /**
   * @param operation - e.g. `CreateIdentitySource`
   * @param errorName - the service's error type, e.g. `ValidationException`
   * @param mayHaveTakenEffect - true when an attempt's outcome is unknown (timeout, 5xx, reset)
   */
  constructor(
    message: string,
    readonly operation: string,
    readonly errorName: string,
    readonly mayHaveTakenEffect: boolean,
  ) {
    super(message);
  }
}

/** The time budget ran out before a call succeeded. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  constructor(
    message: string,
    readonly operation: string,
    readonly attempts: number,
    readonly mayHaveTakenEffect: boolean,
  ) {
    super(message);
  }
}
