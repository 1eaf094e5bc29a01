import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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

function guard(log = silentLog(), sleep?: (ms: number) => Promise<void>) {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynamo.endpoint,
    credentials: dynamo.credentials,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1_000 },
  });
  return {
    guard: idempotencyGuard({
      tableName: dynamo.tableName,
      log,
      client,
      ...(sleep !== undefined && { sleep }),
    }),
    log,
  };
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

  describe('a duplicate that waits for the invocation holding the request', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    /** A holder that runs until released. */
    function holder() {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let calls = 0;
      return {
        compute: async () => {
          calls += 1;
          await held;
          return success;
        },
        release: () => release(),
        calls: () => calls,
      };
    }
    /** The holder runs its work only once its in-progress record is saved. */
    const started = async (running: { calls: () => number }) => {
      for (let i = 0; i < 500 && running.calls() === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(running.calls()).toBe(1);
    };

    it('re-sends the outcome once the holder completes, computing nothing', async () => {
      const request = createRequest(cognitoProperties());
      const first = holder();
      const running = guard().guard.run(request, context, first.compute);
      await started(first);
      const waits: number[] = [];
      const log = silentLog();
      const duplicate = counter(success);
      const { guard: g } = guard(log, async (ms) => {
        waits.push(ms);
        first.release();
        await running;
      });
      const result = await g.run(request, context, duplicate.compute, {
        waitUntil: Date.now() + 60_000,
      });
      expect(result).toEqual({ kind: 'replayed', outcome: success });
      expect(duplicate.calls()).toBe(0);
      expect(first.calls()).toBe(1);
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(2_000);
      expect(waits[0]).toBeLessThanOrEqual(5_000);
      expect(log.lines.map((l) => l.message)).toContain(
        'The same request is in progress in another invocation: waiting for it to end',
      );
    });

    it('takes the request over once the holder’s in-progress time has passed (the holder is gone)', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const request = createRequest(cognitoProperties());
      const gone = holder();
      // The holder's invocation had 10 s left: its record is in progress for that long.
      void guard().guard.run(request, { getRemainingTimeInMillis: () => 10_000 }, gone.compute);
      await started(gone);
      const waits: number[] = [];
      const duplicate = counter(success);
      const { guard: g } = guard(silentLog(), async (ms) => {
        waits.push(ms);
        vi.setSystemTime(Date.now() + ms);
      });
      const result = await g.run(request, context, duplicate.compute, {
        waitUntil: Date.now() + 60_000,
      });
      expect(result).toEqual({ kind: 'computed', outcome: success });
      expect(duplicate.calls()).toBe(1);
      // It waited until the holder's time was up, and not much longer.
      const waited = waits.reduce((a, b) => a + b, 0);
      expect(waited).toBeGreaterThanOrEqual(10_000);
      expect(waited).toBeLessThan(10_000 + 5_000 + 1_000);
      gone.release();
    });

    it('gives up, still in progress, when its own time to wait ends first', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const request = createRequest(cognitoProperties());
      const busy = holder();
      void guard().guard.run(request, { getRemainingTimeInMillis: () => 600_000 }, busy.compute);
      await started(busy);
      const waits: number[] = [];
      const duplicate = counter(success);
      const { guard: g } = guard(silentLog(), async (ms) => {
        waits.push(ms);
        vi.setSystemTime(Date.now() + ms);
      });
      const begun = Date.now();
      const result = await g.run(request, context, duplicate.compute, {
        waitUntil: begun + 20_000,
      });
      expect(result).toEqual({ kind: 'in-progress' });
      expect(duplicate.calls()).toBe(0);
      expect(waits.length).toBeGreaterThanOrEqual(3);
      expect(Date.now()).toBeLessThan(begun + 20_000);
      busy.release();
    });
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
