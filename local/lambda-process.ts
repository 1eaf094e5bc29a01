/**
 * Runs a Lambda handler module (by default the built bundle `dist/handler.mjs`) in a child Node.js
 * process the way Lambda runs it, for end-to-end tests, benchmarks and `npm start`:
 *
 * - one cold import when the process starts ({@link LambdaProcess.coldStartMs});
 * - invocations one at a time, each with a Lambda-like context (`awsRequestId`, `functionName`,
 *   `functionVersion`, `invokedFunctionArn`, `memoryLimitInMB`, `logGroupName`, `logStreamName`,
 *   `getRemainingTimeInMillis()` counting down from the invocation's timeout,
 *   `callbackWaitsForEmptyEventLoop`);
 * - stdout/stderr captured per invocation (lines written between invocations are reported with
 *   the next one, as Lambda's logs show them);
 * - an invocation that outlives its timeout is reported as timed out, and, as Lambda does, the
 *   process is killed; the next invocation starts a new process (cold again). A crash (uncaught
 *   exception, unhandled rejection, exit) does the same.
 *
 * With {@link LambdaProcessOptions.maxConcurrency} it runs like Lambda Managed Instances (one
 * runtime worker): `AWS_LAMBDA_MAX_CONCURRENCY` is set, and up to that many invocations run at
 * once in the one process, each inside its own `@aws/lambda-invoke-store` context (request id),
 * as the Node.js runtime runs them; more wait for a free slot. Lines are attributed by the
 * context that wrote them. An invocation past its timeout is reported as timed out, but neither
 * it nor the process is stopped (Managed Instances do not enforce timeouts), and its remaining
 * time goes negative.
 *
 * The child's environment is what the caller passes, on top of a few basics (`PATH`, `HOME`,
 * `TMPDIR`, `LANG`) and the variables Lambda itself sets (`AWS_LAMBDA_FUNCTION_NAME`, …); nothing
 * else of this process's environment (no AWS settings) leaks into it.
 *
 * The child side is `lambda-child.mjs`.
 *
 * @module
 */

import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { partitionOfRegion } from '../src/partitions.js';

/** The built bundle, `dist/handler.mjs` at the repository root. */
export const DEFAULT_BUNDLE_PATH = fileURLToPath(new URL('../dist/handler.mjs', import.meta.url));

const CHILD_PATH = fileURLToPath(new URL('./lambda-child.mjs', import.meta.url));

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
  /** Reported in the context and `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`; not enforced. Default 128. */
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
}

/** Options of {@link LambdaProcess.invoke}. */
export interface InvokeOptions {
  /** The function timeout; default 30 000 ms. */
  timeoutMs?: number;
}

/** An error as Lambda reports it. */
export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** The outcome of one invocation. */
export interface InvokeResult {
  /** What the handler returned (JSON round-tripped; `null` for undefined or on error). */
  result: unknown;
  /** Set when the handler threw/rejected, timed out, or the process crashed. */
  error?: LambdaError;
  /** The raw lines written to stdout/stderr during the invocation, in order. */
  logs: string[];
  /** The invocation ran out of time (the process was killed). */
  timedOut: boolean;
  /** Wall time of the invocation (not counting a cold start). */
  durationMs: number;
  /** This invocation started a new process. */
  coldStart: boolean;
  /** On a cold start, the module's import time in the new process (Lambda's "Init Duration"). */
  initDurationMs?: number;
  /** The context's `awsRequestId`. */
  requestId: string;
}

/** A running function; see the module documentation. */
export interface LambdaProcess {
  /** Import time of the handler module in the current (latest) process, ms. */
  readonly coldStartMs: number;
  /** Lines written while the current process imported the module. */
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

type ChildMessage =
  | { type: 'ready'; coldStartMs: number; maxRssBytes: number }
  | { type: 'init-error'; error: LambdaError }
  | { type: 'log'; stream: string; line: string; requestId: string | null }
  | {
      type: 'result';
      requestId: string;
      result: unknown;
      error?: LambdaError;
      maxRssBytes: number;
    }
  | { type: 'crash'; requestId: string | null; error: LambdaError }
  | { type: 'rss'; id: string; maxRssBytes: number };

type Outcome = Pick<InvokeResult, 'result' | 'error' | 'timedOut'>;

/** One invocation the child is running. */
interface Running {
  /** Its lines so far. */
  readonly logs: string[];
  /** Ends it with this outcome (the first call counts). */
  readonly finish: (outcome: Outcome) => void;
}

/** One child process (one Lambda execution environment). */
interface Environment {
  child: ChildProcess;
  exited: Promise<void>;
  alive: boolean;
  /** The context's `logStreamName` (one per process, as Lambda has one per environment). */
  logStreamName: string;
  /** Lines written outside any invocation, not yet reported. */
  unattributed: string[];
  /** The invocations running, by request id. */
  running: Map<string, Running>;
  /** Called with each message while the process starts. */
  listener: (message: ChildMessage) => void;
  /** Called once when the child exits while it starts. */
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * Starts the function: forks the child and waits for the cold import.
 *
 * @throws Error when the module cannot be imported or has no such handler (message includes the
 *   Lambda error type and the lines written while importing).
 */
export async function startLambdaProcess(options: LambdaProcessOptions): Promise<LambdaProcess> {
  const bundlePath = options.bundlePath ?? DEFAULT_BUNDLE_PATH;
  const handlerName = options.handlerName ?? 'handler';
  const functionName = options.functionName ?? 'identity-source-provider';
  const memory = options.memoryLimitInMB ?? 128;
  const region = options.env.AWS_REGION ?? 'us-east-1';
  const { maxConcurrency } = options;
  if (maxConcurrency !== undefined && !(Number.isInteger(maxConcurrency) && maxConcurrency > 0)) {
    throw new Error(`maxConcurrency must be a positive integer (got ${maxConcurrency})`);
  }
  const multiConcurrent = maxConcurrency !== undefined;
  const contextFields = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:${partitionOfRegion(region)?.id ?? 'aws'}:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: String(memory),
    logGroupName: `/aws/lambda/${functionName}`,
  };

