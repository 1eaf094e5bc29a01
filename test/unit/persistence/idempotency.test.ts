import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDb } from '../../../local/dynamodb.js';
import type { ResourceOutcome } from '../../../src/cloudformation/response-body.js';
import { idempotencyGuard } from '../../../src/persistence/idempotency.js';
import { silentLog } from '../../fixtures/log.js';
import { cognitoProperties, createRequest } from '../../fixtures/requests.js';

let dynamo: DynamoDbLocal;
beforeAll(async () => {
  dynamo = await startDynamoDb();
});
afterAll(() => dynamo.stop());

const context = { getRemainingTimeInMillis: () => 30_000 };

function guard(log = silentLog()) {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynamo.endpoint,
    credentials: dynamo.credentials,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1_000 },
  });
  return { guard: idempotencyGuard({ tableName: dynamo.tableName, log, client }), log };
}

function counter(outcome: ResourceOutcome) {
  let calls = 0;
  return {
    compute: async () => {
      calls += 1;
      return outcome;
    },
    calls: () => calls,
  };
}

const success: ResourceOutcome = {
  status: 'SUCCESS',
  physicalResourceId: 'IS1',
  data: { IdentitySourceId: 'IS1' },
};

describe('idempotencyGuard on DynamoDB (dynalite)', () => {
  it('computes once and replays the stored outcome on a repeated delivery', async () => {
    const { guard: g } = guard();
    const request = createRequest(cognitoProperties());
    const work = counter(success);
    expect(await g.run(request, context, work.compute)).toEqual({
      kind: 'computed',
      outcome: success,
    });
    expect(await g.run(request, context, work.compute)).toEqual({
      kind: 'replayed',
      outcome: success,
    });
    // a fresh guard (a new process) sees the same record
    expect(await guard().guard.run(request, context, work.compute)).toEqual({
      kind: 'replayed',
      outcome: success,
    });
    expect(work.calls()).toBe(1);
  });

  it('keys on StackId + RequestId + LogicalResourceId', async () => {
    const { guard: g } = guard();
    const request = createRequest(cognitoProperties());
    const work = counter(success);
    await g.run(request, context, work.compute);
    await g.run({ ...request, logicalResourceId: 'Other' }, context, work.compute);
    await g.run({ ...request, stackId: `${request.stackId}-2` }, context, work.compute);
    expect(work.calls()).toBe(3);
  });

  it('tells a concurrent duplicate that the first is still running', async () => {
    const { guard: g } = guard();
    const request = createRequest(cognitoProperties());
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const slow = async () => {
      calls += 1;
      await held;
      return success;
    };
    const first = g.run(request, context, slow);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await guard().guard.run(request, context, slow)).toEqual({ kind: 'in-progress' });
    release();
    expect(await first).toEqual({ kind: 'computed', outcome: success });
    expect(calls).toBe(1);
  });

  it('runs without records, with a warning, when the table is unreachable', async () => {
    const { guard: g, log } = guard();
    dynamo.setDown(true);
    try {
      const work = counter(success);
      expect(await g.run(createRequest(cognitoProperties()), context, work.compute)).toEqual({
        kind: 'unguarded',
        outcome: success,
      });
      expect(work.calls()).toBe(1);
      expect(log.lines.some((l) => l.level === 'WARN' && /unreachable/.test(l.message))).toBe(true);
    } finally {
      dynamo.setDown(false);
    }
  });

  it('answers with the computed outcome, without computing again, when the record cannot be saved', async () => {
    const { guard: g, log } = guard();
    let calls = 0;
    const failingSave = async () => {
      calls += 1;
      dynamo.setDown(true);
      return success;
    };
    try {
      expect(await g.run(createRequest(cognitoProperties()), context, failingSave)).toEqual({
        kind: 'computed',
        outcome: success,
      });
    } finally {
      dynamo.setDown(false);
    }
    expect(calls).toBe(1);
    expect(log.lines.some((l) => l.level === 'WARN' && /could not be saved/.test(l.message))).toBe(
      true,
    );
  });

  it('never stores a FAILED outcome: the same request runs again, then its SUCCESS is kept', async () => {
    const { guard: g } = guard();
    const request = createRequest(cognitoProperties());
    const failed: ResourceOutcome = {
      status: 'FAILED',
      physicalResourceId: `NotCreated:${request.requestId}`,
      reason: 'ThrottlingException until the deadline',
    };
    const failing = counter(failed);
    expect(await g.run(request, context, failing.compute)).toEqual({
      kind: 'computed',
      outcome: failed,
    });
    expect(await g.run(request, context, failing.compute)).toEqual({
      kind: 'computed',
      outcome: failed,
    });
    expect(failing.calls()).toBe(2);
    const succeeding = counter(success);
    expect(await g.run(request, context, succeeding.compute)).toMatchObject({ kind: 'computed' });
    expect(await g.run(request, context, succeeding.compute)).toMatchObject({ kind: 'replayed' });
    expect(succeeding.calls()).toBe(1);
  });

  it('lets each of concurrent invocations leave a record that expires with its own invocation', async () => {
    const { guard: g } = guard();
    const held: (() => void)[] = [];
    const hold = async () => {
      await new Promise<void>((resolve) => held.push(resolve));
      return success;
    };
    const inProgressItems = async () => {
      const { Items = [] } = await dynamo.client.send(
        new ScanCommand({ TableName: dynamo.tableName }),
      );
      return Items.filter((item) => item.status?.S === 'INPROGRESS');
    };
    // Started one after the other, all three running at once in this one process.
    const remaining = [5_000, 600_000, 60_000];
    const runs: Promise<unknown>[] = [];
    const expiresIn: number[] = [];
    const seen = new Set((await inProgressItems()).map((item) => item.id?.S ?? ''));
    for (const ms of remaining) {
      const started = Date.now();
      runs.push(
        g.run(createRequest(cognitoProperties()), { getRemainingTimeInMillis: () => ms }, hold),
      );
      while (held.length < runs.length) await new Promise((r) => setTimeout(r, 10));
      const fresh = (await inProgressItems()).filter((item) => !seen.has(item.id?.S ?? ''));
      expect(fresh).toHaveLength(1);
      seen.add(fresh[0]?.id?.S ?? '');
      expiresIn.push(Number(fresh[0]?.in_progress_expiration?.N) - started);
    }
    for (const [i, ms] of remaining.entries()) {
      expect(expiresIn[i], `invocation ${i}`).toBeGreaterThanOrEqual(ms);
      expect(expiresIn[i], `invocation ${i}`).toBeLessThan(ms + 2_000);
    }
    for (const release of held) release();
    expect(await Promise.all(runs)).toEqual(
      remaining.map(() => ({ kind: 'computed', outcome: success })),
    );
  });

  it('works without a table name, unguarded', async () => {
    const log = silentLog();
    const g = idempotencyGuard({ tableName: undefined, log });
    const work = counter(success);
    expect(await g.run(createRequest(cognitoProperties()), context, work.compute)).toEqual({
      kind: 'unguarded',
      outcome: success,
    });
  });
});
