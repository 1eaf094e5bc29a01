/**
 * Everything the provider talks to, stood up locally, and a CloudFormation stand-in that
 * drives it: the Verified Permissions test double, DynamoDB (dynalite) with the idempotency
 * table, an S3 bucket with real SigV4 pre-signed ResponseURLs, and the built bundle running
 * in a Lambda-like child process; on request also STS (`AssumeRole`, for `RoleArn`) and the
 * CloudFormation API (`DescribeStacks`, for rollbacks). Used by the end-to-end tests,
 * `npm start` and the benchmark.
 *
 * Each request goes the way CloudFormation sends it: a fresh RequestId, a ResponseURL
 * pre-signed for the key `<StackId>|<LogicalResourceId>|<RequestId>`; the response is read
 * back from the bucket, so what is asserted is what CloudFormation would have received. The
 * network calls the function made for a request are what the three stand-ins recorded while it
 * ran.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type CloudFormationApi, startCloudFormationApi } from './cloudformation-api.js';
import { type DynamoDbLocal, startDynamoDb } from './dynamodb.js';
import { type EventBridgeStandIn, startEventBridge } from './eventbridge.js';
import type { GenuineResponseHost } from './genuine-response-host.js';
import { type InvokeResult, type LambdaProcess, startLambdaProcess } from './lambda-process.js';
import {
  cloudFormationResponseKey,
  type ResponseBucket,
  startResponseBucket,
} from './response-bucket.js';
import { type StsStandIn, startSts } from './sts.js';
import {
  type RecordedRequest,
  startVerifiedPermissionsDouble,
  type VerifiedPermissionsDouble,
  type VerifiedPermissionsDoubleOptions,
} from './verified-permissions/double.js';

export interface LocalStackOptions {
  /** The function's region (`AWS_REGION`); default `eu-west-1`. */
  readonly region?: string;
  /** Extra environment for the function (overrides the defaults). */
  readonly env?: Readonly<Record<string, string>>;
  readonly verifiedPermissions?: VerifiedPermissionsDoubleOptions;
  /** Copy the function's log lines to stderr as they come. */
  readonly echoLogs?: boolean;
  /** Without the idempotency table (IDEMPOTENCY_TABLE_NAME unset). */
  readonly withoutIdempotency?: boolean;
  /** With the STS stand-in (`AWS_ENDPOINT_URL_STS`), whose credentials the double tells apart by account. */
  readonly withSts?: boolean;
  /** With the CloudFormation API stand-in (`AWS_ENDPOINT_URL_CLOUDFORMATION`); the stack starts `CREATE_IN_PROGRESS`. */
  readonly withCloudFormation?: boolean;
  /** With the EventBridge stand-in (`AWS_ENDPOINT_URL_EVENTBRIDGE`), for the drift check. */
  readonly withEventBridge?: boolean;
  readonly bundlePath?: string;
  /**
   * ResponseURLs on CloudFormation's genuine response host of the stack's region, served over
   * HTTPS by this host, whose preload and CA the function's process gets (the S3 calls recorded
   * are its bucket's: keep the stacks that share it from overlapping); default: path-style URLs
   * on the stack's own bucket at 127.0.0.1.
   */
  readonly responseHost?: GenuineResponseHost;
  /** Run the function like Lambda Managed Instances: up to this many invocations at once in one process. */
  readonly maxConcurrency?: number;
}

/** The function's account, as `lambda-process.ts` gives it in `invokedFunctionArn`. */
const FUNCTION_ACCOUNT = '123456789012';

/** One custom-resource request as a template author's stack would cause it. */
export interface StackRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete' | string;
  readonly LogicalResourceId: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly PhysicalResourceId?: string;
  readonly OldResourceProperties?: Record<string, unknown>;
  /** Default: a fresh UUID, as CloudFormation sends. */
  readonly RequestId?: string;
  /** Default: the local stack's {@link LocalStack.stackId}. */
  readonly StackId?: string;
  readonly ResourceType?: string;
}

export interface SendOptions {
  /** The invocation's time limit (the function timeout); default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Replace the pre-signed ResponseURL (to test refused or broken URLs). */
  readonly responseUrl?: string;
}

/** One call the function made, as the stand-in that answered it recorded it. */
export interface NetworkCall {
  readonly service: 'Verified Permissions' | 'DynamoDB' | 'S3' | 'STS' | 'CloudFormation';
  /** `CreateIdentitySource`, `PutItem`, `PUT`, `AssumeRole`, `DescribeStacks`, … */
  readonly operation: string;
  /** DynamoDB: the `id` of the item read or written. */
  readonly itemId?: string;
  /** Arrival time, epoch ms. */
  readonly time: number;
  /** S3: when the bucket's answer was ready, epoch ms. */
  readonly answeredAt?: number;
}