  let environment: Environment | undefined;
  let starting: Promise<Environment> | undefined;
  let coldStartMs = Number.NaN;
  let initLogs: string[] = [];
  let peakRss = 0;
  let closed = false;
  const slots = invocationSlots(maxConcurrency ?? 1);

  const recordLine = (env: Environment, target: string[] | undefined, line: string): void => {
    (target ?? env.unattributed).push(line);
    if (options.echoLogs) process.stderr.write(`[${functionName}] ${line}\n`);
  };
  /** Where a line goes: the invocation that wrote it (one at a time: the one running), if any. */
  const linesOf = (env: Environment, requestId: string | null): string[] | undefined => {
    if (!multiConcurrent) return env.running.values().next().value?.logs;
    return requestId === null ? undefined : env.running.get(requestId)?.logs;
  };

  async function coldStart(): Promise<Environment> {
    const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
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
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
        AWS_LAMBDA_LOG_GROUP_NAME: contextFields.logGroupName,
        AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
        LAMBDA_TASK_ROOT: dirname(bundlePath),
      },
      options.env,
      multiConcurrent && { AWS_LAMBDA_MAX_CONCURRENCY: String(maxConcurrency) },
    );
    const childArgs = [pathToFileURL(bundlePath).href, handlerName];
    if (multiConcurrent) childArgs.push(String(maxConcurrency));
    const child = fork(CHILD_PATH, childArgs, {
      env,
      cwd: dirname(bundlePath),
      execArgv: options.execArgv ?? [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let markExited = (): void => {};
    const created: Environment = {
      child,
      exited: new Promise<void>((resolve) => {
        markExited = resolve;
      }),
      alive: true,
      logStreamName,
      unattributed: [],
      running: new Map(),
      listener: () => {},
      onExit: () => {},
    };
    // IPC keeps order, so a line belongs to the invocation the parent is running when it arrives
    // (with several at once: to the one whose invoke-store context wrote it).
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'log') {
        recordLine(created, linesOf(created, message.requestId), message.line);
      } else if (message.type === 'result') {
        peakRss = Math.max(peakRss, message.maxRssBytes);
        created.running.get(message.requestId)?.finish({
          result: message.result,
          timedOut: false,
          ...(message.error ? { error: message.error } : {}),
        });
      } else if (message.type === 'crash' && created.running.size > 0) {
        for (const running of [...created.running.values()]) {
          running.finish({ result: null, timedOut: false, error: message.error });
        }
        void kill(created);
      } else {
        created.listener(message);
      }
    });
    child.on('exit', (code, signal) => {
      created.alive = false;
      markExited();
      created.onExit(code, signal);
      for (const [requestId, running] of [...created.running]) {
        running.finish({
          result: null,
          timedOut: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${requestId} Error: Runtime exited (code ${code}, signal ${signal})`,
            trace: [],
          },
        });
      }
    });
    // Output that bypassed the patched streams (native writes) still lands somewhere.
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        for (const line of text.split('\n').filter((l) => l !== '')) {
          recordLine(created, linesOf(created, null), line);
        }
      });
    }

    const ready = await new Promise<{ coldStartMs: number; maxRssBytes: number }>(
      (resolve, reject) => {
        created.listener = (message) => {
          if (message.type === 'ready') resolve(message);
          else if (message.type === 'init-error' || message.type === 'crash') {
            reject(
              new Error(
                `${message.error.errorType}: ${message.error.errorMessage}\n${created.unattributed.join('\n')}`,
              ),
            );
          }
        };
        created.onExit = (code, signal) =>
          reject(
            new Error(`the function process exited during init (code ${code}, signal ${signal})`),
          );
      },
    );
    created.listener = () => {};
    created.onExit = () => {};
    coldStartMs = ready.coldStartMs;
    peakRss = Math.max(peakRss, ready.maxRssBytes);
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
    const deadline = Date.now() + timeoutMs;

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
      running.child.send({
        type: 'invoke',
        requestId,
        event,
        deadline,
        context: { ...contextFields, logStreamName: running.logStreamName },
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
      const env = environment;
      if (!env?.alive) return peakRss;
      const id = randomUUID();
      const reported = await new Promise<number>((resolve) => {
        const onMessage = (message: ChildMessage): void => {
          if (message.type === 'rss' && message.id === id) {
            env.child.off('message', onMessage);
            resolve(message.maxRssBytes);
          }
        };
        env.child.on('message', onMessage);
        void env.exited.then(() => resolve(peakRss));
        env.child.send({ type: 'rss', id });
      });
      peakRss = Math.max(peakRss, reported);
      return peakRss;
    },
    async close() {
      closed = true;
      // the running invocations end as the process exits (Runtime.ExitError)
      if (environment) await kill(environment);
    },
  };
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
