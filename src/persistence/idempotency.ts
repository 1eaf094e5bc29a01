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
 * Sending the response stays outside. A duplicate that arrives while another invocation holds
 * the request waits — until the holder's record is complete (its outcome is re-sent), gone (the
 * work runs again), or its in-progress time has passed (the holder is gone: Powertools lets this
 * invocation take the record over and run) — up to `waitUntil`; only then it gives up, and the
 * caller ends with a function error so that Lambda delivers the event again: a crashed holder is
 * never the end of a request. An unreachable table never fails the stack: the work runs
 * unguarded (the clientToken still guards Create) and a warning is logged.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { backoffMs, sleep as realSleep, type Sleep } from '../backoff.js';
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
   * @param options.waitUntil - epoch ms until which a request another invocation holds is
   *   waited for (default: not waited for)
   */
  run(
    request: CustomResourceRequest,
    context: InvocationContext | undefined,
    compute: () => Promise<ResourceOutcome>,
    options?: { readonly waitUntil?: number },
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
  sleep?: Sleep;
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
    async run(request, context, compute, { waitUntil = 0 } = {}) {
      for (let poll = 1; ; poll++) {
        const result = await once(request, context, compute);
        if (result.kind !== 'in-progress') return result;
        const wait = backoffMs(poll, HOLDER_POLL);
        if (Date.now() + wait >= waitUntil) return result;
        if (poll === 1) {
          log.info('The same request is in progress in another invocation: waiting for it to end', {
            waitUntil: new Date(waitUntil).toISOString(),
          });
        }
        await (options.sleep ?? realSleep)(wait);
      }
    },
  };

  async function once(
    request: CustomResourceRequest,
    context: InvocationContext | undefined,
    compute: () => Promise<ResourceOutcome>,
  ): Promise<GuardedOutcome> {
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
  }
}

/** How often a request another invocation holds is looked at again: 2 to 5 s apart. */
const HOLDER_POLL = { baseMs: 5_000, capMs: 5_000, floorMs: 2_000 };

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
