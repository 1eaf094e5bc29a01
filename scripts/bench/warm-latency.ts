/**
 * Warm latency: request → response delivered, everything on loopback, in the Lambda-like child
 * (`test/support/lambda-process.ts`). One identity source per policy store: N Creates in N fresh
 * stores, then an Update and a Delete of each.
 *
 * "Delivered" is when S3 answered the response PUT, seen by a counting proxy in front of the
 * bucket (the event's pre-signed ResponseURL points at it), counted from just before the event
 * is handed to the child. The invocation's own duration (until the handler returns, which
 * includes any work after the PUT) is reported beside it.
 *
 * Also records the first invocation after the cold start (lazy set-up: credentials, clients,
 * connections), the child's CPU time per invocation, the log lines it wrote and its peak RSS.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { type CountingProxy, startCountingProxy } from './counting-proxy.js';
import { type CpuTimes, cpuSince, processCpuTimes } from './process-cpu.js';
import {
  type Answered,
  invokeExpectingSuccess,
  REQUEST_TYPES,
  type RequestType,
  requestFor,
} from './scenario.js';
import { type Summary, summarize } from './stats.js';

/** Latency of one request type. */
export interface TypeLatency {
  readonly type: RequestType;
  /** Event handed over → S3 answered the response PUT. */
  readonly deliveredMs: Summary;
  /** The invocation, until the handler returned. */
  readonly invocationMs: Summary;
  /** The child's CPU time per invocation; undefined off Linux. */
  readonly cpuPerInvocation: CpuTimes | undefined;
  /** Lines the function wrote per invocation. */
  readonly logLines: number;
}

/** What {@link measureWarmLatency} found. */
export interface WarmLatencyResult {
  /** The child's `NODE_OPTIONS`. */
  readonly nodeOptions: string;
  /** The memory size the heap flags imitate, MB; undefined for this machine's defaults. */
  readonly memoryMb: number | undefined;
  /** The module import in the Lambda-like child (its "Init Duration"), ms. */
  readonly initMs: number;
  /** The first invocation after the cold start (a Create), event → response delivered, ms. */
  readonly firstDeliveredMs: number;
  /** CPU time of that first invocation. */
  readonly firstCpu: CpuTimes | undefined;
  readonly warmups: number;
  readonly byType: readonly TypeLatency[];
  /** Largest RSS of the child over the whole run, bytes. */
  readonly peakRssBytes: number;
  /** Invocations in total. */
  readonly invocations: number;
  /** The function's environment in this run (as the local stack set it). */
  readonly functionEnv: Readonly<Record<string, string>>;
}

/** Options of {@link measureWarmLatency}. */
export interface WarmLatencyOptions {
  /** Events per request type. */
  readonly events: number;
  /** Creates after the first invocation and before the measured ones, not counted. */
  readonly warmups: number;
  /** The child's `NODE_OPTIONS`. */
  readonly nodeOptions: string;
  /** Reported as `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`; undefined leaves the harness default. */
  readonly memoryMb: number | undefined;
  /** More environment for the function. */
  readonly env: Readonly<Record<string, string>>;
  /** Called every 100 invocations. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Runs the scenario on a fresh local stack. */
export async function measureWarmLatency(options: WarmLatencyOptions): Promise<WarmLatencyResult> {
  const bucketProxy = await startCountingProxy();
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      env: {
        ...options.env,
        NODE_OPTIONS: options.nodeOptions,
        ...(options.memoryMb !== undefined && {
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
        }),
      },
    });
    bucketProxy.retarget(stack.bucket.endpoint);
    const send = sender(stack, bucketProxy, options);
    const pid = () => stack?.lambda.pid;
    const initMs = stack.lambda.coldStartMs;

    const cpuBeforeFirst = processCpuTimes(pid());
    const first = await send('Create', stack.verifiedPermissions.addPolicyStore());
    const firstCpu = cpuSince(processCpuTimes(pid()), cpuBeforeFirst);
    for (let i = 0; i < options.warmups; i++) {
      await send('Create', stack.verifiedPermissions.addPolicyStore());
    }

    const stores = Array.from({ length: options.events }, () =>
      stack?.verifiedPermissions.addPolicyStore(),
    ).filter((id): id is string => id !== undefined);
    const physicalIds: string[] = [];
    const byType: TypeLatency[] = [];
    for (const type of REQUEST_TYPES) {
      const delivered: number[] = [];
      const invocations: number[] = [];
      let logLines = 0;
      const cpuBefore = processCpuTimes(pid());
      for (const [index, storeId] of stores.entries()) {
        const sent = await send(type, storeId, physicalIds[index]);
        if (sent.invocation.coldStart) throw new Error('the function restarted during the run');
        delivered.push(sent.deliveredMs);
        invocations.push(sent.invocation.durationMs);
        logLines += sent.invocation.logs.length;
        if (type === 'Create') physicalIds.push(sent.response.PhysicalResourceId);
      }
      const cpu = cpuSince(processCpuTimes(pid()), cpuBefore);
      byType.push({
        type,
        deliveredMs: summarize(delivered),
        invocationMs: summarize(invocations),
        cpuPerInvocation:
          cpu === undefined
            ? undefined
            : { userMs: cpu.userMs / stores.length, systemMs: cpu.systemMs / stores.length },
        logLines: logLines / stores.length,
      });
    }
    return {
      nodeOptions: options.nodeOptions,
      memoryMb: options.memoryMb,
      initMs,
      firstDeliveredMs: first.deliveredMs,
      firstCpu,
      warmups: options.warmups,
      byType,
      peakRssBytes: await stack.lambda.peakRssBytes(),
      invocations: 1 + options.warmups + stores.length * REQUEST_TYPES.length,
      functionEnv: stack.env,
    };
  } finally {
    await stack?.close().catch(() => undefined);
    await bucketProxy.close();
  }
}

/** Sends one request with its ResponseURL through the proxy; times the delivery. */
function sender(stack: LocalStack, bucketProxy: CountingProxy, options: WarmLatencyOptions) {
  const bucketPort = new URL(stack.bucket.endpoint).port;
  const total = 1 + options.warmups + options.events * REQUEST_TYPES.length;
  let done = 0;
  return async (
    type: RequestType,
    storeId: string,
    physicalId?: string,
  ): Promise<Answered & { deliveredMs: number }> => {
    const event = await stack.event(requestFor(type, storeId, physicalId));
    const viaProxy = String(event.ResponseURL).replace(
      `127.0.0.1:${bucketPort}/`,
      `127.0.0.1:${bucketProxy.port}/`,
    );
    const before = bucketProxy.requests.length;
    const started = performance.now();
    const answered = await invokeExpectingSuccess(stack, { ...event, ResponseURL: viaProxy });
    const put = bucketProxy.requests.slice(before).find((r) => r.method === 'PUT');
    if (put === undefined) throw new Error(`${type}: no response PUT reached the bucket`);
    done += 1;
    if (done % 100 === 0) options.onProgress?.(done, total);
    return { ...answered, deliveredMs: put.answeredAt - started };
  };
}
