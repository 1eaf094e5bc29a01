/**
 * The warm run: the bundle in the Lambda-like child on the local stack (`local/local-stack.ts`),
 * one identity source per policy store — N Creates in N fresh stores, then an Update and a
 * Delete of each — with the network calls of every request as the stand-ins recorded them, the
 * latency until the response was delivered, the child's CPU time and its peak RSS.
 *
 * *Delivered* is when the bucket had its answer to the response PUT ready, counted from just
 * before the event was handed to the child. The invocation's own duration (until the handler
 * returned, which includes any work after the PUT) is reported beside it.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { type Exchange, startLocalStack } from '../../local/local-stack.js';
import { type Summary, summarize } from './stats.js';

export const REQUEST_TYPES = ['Create', 'Update', 'Delete'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** One request's calls, as `DynamoDB PutItem (create-journal)`, `S3 PUT`, … in order. */
export type CallSequence = readonly string[];

/** Latency and calls of one request type. */
export interface TypeResult {
  readonly type: RequestType;
  readonly deliveredMs: Summary;
  readonly invocationMs: Summary;
  /** The child's CPU time per invocation (user + system), ms; undefined off Linux. */
  readonly cpuMs: number | undefined;
  /** The calls of the first request, and whether every other one made the same. */
  readonly calls: CallSequence;
  readonly sameCallsEveryTime: boolean;
}

export interface WarmRun {
  /** The child's `NODE_OPTIONS`. */
  readonly nodeOptions: string;
  /** The import in the child (its "Init Duration"), ms. */
  readonly initMs: number;
  /** The first invocation after the import (a Create). */
  readonly first: { readonly deliveredMs: number; readonly calls: CallSequence };
  readonly byType: readonly TypeResult[];
  readonly peakRssBytes: number;
  readonly invocations: number;
  /** The function's environment (as the local stack set it). */
  readonly functionEnv: Readonly<Record<string, string>>;
}

export interface WarmRunOptions {
  readonly events: number;
  /** Creates after the first invocation and before the measured ones, not counted. */
  readonly warmups: number;
  /** Lambda's heap limits for this memory size are added to the template's `NODE_OPTIONS`. */
  readonly memoryMb: number;
  readonly env: Readonly<Record<string, string>>;
  readonly onProgress?: (done: number, total: number) => void;
}

/** `--max-semi-space-size` and `--max-old-space-size` as Lambda's Node.js bootstrap sets them. */
function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

/** Runs the scenario on a fresh local stack. */
export async function measureWarmRun(
  templateNodeOptions: string,
  options: WarmRunOptions,
): Promise<WarmRun> {
  const nodeOptions = [templateNodeOptions, ...lambdaHeapFlags(options.memoryMb)]
    .filter((flag) => flag !== '')
    .join(' ');
  const stack = await startLocalStack({
    env: {
      ...options.env,
      NODE_OPTIONS: nodeOptions,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
    },
  });
  try {
    const total = 1 + options.warmups + options.events * REQUEST_TYPES.length;
    let done = 0;
    const send = async (type: RequestType, storeId: string, physicalId?: string) => {
      const exchange = await stack.send(requestFor(type, storeId, physicalId));
      if (exchange.response?.Status !== 'SUCCESS' || exchange.invocation.error) {
        const why = exchange.invocation.error?.errorMessage ?? exchange.response?.Reason;
        throw new Error(`${type} did not succeed: ${why}\n${exchange.invocation.logs.join('\n')}`);
      }
      done += 1;
      if (done % 100 === 0) options.onProgress?.(done, total);
      return { exchange, deliveredMs: deliveredMs(exchange, type) };
    };
    const first = await send('Create', stack.verifiedPermissions.addPolicyStore());
    for (let i = 0; i < options.warmups; i++) {
      await send('Create', stack.verifiedPermissions.addPolicyStore());
    }
    const stores = Array.from({ length: options.events }, () =>
      stack.verifiedPermissions.addPolicyStore(),
    );
    const physicalIds: string[] = [];
    const byType: TypeResult[] = [];
    for (const type of REQUEST_TYPES) {
      const delivered: number[] = [];
      const invocations: number[] = [];
      const sequences: string[] = [];
      const cpuBefore = cpuTimeMs(stack.lambda.pid);
      for (const [index, storeId] of stores.entries()) {
        const sent = await send(type, storeId, physicalIds[index]);
        if (sent.exchange.invocation.coldStart) throw new Error('the function restarted');
        delivered.push(sent.deliveredMs);
        invocations.push(sent.exchange.invocation.durationMs);
        sequences.push(JSON.stringify(callSequence(sent.exchange)));
        if (type === 'Create') physicalIds.push(String(sent.exchange.response?.PhysicalResourceId));
      }
      const cpuAfter = cpuTimeMs(stack.lambda.pid);
      byType.push({
        type,
        deliveredMs: summarize(delivered),
        invocationMs: summarize(invocations),
        cpuMs:
          cpuBefore === undefined || cpuAfter === undefined
            ? undefined
            : (cpuAfter - cpuBefore) / stores.length,
        calls: JSON.parse(sequences[0] ?? '[]') as string[],
        sameCallsEveryTime: sequences.every((s) => s === sequences[0]),
      });
    }
    return {
      nodeOptions,
      initMs: stack.lambda.coldStartMs,
      first: { deliveredMs: first.deliveredMs, calls: callSequence(first.exchange) },
      byType,
      peakRssBytes: await stack.lambda.peakRssBytes(),
      invocations: done,
      functionEnv: stack.env,
    };
  } finally {
    await stack.close();
  }
}

/** Event handed over → the bucket's answer to the response PUT was ready, ms. */
function deliveredMs(exchange: Exchange, type: RequestType): number {
  const put = exchange.networkCalls.find(
    (call) => call.service === 'S3' && call.operation === 'PUT',
  );
  if (put?.answeredAt === undefined) throw new Error(`${type}: no response PUT reached the bucket`);
  return put.answeredAt - exchange.sentAt;
}

/**
 * The calls in order; a DynamoDB call names the record it touched by the item `id` up to its
 * first `#` (Powertools idempotency records start with the function name, the create journal's
 * with `create-journal`).
 */
function callSequence(exchange: Exchange): CallSequence {
  return exchange.networkCalls.map((call) => {
    const record = call.itemId === undefined ? '' : ` (${call.itemId.split('#')[0]})`;
    return `${call.service} ${call.operation}${record}`;
  });
}

/** User + system CPU time of a process from `/proc/<pid>/stat` (Linux; 10 ms ticks), ms. */
function cpuTimeMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const USER_POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';

function properties(storeId: string, clientIds: string[]): Record<string, unknown> {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    PolicyStoreId: storeId,
    Configuration: {
      CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, ClientIds: clientIds },
    },
    PrincipalEntityType: 'MyApp::User',
  };
}

/** A Cognito source created, updated (another client id) and deleted, as CloudFormation sends it. */
function requestFor(type: RequestType, storeId: string, physicalId?: string) {
  const created = properties(storeId, ['client-a']);
  const updated = properties(storeId, ['client-a', 'client-b']);
  const LogicalResourceId = 'IdentitySource';
  if (type === 'Create')
    return { RequestType: type, LogicalResourceId, ResourceProperties: created };
  return {
    RequestType: type,
    LogicalResourceId,
    ...(physicalId !== undefined && { PhysicalResourceId: physicalId }),
    ResourceProperties: updated,
    ...(type === 'Update' && { OldResourceProperties: created }),
  };
}
