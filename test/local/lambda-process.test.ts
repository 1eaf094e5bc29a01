import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type InvokeResult,
  type LambdaProcess,
  startLambdaProcess,
} from '../../local/lambda-process.js';

const ECHO_HANDLER = fileURLToPath(new URL('./fixtures/echo-handler.mjs', import.meta.url));

let lambda: LambdaProcess | undefined;

afterEach(async () => {
  await lambda?.close();
  lambda = undefined;
});

function start(
  env: Record<string, string> = {},
  options: { maxConcurrency?: number; workerCount?: number } = {},
) {
  return startLambdaProcess({
    bundlePath: ECHO_HANDLER,
    functionName: 'echo',
    env: { AWS_REGION: 'eu-west-1', CUSTOM: 'yes', ...env },
    ...options,
  });
}

/** What the echo handler reports of itself. */
interface Echo {
  echo: string;
  startedAt: number;
  endedAt: number;
  pid: number;
  invokeStore?: { global: string; copy: string };
  env: { AWS_LAMBDA_MAX_CONCURRENCY?: string };
}
const echoed = (result: InvokeResult) => result.result as Echo;

/**
 * The message of a captured line: the runtime client's `console` lines are
 * `<time>\t<request id>\t<level>\t<message>` (TEXT format) or JSON with `requestId` and `message`
 * (Managed Instances, or `AWS_LAMBDA_LOG_FORMAT=JSON`); direct writes to a stream are as written.
 */
function messageOf(line: string): string {
  if (line.startsWith('{')) return (JSON.parse(line) as { message: string }).message;
  const fields = line.split('\t');
  return fields.length >= 4 ? fields.slice(3).join('\t') : line;
}
const messages = (lines: readonly string[]) => lines.map(messageOf);

