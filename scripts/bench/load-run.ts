/**
 * The load run: N resources at once, as CloudFormation creates the identity sources of a large
 * stack in parallel — N Creates (each its own logical id and policy store), issued together,
 * then their Deletes. Several Lambda-like environments (`local/lambda-process.ts`) share one
 * Verified Permissions double, one DynamoDB table and one response bucket; each takes the next
 * waiting event when it is free, as Lambda works through an async queue with limited
 * concurrency. The double throttles writes per store and account-wide.
 *
 * What each request ended in is read back from the stand-ins: its answer from the bucket (and
 * when the PUT was answered), the API attempts from the double's records. Used by the load test
 * (`test/e2e/load.test.ts`) and `npm run bench`.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { type LambdaProcess, startLambdaProcess } from '../../local/lambda-process.js';
import {
  type CloudFormationResponse,
  type LocalStack,
  type StackRequest,
  startLocalStack,
} from '../../local/local-stack.js';
import { cloudFormationResponseKey } from '../../local/response-bucket.js';
import type {
  IdentitySourceState,
  RecordedRequest,
} from '../../local/verified-permissions/double.js';

export interface LoadOptions {
  /** N: resources created at once, then deleted. */
  readonly resources: number;
  /** Lambda-like environments working through the requests (at least 4 in the tests). */
  readonly environments: number;
  /** Writes the double accepts per policy store per second (the service's rate is 1). */
  readonly perStoreWritesPerSecond: number;
  /** Writes the double accepts per second across all stores of the account and region. */
  readonly accountWritesPerSecond: number;
  /** Each invocation's time limit (the function timeout). */
  readonly timeoutMs: number;
  /** Extra environment of the function. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What one request ended in. */
export interface RequestOutcome {
  readonly logicalId: string;
  readonly store: string;
  /** The answer in the bucket; undefined: none arrived (a lost response). */
  readonly response: CloudFormationResponse | undefined;
  /** When the invocation started, and when its time limit was up (epoch ms). */
  readonly startedAt: number;
  readonly deadlineAt: number;
  /** When the bucket answered the response PUT (epoch ms); undefined without one. */
  readonly answeredAt: number | undefined;
  readonly timedOut: boolean;
  readonly error: string | undefined;
  /** Every log line of the invocation. */
  readonly logs: readonly string[];
}

/** One phase: the Creates, or the Deletes. */
export interface LoadPhase {
  readonly type: 'Create' | 'Delete';
  readonly outcomes: readonly RequestOutcome[];
  /** From issuing the requests to the last answer, ms. */
  readonly lastAnswerMs: number;
  /** The phase's write calls (`CreateIdentitySource` / `DeleteIdentitySource`) at the double. */
  readonly attempts: number;
  /** Of those, answered `ThrottlingException`. */
  readonly throttled: number;
  /** Most write calls any one request made. */
  readonly mostAttemptsOfOne: number;
  /** Most write calls the double received in any one second (the limit's burst). */
  readonly peakAttemptsPerSecond: number;
  /** Every Verified Permissions call of the phase (reads included). */
  readonly apiCalls: number;
}

export interface LoadRun {
  readonly options: LoadOptions;
  readonly create: LoadPhase;
  readonly delete: LoadPhase;
  /** Sources in each store after the Creates, in the order of the resources. */
  readonly sourcesPerStore: readonly number[];
  /** Sources left after the Deletes (orphans). */
  readonly left: readonly IdentitySourceState[];
}

const USER_POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';
const WRITE = { Create: 'CreateIdentitySource', Delete: 'DeleteIdentitySource' } as const;

