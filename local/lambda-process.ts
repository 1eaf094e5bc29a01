/**
 * Runs a Lambda handler module (by default the built bundle `dist/handler.mjs`) the way Lambda runs
 * it, for end-to-end tests, benchmarks and `npm start`: under AWS's runtime interface client
 * (`aws-lambda-ric`, the code that loads handlers inside Lambda's Node.js runtime) in a child
 * process of this Node, polling a Runtime API stand-in of our own (`runtime-api.ts`).
 *
 * - one cold start when the process starts ({@link LambdaProcess.coldStartMs}: from spawn to the
 *   client's first poll, what Lambda reports as "Init Duration");
 * - invocations one at a time, each with the client's own context (`awsRequestId`,
 *   `invokedFunctionArn`, `getRemainingTimeInMillis()` counting down to the invocation's deadline,
 *   the function's name, version, memory size and log stream from the environment);
 * - stdout/stderr captured per invocation, as the client writes them (its `console` lines carry the
 *   request id; lines written between invocations are reported with the next one, as Lambda's logs
 *   show them);
 * - around the client, what Lambda does and the client cannot: an invocation that outlives its
 *   timeout is reported as timed out and the process is killed; the next invocation starts a new
 *   process (cold again). A crash (the client does not catch uncaught exceptions: the process exits)
 *   does the same, reported as `Runtime.ExitError`.
 *
 * With {@link LambdaProcessOptions.maxConcurrency} it runs like Lambda Managed Instances:
 * `AWS_LAMBDA_MAX_CONCURRENCY` is set, so the client runs its worker threads
 * (`AWS_LAMBDA_NODEJS_WORKER_COUNT`, here {@link LambdaProcessOptions.workerCount}), each polling
 * and running every invocation it gets inside its own `@aws/lambda-invoke-store` context; the
 * stand-in hands out at most `maxConcurrency` at once, more wait for a free slot. A line is
 * attributed to the running invocation whose request id it carries. An invocation past its timeout
 * is reported as timed out, but neither it nor the process is stopped (Managed Instances do not
 * enforce timeouts), and its remaining time goes negative.
 *
 * Which poller, in that mode: the client's native one (curl, `rapid-client.node`) runs each poll on
 * a thread of libuv's pool, which the whole process shares (4 threads unless `UV_THREADPOOL_SIZE`
 * says otherwise; the client's default is 8 workers per vCPU), and holds it until an invocation
 * comes. With as many polling workers as pool threads, every pool thread waits on a poll, and an
 * invocation already running that needs the pool (a file read, `dns.lookup`, some crypto, zlib)
 * stalls until another invocation arrives. That hold-up is the native client's, not the stand-in's
 * (test/local/lambda-process.test.ts shows it); and a worker that dies leaves its poll parked in
 * the pool, so the process lives on with nobody to run its invocations. The client's JavaScript
 * poller (`AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1=true`: `node:http` on each worker's own event
 * loop) has neither problem, so the Managed Instances mode uses it unless the caller's `env` says
 * otherwise.
 *
 * The child's environment is what the caller passes, on top of a few basics (`PATH`, `HOME`,
 * `TMPDIR`, `LANG`) and the variables Lambda itself sets (`AWS_LAMBDA_FUNCTION_NAME`, …); nothing
 * else of this process's environment (no AWS settings) leaks into it.
 *
 * @module
 */

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { partitionOfRegion } from '../src/partitions.js';
import { type LambdaError, type RuntimeApi, startRuntimeApi } from './runtime-api.js';

export type { LambdaError } from './runtime-api.js';

/** The built bundle, `dist/handler.mjs` at the repository root. */
export const DEFAULT_BUNDLE_PATH = fileURLToPath(new URL('../dist/handler.mjs', import.meta.url));

/** AWS's runtime interface client, the child's entry point. */
const RUNTIME_CLIENT = fileURLToPath(import.meta.resolve('aws-lambda-ric'));

/** Variables of this process's environment the child gets, unless the caller overrides them. */
const INHERITED_BASICS = ['PATH', 'HOME', 'TMPDIR', 'LANG'] as const;