/** What happened for one request. */
export interface Exchange {
  /** The event as sent to the function. */
  readonly event: Record<string, unknown>;
  /** The response CloudFormation would have read from the bucket; undefined if none arrived. */
  readonly response: CloudFormationResponse | undefined;
  /** The Verified Permissions requests this exchange caused, in order. */
  readonly apiCalls: readonly RecordedRequest[];
  /** Every call to the stand-ins during the invocation (Verified Permissions, DynamoDB, S3), in order. */
  readonly networkCalls: readonly NetworkCall[];
  /** When the event was handed to the function, epoch ms. */
  readonly sentAt: number;
  readonly invocation: InvokeResult;
}

export interface CloudFormationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, unknown>;
}

export interface LocalStack {
  readonly verifiedPermissions: VerifiedPermissionsDouble;
  readonly dynamo: DynamoDbLocal | undefined;
  readonly bucket: ResponseBucket;
  readonly lambda: LambdaProcess;
  /** With {@link LocalStackOptions.withSts}. */
  readonly sts: StsStandIn | undefined;
  /** With {@link LocalStackOptions.withCloudFormation}. */
  readonly cloudFormation: CloudFormationApi | undefined;
  /** With {@link LocalStackOptions.withEventBridge}. */
  readonly eventBridge: EventBridgeStandIn | undefined;
  readonly region: string;
  /** The function's own account (of its ARN and of its access key at the double). */
  readonly accountId: string;
  readonly stackId: string;
  /** The function's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Every log line of every invocation made through {@link LocalStack.lambda}, in order. */
  readonly logs: readonly string[];
  /** Sends one request through the function and reads back its response. */
  send(request: StackRequest, options?: SendOptions): Promise<Exchange>;
  /** Builds the event (with a pre-signed ResponseURL) without sending it. */
  event(request: StackRequest): Promise<Record<string, unknown>>;
  /** Reads the response stored for an event; undefined when none was PUT. */
  responseTo(event: Record<string, unknown>): Promise<CloudFormationResponse | undefined>;
  close(): Promise<void>;
}

