/**
 * Powertools idempotency around the resource work ("decide + apply"), keyed on
 * StackId + RequestId + LogicalResourceId. A SUCCESS is stored, so a repeated delivery of a
 * finished request re-sends the same response without calling the API again. A FAILED outcome
 * is never stored: CloudFormation reuses a RequestId when a deployment is retried, and the
 * retry must run again (the clientToken keeps it from making a second source).
 *
 * Per-request state is per invocation: each run gets its own Powertools configuration with its
 * own Lambda context, so concurrent invocations in one process (Lambda Managed Instances) each
 * leave an in-progress record that expires with their own invocation.
 *
 * Sending the response stays outside: the first invocation answers; a duplicate that arrives
 * while it runs ends without answering. An unreachable table never fails the stack: the work
 * runs unguarded (the clientToken still guards Create) and a warning is logged.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CustomResourceRequest } from '../cloudformation/request.js';
import type { ResourceOutcome } from '../cloudformation/response-body.js';
import type { InvocationContext } from '../lambda-context.js';
import type { Log } from '../logger.js';
import { tableClient } from './table-client.js';

/** A record outlives the ResponseURL (2 h) with room to spare. */
const RECORD_TTL_SECONDS = 3 * 60 * 60;

export type GuardedOutcome =
  | { readonly kind: 'computed' | 'replayed' | 'unguarded'; readonly outcome: ResourceOutcome }
  | { readonly kind: 'in-progress' };

export interface IdempotencyGuard {
  /**
   * Runs `compute` at most once per request key.
   *
   * @param context - the Lambda context: an in-progress record expires with the invocation
   */
  run(
    request: CustomResourceRequest,
    context: InvocationContext | undefined,
    compute: () => Promise<ResourceOutcome>,
  ): Promise<GuardedOutcome>;
}

/** The fields that identify one CloudFormation request. */
interface RequestKey {
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

/**
 * @example
 * ```ts
 * const guard = idempotencyGuard({ tableName: process.env.IDEMPOTENCY_TABLE_NAME, log: logger });
 * const result = await guard.run(request, context, () => provision(request, deps));
 * ```
 */
export function idempotencyGuard(options: {
  tableName: string | undefined;
  log: Log;
  client?: DynamoDBClient;
}): IdempotencyGuard {
  const { tableName, log } = options;
  if (tableName === undefined || tableName === '') {
    return {
      run: async (_request, _context, compute) => {
        log.warn('IDEMPOTENCY_TABLE_NAME is not set: running without idempotency records');
        return { kind: 'unguarded', outcome: await compute() };
      },
    };
  }
  const client = options.client ?? tableClient();
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  /** The stored work: a FAILED outcome is thrown, so Powertools deletes its record instead. */
  const storedWork = async (_key: RequestKey, compute: () => Promise<ResourceOutcome>) => {
    const outcome = await compute();
    if (outcome.status === 'FAILED') throw new NotStored(outcome);
    return outcome;
  };

  return {
    async run(request, context, compute) {
      let computed: ResourceOutcome | undefined;
      let ran = false;
      const tracked = async () => {
        ran = true;
        computed = await compute();
        return computed;
      };
      const config = new IdempotencyConfig({
        eventKeyJmesPath: '[StackId, RequestId, LogicalResourceId]',
        expiresAfterSeconds: RECORD_TTL_SECONDS,
        throwOnNoIdempotencyKey: true,
      });
      if (context !== undefined && typeof context.getRemainingTimeInMillis === 'function') {
        config.registerLambdaContext(
          context as Parameters<IdempotencyConfig['registerLambdaContext']>[0],
        );
      }
      const once = makeIdempotent(storedWork, { persistenceStore, config });
      const key: RequestKey = {
        StackId: request.stackId,
        RequestId: request.requestId,
        LogicalResourceId: request.logicalResourceId,
      };
      try {
        const outcome = await once(key, tracked);
        return { kind: ran ? 'computed' : 'replayed', outcome };
      } catch (error) {
        if (error instanceof IdempotencyAlreadyInProgressError) return { kind: 'in-progress' };
        if (error instanceof NotStored) return { kind: 'computed', outcome: error.outcome };
        if (computed?.status === 'FAILED') return { kind: 'computed', outcome: computed };
        if (computed !== undefined) {
          log.warn('Idempotency record could not be saved; answering with the computed outcome', {
            error: describe(error),
          });
          return { kind: 'computed', outcome: computed };
        }
        if (ran) throw error;
        log.warn(
          'Idempotency table unreachable; running without it (the clientToken still guards Create)',
          {
            error: describe(error),
          },
        );
        return { kind: 'unguarded', outcome: await compute() };
      }
    },
  };
}

/** Carries a FAILED outcome out of the stored work, so that it is not stored. */
class NotStored extends Error {
  override readonly name = 'NotStored';
  constructor(readonly outcome: ResourceOutcome) {
    super('a FAILED outcome is not stored');
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