describe('Lambda process', () => {
  it('imports the module once and returns what the handler returns', async () => {
    const previous = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = 'AKID-FROM-THE-TEST-RUNNER';
    try {
      lambda = await start();
    } finally {
      if (previous === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = previous;
    }
    expect(lambda.coldStartMs).toBeGreaterThan(0);
    expect(messages(lambda.initLogs)).toEqual(['init: echo handler loading']);
    expect(lambda.pid).toEqual(expect.any(Number));
    expect(lambda.pid).not.toBe(process.pid);

    const first = await lambda.invoke({ echo: 'hello' }, { timeoutMs: 5_000 });
    expect(first).toMatchObject({
      result: {
        echo: 'hello',
        invocations: 1,
        context: {
          awsRequestId: first.requestId,
          functionName: 'echo',
          functionVersion: '$LATEST',
          invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:echo',
          memoryLimitInMB: '128',
          logGroupName: '/aws/lambda/echo',
          logStreamName: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
        },
        env: {
          AWS_REGION: 'eu-west-1',
          AWS_LAMBDA_FUNCTION_NAME: 'echo',
          CUSTOM: 'yes',
          HAS_PATH: true,
        },
      },
      timedOut: false,
      coldStart: false,
    });
    expect(first.error).toBeUndefined();
    expect((first.result as { env: object }).env).not.toHaveProperty('AWS_ACCESS_KEY_ID');

    const second = await lambda.invoke({ echo: 'again' });
    expect(second.result).toMatchObject({ echo: 'again', invocations: 2 });
    expect(second.requestId).not.toBe(first.requestId);
  });

  it('attributes stdout and stderr lines to the invocation that wrote them', async () => {
    lambda = await start();
    const one = await lambda.invoke({ log: ['one: a', 'one: b'], warn: ['one: warning'] });
    const two = await lambda.invoke({
      log: ['two: a'],
      background: 'late line from one-off timer',
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const three = await lambda.invoke({ log: ['three: a'] });
    expect(messages(one.logs)).toEqual(['one: a', 'one: b', 'one: warning']);
    expect(messages(two.logs)).toEqual(['two: a']);
    // written after invocation two had answered: shows up with the next one, as in Lambda
    expect(messages(three.logs)).toEqual(['late line from one-off timer', 'three: a']);
  });

  it('counts the remaining time down from the timeout', async () => {
    lambda = await start();
    const { result, durationMs } = await lambda.invoke({ sleepMs: 200 }, { timeoutMs: 3_000 });
    const { remainingAtStart, remainingAtEnd } = result as {
      remainingAtStart: number;
      remainingAtEnd: number;
    };
    expect(remainingAtStart).toBeLessThanOrEqual(3_000);
    expect(remainingAtStart).toBeGreaterThan(2_500);
    expect(remainingAtStart - remainingAtEnd).toBeGreaterThanOrEqual(190);
    expect(durationMs).toBeGreaterThanOrEqual(190);
  });

  it('reports a thrown error the way Lambda does', async () => {
    lambda = await start();
    const failed = await lambda.invoke({ fail: 'bad input' });
    expect(failed.result).toBeNull();
    expect(failed.error).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
    expect(failed.timedOut).toBe(false);
    // the process survives a handler error
    expect((await lambda.invoke({})).result).toMatchObject({ invocations: 2 });
  });

  it('times out, kills the process, and starts cold on the next invocation', async () => {
    lambda = await start();
    const firstPid = lambda.pid;
    const slow = await lambda.invoke(
      { log: ['before the timeout'], sleepMs: 5_000 },
      { timeoutMs: 300 },
    );
    expect(slow.timedOut).toBe(true);
    expect(slow.error?.errorType).toBe('Sandbox.Timedout');
    expect(messages(slow.logs)).toEqual(['before the timeout']);
    expect(slow.durationMs).toBeGreaterThanOrEqual(290);
    expect(slow.durationMs).toBeLessThan(2_000);
    expect(lambda.pid).toBeUndefined();

    const next = await lambda.invoke({ echo: 'fresh' });
    expect(next.coldStart).toBe(true);
    expect(next.initDurationMs).toBeGreaterThan(0);
    expect(next.result).toMatchObject({ echo: 'fresh', invocations: 1 });
    expect(lambda.pid).toEqual(expect.any(Number));
    expect(lambda.pid).not.toBe(firstPid);
    expect(messages(lambda.initLogs)).toEqual(['init: echo handler loading']);
  });

  it('reports a crash (the runtime client lets the process exit) and restarts cold', async () => {
    lambda = await start();
    const crashed = await lambda.invoke({ crash: 'boom', sleepMs: 1_000 });
    expect(crashed.error).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${crashed.requestId} Error: Runtime exited with error: exit status 1`,
    });
    expect(crashed.logs.join('\n')).toContain('Error: boom');
    expect(crashed.timedOut).toBe(false);
    expect((await lambda.invoke({})).coldStart).toBe(true);
  });

  it('runs invocations one at a time, without AWS_LAMBDA_MAX_CONCURRENCY, each in its invoke-store context', async () => {
    lambda = await start();
    const [a, b] = await Promise.all([
      lambda.invoke({ echo: 'a', sleepMs: 100 }),
      lambda.invoke({ echo: 'b' }),
    ]);
    expect(a.result).toMatchObject({ echo: 'a', invocations: 1 });
    expect(b.result).toMatchObject({ echo: 'b', invocations: 2 });
    expect(echoed(b).startedAt).toBeGreaterThanOrEqual(echoed(a).endedAt);
    for (const one of [a, b]) {
      expect(echoed(one).env).not.toHaveProperty('AWS_LAMBDA_MAX_CONCURRENCY');
      expect(echoed(one).invokeStore).toEqual({ global: one.requestId, copy: one.requestId });
    }
  });

  it('ends a running invocation when closed', async () => {
    lambda = await start();
    const running = lambda.invoke({ sleepMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await lambda.close();
    await expect(running).resolves.toMatchObject({
      timedOut: false,
      error: { errorType: 'Runtime.ExitError' },
    });
    await expect(lambda.invoke({})).rejects.toThrow(/closed/);
  });

  it('reports the peak resident set size', async () => {
    lambda = await start();
    const peak = await lambda.peakRssBytes();
    expect(peak).toBeGreaterThan(10 * 1024 * 1024);
    expect(peak).toBeLessThan(4 * 1024 * 1024 * 1024);
  });

  it('fails to start when the module has no such handler', async () => {
    await expect(
      startLambdaProcess({ bundlePath: ECHO_HANDLER, handlerName: 'nope', env: {} }),
    ).rejects.toThrow(/Runtime.HandlerNotFound/);
  });
});

describe('Lambda process with maxConcurrency (Lambda Managed Instances)', () => {
  it('runs up to N invocations at once in one process, each in its own invoke-store context', async () => {
    lambda = await start({}, { maxConcurrency: 3 });
    const pid = lambda.pid;
    const invocations = await Promise.all(
      ['a', 'b', 'c', 'd'].map((echo) =>
        lambda!.invoke({
          echo,
          log: [`${echo}: before`],
          logAfter: [`${echo}: after`],
          sleepMs: 300,
        }),
      ),
    );
    const [a, b, c, d] = invocations.map(echoed) as [Echo, Echo, Echo, Echo];
    // the first three overlap; the fourth waits for a free slot
    const firstEnd = Math.min(a.endedAt, b.endedAt, c.endedAt);
    expect(Math.max(a.startedAt, b.startedAt, c.startedAt)).toBeLessThan(firstEnd);
    expect(d.startedAt).toBeGreaterThanOrEqual(firstEnd);
    for (const [i, invocation] of invocations.entries()) {
      const { echo, env, invokeStore } = echoed(invocation);
      expect(invocation.error).toBeUndefined();
      expect(echoed(invocation).pid).toBe(pid);
      expect(env.AWS_LAMBDA_MAX_CONCURRENCY).toBe('3');
      // its own request id, after the others ran in between, through either copy of the package
      expect(invokeStore).toEqual({ global: invocation.requestId, copy: invocation.requestId });
      expect(messages(invocation.logs)).toEqual([`${echo}: before`, `${echo}: after`]);
      expect(invocation.coldStart).toBe(false);
      expect(echo).toBe(['a', 'b', 'c', 'd'][i]);
    }
  });

  it('a timed-out invocation stops neither the others nor the process; its time left goes negative', async () => {
    lambda = await start({}, { maxConcurrency: 2 });
    const pid = lambda.pid;
    const [slow, quick] = await Promise.all([
      lambda.invoke({ echo: 'slow', sleepMs: 500, logRemaining: true }, { timeoutMs: 100 }),
      lambda.invoke({ echo: 'quick', sleepMs: 200 }, { timeoutMs: 5_000 }),
    ]);
    expect(slow).toMatchObject({ timedOut: true, error: { errorType: 'Sandbox.Timedout' } });
    expect(quick).toMatchObject({ timedOut: false, result: { echo: 'quick' } });
    expect(lambda.pid).toBe(pid);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const next = await lambda.invoke({ echo: 'next' });
    expect(next.coldStart).toBe(false);
    expect(echoed(next).pid).toBe(pid);
    // the slow one ran on and wrote after it had timed out: reported with the next invocation
    expect(messages(next.logs)).toEqual([expect.stringMatching(/^remaining -\d+$/)]);
  });

  it('a crash ends every running invocation; the next one starts cold', async () => {
    lambda = await start({}, { maxConcurrency: 2 });
    const [running, crashing] = await Promise.all([
      lambda.invoke({ echo: 'running', sleepMs: 2_000 }),
      lambda.invoke({ crash: 'boom', sleepMs: 1_000 }),
    ]);
    for (const ended of [running, crashing]) {
      expect(ended).toMatchObject({ timedOut: false, error: { errorType: 'Runtime.ExitError' } });
    }
    // (the client's main thread reports a dead worker nowhere)
    const next = await lambda.invoke({ echo: 'after' });
    expect(next).toMatchObject({ coldStart: true, result: { echo: 'after', invocations: 1 } });
  });

  it('several worker threads share the invocations; a dead one breaks the environment', async () => {
    lambda = await start({}, { maxConcurrency: 4, workerCount: 2 });
    const [a, b] = await Promise.all([
      lambda.invoke({ echo: 'a', sleepMs: 300, readFile: true }),
      lambda.invoke({ echo: 'b', sleepMs: 300, readFile: true }),
    ]);
    expect([a.result, b.result]).toMatchObject([{ echo: 'a' }, { echo: 'b' }]);
    const crashed = await lambda.invoke({ crash: 'boom', sleepMs: 5_000 }, { timeoutMs: 20_000 });
    expect(crashed).toMatchObject({ timedOut: false, error: { errorType: 'Runtime.ExitError' } });
    expect((await lambda.invoke({ echo: 'after' })).coldStart).toBe(true);
  });

  // Why this mode polls with the client's JavaScript poller (see lambda-process.ts): the native one
  // parks each worker's poll on a thread of libuv's pool (4 by default), so with 4 workers a file
  // read of a running invocation waits until another invocation frees a thread.
  it("with the client's native poller and 4 workers, a file read stalls until an invocation frees a pool thread", async () => {
    lambda = await start(
      { AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1: 'false' },
      { maxConcurrency: 4, workerCount: 4 },
    );
    // let every worker load the handler and park its poll
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    let answered = false;
    const reading = lambda.invoke({ echo: 'reads', readFile: true }).then((result) => {
      answered = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(answered).toBe(false);
    await lambda.close();
    expect((await reading).error?.errorType).toBe('Runtime.ExitError');
  });

  it('refuses a maxConcurrency that is not a positive integer', async () => {
    await expect(start({}, { maxConcurrency: 0 })).rejects.toThrow(/positive integer/);
  });
});