/**
 * @example
 * ```ts
 * const stack = await startLocalStack();
 * const storeId = stack.verifiedPermissions.addPolicyStore();
 * const { response } = await stack.send({ RequestType: 'Create', LogicalResourceId: 'Source', ResourceProperties: props });
 * ```
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const region = options.region ?? 'eu-west-1';
  const sts = options.withSts ? await startSts() : undefined;
  const cloudFormation = options.withCloudFormation ? await startCloudFormationApi() : undefined;
  const eventBridge = options.withEventBridge ? await startEventBridge() : undefined;
  const verifiedPermissions = await startVerifiedPermissionsDouble({
    // the function's own key is the function's account; STS's are their roles' accounts
    accountOf: (key) => (key === env.AWS_ACCESS_KEY_ID ? FUNCTION_ACCOUNT : sts?.accountOf(key)),
    ...options.verifiedPermissions,
  });
  const dynamo = options.withoutIdempotency ? undefined : await startDynamoDb({ region });
  const bucket = await startResponseBucket();
  const env: Record<string, string> = {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'AKIDLOCALSTACK',
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_ENDPOINT_URL_VERIFIEDPERMISSIONS: verifiedPermissions.endpoint,
    ...(sts && { AWS_ENDPOINT_URL_STS: sts.endpoint }),
    ...(cloudFormation && { AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint }),
    ...(eventBridge && { AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint }),
    RESPONSE_URL_ALLOWED_HOSTS: '127.0.0.1',
    POWERTOOLS_SERVICE_NAME: 'verified-permissions-identity-source-provider',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // what Lambda sets from the template's LoggingConfig (LogFormat JSON, ApplicationLogLevel)
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_LOG_LEVEL: 'INFO',
    ...dynamo?.environment,
    ...options.responseHost?.processOptions.env,
    ...options.env,
  };
  const logs: string[] = [];
  const started = await startLambdaProcess({
    env,
    ...(options.responseHost && { execArgv: [...options.responseHost.processOptions.execArgv] }),
    ...(options.bundlePath !== undefined && { bundlePath: options.bundlePath }),
    ...(options.echoLogs !== undefined && { echoLogs: options.echoLogs }),
    ...(options.maxConcurrency !== undefined && { maxConcurrency: options.maxConcurrency }),
  });
  const lambda: LambdaProcess = {
    get coldStartMs() {
      return started.coldStartMs;
    },
    get initLogs() {
      return started.initLogs;
    },
    get pid() {
      return started.pid;
    },
    async invoke(event, invokeOptions) {
      const result = await started.invoke(event, invokeOptions);
      if (result.coldStart) logs.push(...started.initLogs);
      logs.push(...result.logs);
      return result;
    },
    peakRssBytes: () => started.peakRssBytes(),
    close: () => started.close(),
  };
  const stackId = `arn:aws:cloudformation:${region}:${FUNCTION_ACCOUNT}:stack/local-stack/${randomUUID()}`;
  cloudFormation?.setStackStatus(stackId, 'CREATE_IN_PROGRESS');

  const event = async (request: StackRequest): Promise<Record<string, unknown>> => {
    const base = {
      RequestType: request.RequestType,
      StackId: request.StackId ?? stackId,
      RequestId: request.RequestId ?? randomUUID(),
      LogicalResourceId: request.LogicalResourceId,
      ResourceType: request.ResourceType ?? 'Custom::VerifiedPermissionsIdentitySource',
      ...(request.PhysicalResourceId !== undefined && {
        PhysicalResourceId: request.PhysicalResourceId,
      }),
      ResourceProperties: request.ResourceProperties,
      ...(request.OldResourceProperties !== undefined && {
        OldResourceProperties: request.OldResourceProperties,
      }),
    };
    const key = cloudFormationResponseKey(base);
    const ResponseURL = options.responseHost
      ? await options.responseHost.responseUrl(region, key)
      : await bucket.responseUrl(key);
    return { ...base, ResponseURL };
  };

  const responseTo = async (sent: Record<string, unknown>) => {
    const key = cloudFormationResponseKey(
      sent as { StackId: string; LogicalResourceId: string; RequestId: string },
    );
    const stored = await (options.responseHost?.readResponse(region, key) ??
      bucket.readResponse(key));
    return stored?.body as CloudFormationResponse | undefined;
  };
  const responses = options.responseHost?.bucket ?? bucket;

  const recordCounts = () => ({
    verifiedPermissions: verifiedPermissions.requests.length,
    dynamo: dynamo?.requests.length ?? 0,
    bucket: responses.requests.length,
    sts: sts?.requests.length ?? 0,
    cloudFormation: cloudFormation?.requests.length ?? 0,
  });
  const callsSince = (before: ReturnType<typeof recordCounts>): NetworkCall[] =>
    [
      ...verifiedPermissions.requests.slice(before.verifiedPermissions).map((r) => ({
        service: 'Verified Permissions' as const,
        operation: r.operation ?? '?',
        time: r.time,
      })),
      ...(dynamo?.requests ?? []).slice(before.dynamo).map((r) => ({
        service: 'DynamoDB' as const,
        operation: r.operation ?? '?',
        ...(r.itemId !== undefined && { itemId: r.itemId }),
        time: r.time,
      })),
      ...responses.requests.slice(before.bucket).map((r) => ({
        service: 'S3' as const,
        operation: r.method,
        time: r.time,
        ...(r.answeredAt !== undefined && { answeredAt: r.answeredAt }),
      })),
      ...(sts?.requests ?? []).slice(before.sts).map((r) => ({
        service: 'STS' as const,
        operation: r.action ?? '?',
        time: r.time,
      })),
      ...(cloudFormation?.requests ?? []).slice(before.cloudFormation).map((r) => ({
        service: 'CloudFormation' as const,
        operation: r.action ?? '?',
        time: r.time,
      })),
    ].sort((a, b) => a.time - b.time);

  return {
    verifiedPermissions,
    dynamo,
    bucket,
    lambda,
    sts,
    cloudFormation,
    eventBridge,
    region,
    accountId: FUNCTION_ACCOUNT,
    stackId,
    env,
    logs,
    event,
    responseTo,
    async send(request, sendOptions = {}) {
      const built = await event(request);
      const sent =
        sendOptions.responseUrl === undefined
          ? built
          : { ...built, ResponseURL: sendOptions.responseUrl };
      const before = recordCounts();
      const sentAt = performance.timeOrigin + performance.now();
      const invocation = await lambda.invoke(sent, { timeoutMs: sendOptions.timeoutMs ?? 30_000 });
      const networkCalls = callsSince(before);
      return {
        event: sent,
        response: await responseTo(built),
        apiCalls: verifiedPermissions.requests.slice(before.verifiedPermissions),
        networkCalls,
        sentAt,
        invocation,
      };
    },
    async close() {
      await lambda.close();
      await Promise.allSettled([
        verifiedPermissions.close(),
        dynamo?.stop(),
        bucket.stop(),
        sts?.close(),
        cloudFormation?.close(),
        eventBridge?.close(),
      ]);
    },
  };
}