/** Runs the scenario on a fresh local stack. */
export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const stack = await startLocalStack({
    ...(options.env !== undefined && { env: options.env }),
    verifiedPermissions: {
      throttleWritesPerSecond: options.perStoreWritesPerSecond,
      throttleAccountWritesPerSecond: options.accountWritesPerSecond,
    },
  });
  const lambdas: LambdaProcess[] = [stack.lambda];
  try {
    const extra = Array.from({ length: options.environments - 1 }, () =>
      startLambdaProcess({ env: { ...stack.env } }),
    );
    lambdas.push(...(await Promise.all(extra)));
    const resources = Array.from({ length: options.resources }, (_, i) => ({
      logicalId: `Source${String(i + 1).padStart(3, '0')}`,
      store: stack.verifiedPermissions.addPolicyStore(),
    }));
    const properties = (store: string) => ({
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
      PolicyStoreId: store,
      Configuration: {
        CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, ClientIds: ['client-a'] },
      },
    });
    const create = await runPhase(
      stack,
      lambdas,
      options,
      'Create',
      (r) => ({
        RequestType: 'Create',
        LogicalResourceId: r.logicalId,
        ResourceProperties: properties(r.store),
      }),
      resources,
    );
    const sourcesPerStore = resources.map(
      (r) =>
        stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === r.store)
          .length,
    );
    const ids = new Map(create.outcomes.map((o) => [o.logicalId, o.response?.PhysicalResourceId]));
    const deleted = await runPhase(
      stack,
      lambdas,
      options,
      'Delete',
      (r) => ({
        RequestType: 'Delete',
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: ids.get(r.logicalId) ?? 'unknown',
        ResourceProperties: properties(r.store),
      }),
      resources,
    );
    return {
      options,
      create,
      delete: deleted,
      sourcesPerStore,
      left: stack.verifiedPermissions.identitySources(),
    };
  } finally {
    await Promise.all(lambdas.slice(1).map((l) => l.close()));
    await stack.close();
  }
}

type Resource = { readonly logicalId: string; readonly store: string };

/** Issues one request per resource at once and lets the environments work through them. */
async function runPhase(
  stack: LocalStack,
  lambdas: readonly LambdaProcess[],
  options: LoadOptions,
  type: LoadPhase['type'],
  requestFor: (resource: Resource) => StackRequest,
  resources: readonly Resource[],
): Promise<LoadPhase> {
  const firstRecord = stack.verifiedPermissions.requests.length;
  const issuedAt = now();
  const events = await Promise.all(resources.map((r) => stack.event(requestFor(r))));
  const queue = events.map((event, index) => ({ event, index }));
  const outcomes: RequestOutcome[] = [];
  await Promise.all(
    lambdas.map(async (lambda) => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const startedAt = now();
        const invocation = await lambda.invoke(next.event, { timeoutMs: options.timeoutMs });
        const resource = resources[next.index] as Resource;
        outcomes[next.index] = {
          ...resource,
          response: await stack.responseTo(next.event),
          startedAt,
          deadlineAt: startedAt + options.timeoutMs,
          answeredAt: answeredAt(stack, next.event),
          timedOut: invocation.timedOut,
          error: invocation.error?.errorMessage,
          logs: invocation.logs,
        };
      }
    }),
  );
  const calls = stack.verifiedPermissions.requests.slice(firstRecord);
  const writes = calls.filter((c) => c.operation === WRITE[type]);
  const answers = outcomes.map((o) => o.answeredAt ?? Number.NaN);
  return {
    type,
    outcomes,
    lastAnswerMs: Math.max(...answers) - issuedAt,
    attempts: writes.length,
    throttled: writes.filter((c) => c.errorType === 'ThrottlingException').length,
    mostAttemptsOfOne: Math.max(...countBy(writes, (c) => storeOf(c)).values()),
    peakAttemptsPerSecond: peakPerSecond(writes.map((c) => c.time)),
    apiCalls: calls.length,
  };
}

/** When the bucket answered the PUT of this event's response (the last one, if several). */
function answeredAt(stack: LocalStack, event: Record<string, unknown>): number | undefined {
  const key = cloudFormationResponseKey(
    event as { StackId: string; LogicalResourceId: string; RequestId: string },
  );
  const path = `/${stack.bucket.bucket}/${key}`;
  const puts = stack.bucket.requests.filter(
    (r) => r.method === 'PUT' && decodeURIComponent(r.path) === path,
  );
  return puts.at(-1)?.answeredAt;
}

const storeOf = (call: RecordedRequest) =>
  String((call.body as { policyStoreId?: unknown }).policyStoreId);

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>([['', 0]]);
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** The most of `times` (ms) within any one-second window. */
function peakPerSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= 1000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

const now = () => performance.timeOrigin + performance.now();
