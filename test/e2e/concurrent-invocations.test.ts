/**
 * Many invocations in one execution environment, as Lambda Managed Instances run them: the
 * bundle in ONE Lambda-like process with `AWS_LAMBDA_MAX_CONCURRENCY` set, each invocation
 * inside its own `@aws/lambda-invoke-store` context. Concurrent Creates with very different
 * remaining times each answer correctly, log under their own keys only, and leave in-progress
 * idempotency records (dynalite) that expire with their own invocation; each keeps its own
 * deadline.
 */
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { InvokeResult } from '../../local/lambda-process.js';
import type { LocalStack } from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { useLocalStack } from '../support/local-stack-hooks.js';

let stack: LocalStack;
useLocalStack(
  (started) => {
    stack = started;
  },
  { maxConcurrency: 8 },
);

type Item = Record<string, AttributeValue>;

/** The idempotency records in progress now. */
async function inProgress(): Promise<Item[]> {
  const dynamo = stack.dynamo!;
  const { Items = [] } = await dynamo.client.send(new ScanCommand({ TableName: dynamo.tableName }));
  return Items.filter((item) => item.status?.S === 'INPROGRESS');
}

/** The one in-progress record that is not among `known`, once it is there. */
async function newRecord(known: ReadonlySet<string>): Promise<Item> {
  for (let polls = 0; polls < 500; polls++) {
    const fresh = (await inProgress()).filter((item) => !known.has(item.id?.S ?? ''));
    if (fresh.length > 0) {
      expect(fresh).toHaveLength(1);
      return fresh[0] as Item;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no new in-progress record appeared');
}

/** A Create of its own store, started now with `timeoutMs` to live; not awaited. */
async function startCreate(logicalId: string, timeoutMs: number) {
  const store = stack.verifiedPermissions.addPolicyStore();
  const event = await stack.event({
    RequestType: 'Create',
    LogicalResourceId: logicalId,
    ResourceProperties: { ...cognitoProperties(), PolicyStoreId: store },
  });
  const sentAt = Date.now();
  const invocation = stack.lambda.invoke(event, { timeoutMs });
  return { store, event, sentAt, timeoutMs, invocation };
}

/** The provider's JSON log lines of one invocation. */
const jsonLines = (invocation: InvokeResult) =>
  invocation.logs
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('concurrent invocations in one process (Lambda Managed Instances)', () => {
  it('10 s, 60 s and 200 s to live: each answers, logs its own keys, and its record expires with it', async () => {
    const pid = stack.lambda.pid;
    // hold each Create at the service long enough for all three to be running at once
    stack.verifiedPermissions.delayNext('CreateIdentitySource', 4_000, 3);
    const known = new Set((await inProgress()).map((item) => item.id?.S ?? ''));
    const creates = [];
    for (const [logicalId, timeoutMs] of [
      ['Concurrent10s', 10_000],
      ['Concurrent60s', 60_000],
      ['Concurrent200s', 200_000],
    ] as const) {
      const create = await startCreate(logicalId, timeoutMs);
      // the record this invocation put (the earlier ones are still running)
      const record = await newRecord(known);
      known.add(record.id?.S ?? '');
      creates.push({ ...create, recordId: record.id?.S });
    }

    // all three in progress at once, each expiring when its own invocation's time is up
    const running = await inProgress();
    for (const { recordId, sentAt, timeoutMs } of creates) {
      const record = running.find((item) => item.id?.S === recordId);
      expect(record, `${timeoutMs} ms`).toBeDefined();
      const expiresAfterSending = Number(record?.in_progress_expiration?.N) - sentAt;
      expect(expiresAfterSending, `${timeoutMs} ms`).toBeGreaterThanOrEqual(timeoutMs);
      expect(expiresAfterSending, `${timeoutMs} ms`).toBeLessThan(timeoutMs + 2_000);
    }

    const results = await Promise.all(creates.map((c) => c.invocation));
    const ids = new Set<string>();
    for (const [i, { store, event }] of creates.entries()) {
      const invocation = results[i] as InvokeResult;
      const response = await stack.responseTo(event);
      expect(response?.Status, response?.Reason).toBe('SUCCESS');
      expect(response?.RequestId).toBe(event.RequestId);
      const sources = stack.verifiedPermissions
        .identitySources()
        .filter((s) => s.policyStoreId === store);
      expect(sources.map((s) => s.identitySourceId)).toEqual([response?.PhysicalResourceId]);
      ids.add(response?.PhysicalResourceId as string);
      expect(invocation).toMatchObject({ timedOut: false, coldStart: false });

      // every line under this invocation's own keys, none of another's
      const lines = jsonLines(invocation);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const line of lines) {
        expect(line, JSON.stringify(line)).toMatchObject({
          RequestId: event.RequestId,
          LogicalResourceId: event.LogicalResourceId,
          StackId: stack.stackId,
          RequestType: 'Create',
          function_request_id: invocation.requestId,
        });
      }
      const others = creates
        .filter((c) => c.event !== event)
        .map((c) => c.event.RequestId as string);
      expect(invocation.logs.filter((l) => others.some((id) => l.includes(id)))).toEqual([]);
    }
    expect(ids.size).toBe(3);
    expect(stack.lambda.pid).toBe(pid);
    expect(await inProgress()).toEqual([]);
  });

  it('each keeps its own deadline: the short one answers FAILED in its time, the long one SUCCESS', async () => {
    // both Creates take 6 s at the service: longer than the short invocation's 4 s
    stack.verifiedPermissions.delayNext('CreateIdentitySource', 6_000, 2);
    const short = await startCreate('ConcurrentShort', 4_000);
    const long = await startCreate('ConcurrentLong', 60_000);
    const [shortRun, longRun] = await Promise.all([short.invocation, long.invocation]);

    const shortAnswer = await stack.responseTo(short.event);
    expect(shortAnswer?.Status).toBe('FAILED');
    expect(shortAnswer?.Reason).toMatch(/timed out|gave up/);
    // answered before its own time was up (the process marks a late invocation timed out)
    expect(shortRun.timedOut).toBe(false);
    expect(shortRun.durationMs).toBeLessThan(short.timeoutMs);
    const longAnswer = await stack.responseTo(long.event);
    expect(longAnswer?.Status, longAnswer?.Reason).toBe('SUCCESS');
    expect(longRun.durationMs).toBeGreaterThanOrEqual(6_000);

    // the short one's source, made late at the service, is no orphan: its Delete removes it
    const cleanup = await stack.send({
      RequestType: 'Delete',
      LogicalResourceId: 'ConcurrentShort',
      PhysicalResourceId: shortAnswer?.PhysicalResourceId as string,
      ResourceProperties: short.event.ResourceProperties as Record<string, unknown>,
    });
    expect(cleanup.response?.Status).toBe('SUCCESS');
    expect(
      stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === short.store),
    ).toEqual([]);
    expect(
      stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === long.store),
    ).toHaveLength(1);
  });
});
