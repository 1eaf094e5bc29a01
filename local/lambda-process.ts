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
  /** Runs one invocation (waits for earlier ones first). */
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

/** One child process (one Lambda execution environment). */
interface Environment {
  child: ChildProcess;
  exited: Promise<void>;
  alive: boolean;
  /** The context's `logStreamName` (one per process, as Lambda has one per environment). */
  logStreamName: string;
  /** Lines written outside any invocation, not yet reported. */
  unattributed: string[];
  /** The running invocation's lines, while one runs. */
  currentLogs: string[] | undefined;
  /** Called with each message; replaced per phase. */
  listener: (message: ChildMessage) => void;
  /** Called once when the child exits. */
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
  const contextFields = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: String(memory),
    logGroupName: `/aws/lambda/${functionName}`,
  };

  let environment: Environment | undefined;
  let coldStartMs = Number.NaN;
  let initLogs: string[] = [];
  let peakRss = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const recordLine = (env: Environment, target: string[] | undefined, line: string): void => {
    (target ?? env.unattributed).push(line);
    if (options.echoLogs) process.stderr.write(`[${functionName}] ${line}\n`);
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
    );
    const child = fork(CHILD_PATH, [pathToFileURL(bundlePath).href, handlerName], {
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
      currentLogs: undefined,
      listener: () => {},
      onExit: () => {},
    };
    // IPC keeps order, so a line belongs to the invocation the parent is running when it arrives.
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'log') recordLine(created, created.currentLogs, message.line);
      else created.listener(message);
    });
    child.on('exit', (code, signal) => {
      created.alive = false;
      markExited();
      created.onExit(code, signal);
    });
    // Output that bypassed the patched streams (native writes) still lands somewhere.
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        for (const line of text.split('\n').filter((l) => l !== '')) {
          recordLine(created, created.currentLogs, line);
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
    coldStartMs = ready.coldStartMs;
    peakRss = Math.max(peakRss, ready.maxRssBytes);
    initLogs = created.unattributed.splice(0);
    environment = created;
    return created;
  }

  function kill(env: Environment): Promise<void> {
    env.listener = () => {};
    env.onExit = () => {};
    if (env.alive) env.child.kill('SIGKILL');
    env.alive = false;
    return env.exited;
  }

  async function runInvocation(event: unknown, timeoutMs: number): Promise<InvokeResult> {
    if (closed) throw new Error('the function process is closed');
    const requestId = randomUUID();
    let coldStarted = false;
    let env = environment;
    if (!env?.alive) {
      coldStarted = true;
      try {
        env = await coldStart();
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
    }
    const running = env;
    const logs = running.unattributed.splice(0);
    running.currentLogs = logs;
    const started = performance.now();
    const deadline = Date.now() + timeoutMs;

    const outcome = await new Promise<Pick<InvokeResult, 'result' | 'error' | 'timedOut'>>(
      (resolve) => {
        const timer = setTimeout(() => {
          void kill(running);
          resolve({
            result: null,
            timedOut: true,
            error: {
              errorType: 'Sandbox.Timedout',
              errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
              trace: [],
            },
          });
        }, timeoutMs);
        running.listener = (message) => {
          if (message.type === 'result' && message.requestId === requestId) {
            clearTimeout(timer);
            peakRss = Math.max(peakRss, message.maxRssBytes);
            resolve({
              result: message.result,
              timedOut: false,
              ...(message.error ? { error: message.error } : {}),
            });
          } else if (message.type === 'crash') {
            clearTimeout(timer);
            void kill(running);
            resolve({ result: null, timedOut: false, error: message.error });
          }
        };
        running.onExit = (code, signal) => {
          clearTimeout(timer);
          resolve({
            result: null,
            timedOut: false,
            error: {
              errorType: 'Runtime.ExitError',
              errorMessage: `RequestId: ${requestId} Error: Runtime exited (code ${code}, signal ${signal})`,
              trace: [],
            },
          });
        };
        running.child.send({
          type: 'invoke',
          requestId,
          event,
          deadline,
          context: { ...contextFields, logStreamName: running.logStreamName },
        });
      },
    );
    running.listener = () => {};
    running.currentLogs = undefined;
    return {
      ...outcome,
      logs,
      durationMs: performance.now() - started,
      coldStart: coldStarted,
      ...(coldStarted ? { initDurationMs: coldStartMs } : {}),
      requestId,
    };
  }

  await coldStart();

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
      const run = queue.then(() => runInvocation(event, invokeOptions.timeoutMs ?? 30_000));
      queue = run.catch(() => undefined);
      return run;
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
      const env = environment;
      if (!env) return;
      const notifyRunningInvocation = env.onExit;
      await kill(env);
      notifyRunningInvocation(null, 'SIGKILL');
    },
  };
}