/** Options of {@link startLambdaProcess}. */
export interface LambdaProcessOptions {
  /** The function's environment variables (explicit: nothing AWS-related is inherited). */
  env: Record<string, string>;
  /** The handler module; default {@link DEFAULT_BUNDLE_PATH}. */
  bundlePath?: string;
  /** The exported handler function; default `handler`. */
  handlerName?: string;
  /** Default `identity-source-provider`. */
  functionName?: string;
  /** Reported in `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` (the context's); not enforced. Default 128. */
  memoryLimitInMB?: number;
  /** Node options for the child (e.g. `['--enable-source-maps']`); default none. */
  execArgv?: string[];
  /** Also copy every captured line to this process's stderr (for `npm start`). Default false. */
  echoLogs?: boolean;
  /**
   * Run like Lambda Managed Instances: up to this many invocations at once in the one process
   * (see the module documentation). Default: one at a time, as Lambda (default) runs them.
   */
  maxConcurrency?: number;
  /** With `maxConcurrency`: the client's worker threads (`AWS_LAMBDA_NODEJS_WORKER_COUNT`). Default 1. */
  workerCount?: number;
}

/** Options of {@link LambdaProcess.invoke}. */
export interface InvokeOptions {
  /** The function timeout; default 30 000 ms. */
  timeoutMs?: number;
}

/** The outcome of one invocation. */
export interface InvokeResult {
  /** What the handler returned (JSON round-tripped; `null` for undefined or on error). */
  result: unknown;
  /** Set when the handler threw/rejected, timed out, or the process crashed. */
  error?: LambdaError;
  /** The raw lines written to stdout/stderr during the invocation, in order. */
  logs: string[];
  /** The invocation ran out of time. */
  timedOut: boolean;
  /** Wall time of the invocation (not counting a cold start). */
  durationMs: number;
  /** This invocation started a new process. */
  coldStart: boolean;
  /** On a cold start, the new process's init time (Lambda's "Init Duration"). */
  initDurationMs?: number;
  /** The context's `awsRequestId`. */
  requestId: string;
}

/** A running function; see the module documentation. */
export interface LambdaProcess {
  /** Init time of the current (latest) process, ms: spawn to the client's first poll. */
  readonly coldStartMs: number;
  /** Lines written while the current process started. */
  readonly initLogs: readonly string[];
  /** The current child's pid; undefined after a timeout/crash until the next invocation. */
  readonly pid: number | undefined;
  /** Runs one invocation (waits for earlier ones first, or for a free slot with `maxConcurrency`). */
  invoke(event: unknown, options?: InvokeOptions): Promise<InvokeResult>;
  /** The largest resident set size any of this function's processes reached so far (bytes). */
  peakRssBytes(): Promise<number>;
  /** Kills the process. */
  close(): Promise<void>;
}

type Outcome = Pick<InvokeResult, 'result' | 'error' | 'timedOut'>;

/** One invocation the child is running. */
interface Running {
  readonly logs: string[];
  /** Ends it with this outcome (the first call counts). */
  readonly finish: (outcome: Outcome) => void;
}

/** One child process (one Lambda execution environment) and its Runtime API. */
interface Environment {
  readonly child: ChildProcess;
  readonly api: RuntimeApi;
  readonly exited: Promise<void>;
  alive: boolean;
  /** Lines written outside any invocation, not yet reported. */
  readonly unattributed: string[];
  /** The invocations running, by request id. */
  readonly running: Map<string, Running>;
}

/**
 * Starts the function: spawns the runtime client and waits for its init.
 *
 * @example
 * ```ts
 * const lambda = await startLambdaProcess({ env: { AWS_REGION: 'eu-west-1', ...stack.env } });
 * const { result, logs, timedOut } = await lambda.invoke(event, { timeoutMs: 300_000 });
 * await lambda.close();
 * ```
 *
 * @throws Error when the module cannot be loaded or has no such handler (message includes the
 *   Lambda error type and the lines written while starting).
 */
