/**
 * Measurement-only stand-in for `@aws-lambda-powertools/idempotency` (and its `/dynamodb`
 * entry), used by the benchmark's `no-powertools` build variant through esbuild `alias`: the
 * same exports, no behaviour. It shows how much of the cold import the package and what only it
 * pulls in (JMESPath, the DynamoDB marshalling helpers) cost; a real replacement would add back
 * its own few dozen lines. Never part of a deployable build.
 *
 * @module
 */

/** As the package's: another invocation holds the record. */
export class IdempotencyAlreadyInProgressError extends Error {}

/** As the package's, minus everything. */
export class IdempotencyConfig {
  constructor(readonly options: unknown) {}
  registerLambdaContext(_context: unknown): void {}
}

/** As the package's `/dynamodb` entry, minus everything. */
export class DynamoDBPersistenceLayer {
  constructor(readonly options: unknown) {}
}

/** Returns the function unchanged. */
export function makeIdempotent<F>(fn: F, _options: unknown): F {
  return fn;
}