export async function startLambdaProcess(options: LambdaProcessOptions): Promise<LambdaProcess> {
  const bundlePath = options.bundlePath ?? DEFAULT_BUNDLE_PATH;
  const functionName = options.functionName ?? 'identity-source-provider';
  const region = options.env.AWS_REGION ?? 'us-east-1';
  const { maxConcurrency } = options;
  if (maxConcurrency !== undefined && !(Number.isInteger(maxConcurrency) && maxConcurrency > 0)) {
    throw new Error(`maxConcurrency must be a positive integer (got ${maxConcurrency})`);
  }
  const multiConcurrent = maxConcurrency !== undefined;
  const workers = options.workerCount ?? 1;
  const invokedFunctionArn = `arn:${partitionOfRegion(region)?.id ?? 'aws'}:lambda:${region}:123456789012:function:${functionName}`;

  let environment: Environment | undefined;
  let starting: Promise<Environment> | undefined;
  let coldStartMs = Number.NaN;
  let initLogs: string[] = [];
  let peakRss = 0;
  let closed = false;
  const slots = invocationSlots(maxConcurrency ?? 1);

  /** Where a line goes: the running invocation it names, or (one at a time) the one running. */
  const record = (env: Environment, line: string): void => {
    let target: string[] | undefined;
    for (const [requestId, running] of env.running) {
      if (line.includes(requestId)) target = running.logs;
    }
    if (!target && !multiConcurrent) target = env.running.values().next().value?.logs;
    (target ?? env.unattributed).push(line);
    if (options.echoLogs) process.stderr.write(`[${functionName}] ${line}\n`);
  };
  const sampleRss = (env: Environment): number => {
    peakRss = Math.max(peakRss, env.alive ? peakRssOf(env.child.pid) : 0);
    return peakRss;
  };

  async function coldStart(): Promise<Environment> {
    const started = performance.now();
    const api = await startRuntimeApi();
    const env: Record<string, string> = {};
    for (const name of INHERITED_BASICS) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(
      env,
      {
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryLimitInMB ?? 128),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
        AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`,
        AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
        AWS_LAMBDA_RUNTIME_API: api.address,
        LAMBDA_TASK_ROOT: dirname(bundlePath),
        _HANDLER: `${basename(bundlePath, extname(bundlePath))}.${options.handlerName ?? 'handler'}`,
      },
      multiConcurrent && {
        AWS_LAMBDA_MAX_CONCURRENCY: String(maxConcurrency),
        AWS_LAMBDA_NODEJS_WORKER_COUNT: String(workers),
        AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1: 'true',
      },
      options.env,
    );
    const child = spawn(process.execPath, [...(options.execArgv ?? []), RUNTIME_CLIENT], {
      env,
      cwd: dirname(bundlePath),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let markExited = (): void => {};
    const created: Environment = {
      child,
      api,
      exited: new Promise<void>((resolve) => {
        markExited = resolve;
      }),
      alive: true,
      unattributed: [],
      running: new Map(),
    };
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line !== '') record(created, line);
      });
      stream?.on('end', () => partial !== '' && record(created, partial));
    }
    const exitedEarly = new Promise<never>((_, reject) => {
      child.on('close', (code, signal) => {
        created.alive = false;
        void api.close();
        setImmediate(() => {
          markExited();
          for (const [requestId, running] of [...created.running]) {
            running.finish({
              result: null,
              timedOut: false,
              error: {
                errorType: 'Runtime.ExitError',
                errorMessage: `RequestId: ${requestId} Error: Runtime exited ${signal ? `with signal: ${signal}` : `with error: exit status ${code}`}`,
                trace: [],
              },
            });
          }
          reject(
            new Error(
              `the function process exited during init (code ${code}, signal ${signal})\n${created.unattributed.join('\n')}`,
            ),
          );
        });
      });
    });
    exitedEarly.catch(() => {});
    try {
      await Promise.race([api.initialized, exitedEarly]);
    } catch (error) {
      await kill(created);
      if (error instanceof Error && 'lambdaError' in error) {
        throw new Error(`${error.message}\n${created.unattributed.join('\n')}`);
      }
      throw error;
    }
    coldStartMs = performance.now() - started;
    if (multiConcurrent) watchWorkers(created);
    sampleRss(created);
    initLogs = created.unattributed.splice(0);
    environment = created;
    return created;
  }

  /** The live environment, or a new one (`cold`: this invocation started it). */
  async function liveEnvironment(): Promise<{ env: Environment; cold: boolean }> {
    if (environment?.alive) return { env: environment, cold: false };
    if (starting) return { env: await starting, cold: false };
    starting = coldStart();
    try {
      return { env: await starting, cold: true };
    } finally {
      starting = undefined;
    }
  }

  /**
   * Managed Instances: a worker thread that dies (an uncaught exception) takes its invocations with
   * it and polls no more, and the client's main thread says nothing (and, with other workers, lives
   * on). A live worker
   * polls again at once after taking an invocation, so fewer polls held than workers for a second
   * means a worker is gone: the environment is broken, as after a crash in the default mode.
   */
  function watchWorkers(env: Environment): void {
    let allPolled = false;
    let shortSince: number | undefined;
    const timer = setInterval(() => {
      if (!env.alive) return clearInterval(timer);
      if (env.api.heldPolls >= workers) {
        allPolled = true;
        shortSince = undefined;
      } else if (allPolled) {
        shortSince ??= Date.now();
        if (Date.now() - shortSince > 1_000) void kill(env);
      }
    }, 100);
    timer.unref();
  }

  function kill(env: Environment): Promise<void> {
    if (env.alive) env.child.kill('SIGKILL');
    env.alive = false;
    return env.exited;
  }

  async function runInvocation(event: unknown, timeoutMs: number): Promise<InvokeResult> {
    if (closed) throw new Error('the function process is closed');
    const requestId = randomUUID();
    let live: { env: Environment; cold: boolean };
    try {
      live = await liveEnvironment();
    } catch (error) {
      return {
        result: null,
        error: {
          errorType: 'Runtime.InitError',
          errorMessage: error instanceof Error ? error.message : String(error),
          trace: [],
        },
        logs: [],
        timedOut: false,
        durationMs: 0,
        coldStart: true,
        requestId,
      };
    }
    const { env: running, cold } = live;
    const logs = running.unattributed.splice(0);
    const started = performance.now();
    const outcome = await new Promise<Outcome>((resolve) => {
      const finish = (result: Outcome): void => {
        if (!running.running.delete(requestId)) return;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        finish({
          result: null,
          timedOut: true,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
            trace: [],
          },
        });
        // Lambda (default) stops the environment; Managed Instances let the invocation run on.
        if (!multiConcurrent) void kill(running);
      }, timeoutMs);
      running.running.set(requestId, { logs, finish });
      void running.api
        .invoke({ requestId, event, deadlineMs: Date.now() + timeoutMs, invokedFunctionArn })
        .then(async (answer) => {
          // The client wrote its lines before it posted (pipes are synchronous on Linux; a worker
          // thread's stdout goes through the main thread): read them before the invocation ends.
          await new Promise((settle) => setTimeout(settle, multiConcurrent ? 20 : 1));
          sampleRss(running);
          finish({ result: answer.error ? null : answer.result, timedOut: false, ...answer });
        });
    });
    return {
      ...outcome,
      logs,
      durationMs: performance.now() - started,
      coldStart: cold,
      ...(cold ? { initDurationMs: coldStartMs } : {}),
      requestId,
    };
  }

  await liveEnvironment();

  return {
    get coldStartMs() {
      return coldStartMs;
    },
    get initLogs() {
      return initLogs;
    },
    get pid() {
      return environment?.alive ? environment.child.pid : undefined;
    },
    invoke(event, invokeOptions = {}) {
      return slots.run(() => runInvocation(event, invokeOptions.timeoutMs ?? 30_000));
    },
    async peakRssBytes() {
      return environment ? sampleRss(environment) : peakRss;
    },
    async close() {
      closed = true;
      // the running invocations end as the process exits (Runtime.ExitError)
      if (environment) await kill(environment);
    },
  };
}

/** The process's peak resident set size (Linux `VmHWM`), bytes; 0 when unknown. */
function peakRssOf(pid: number | undefined): number {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kib ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** At most `limit` runs at once; the others wait their turn, first come first served. */
function invocationSlots(limit: number) {
  let busy = 0;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (busy < limit) busy += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await work();
      } finally {
        // a waiting run takes the slot over; otherwise it is free
        const next = waiting.shift();
        if (next) next();
        else busy -= 1;
      }
    },
  };
}
