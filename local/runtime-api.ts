/**
 * A stand-in for the Lambda Runtime API (the `AWS_LAMBDA_RUNTIME_API` endpoint) on 127.0.0.1, for
 * AWS's runtime interface client (`aws-lambda-ric`) to poll, as it polls Lambda's own:
 *
 * - `GET /2018-06-01/runtime/invocation/next` answers with the next queued invocation (the event as
 *   the body; `Lambda-Runtime-Aws-Request-Id`, `-Deadline-Ms`, `-Invoked-Function-Arn`,
 *   `-Trace-Id`) or holds the request until one is queued; several polls may wait at once (the
 *   Managed Instances mode polls from every worker thread);
 * - `POST /2018-06-01/runtime/invocation/{id}/response` and `…/{id}/error` answer an invocation;
 * - `POST /2018-06-01/runtime/init/error` reports that the function could not start.
 *
 * One stand-in per execution environment (one runtime process).
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback.js';

/** An error as Lambda reports it (the body of `…/error` and `init/error`). */
export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** One invocation to hand to the runtime. */
export interface QueuedInvocation {
  readonly requestId: string;
  readonly event: unknown;
  /** Epoch milliseconds. */
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
}

/** How the runtime answered an invocation. */
export type RuntimeAnswer = { result: unknown; error?: undefined } | { error: LambdaError };

/** A running stand-in; see the module documentation. */
export interface RuntimeApi {
  /** `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`. */
  readonly address: string;
  /** Resolves at the runtime's first poll (its init is done); rejects on `init/error`. */
  readonly initialized: Promise<void>;
  /** Polls held now, waiting for an invocation (each live poller holds one between invocations). */
  readonly heldPolls: number;
  /** Queues an invocation; resolves when the runtime posts its response or error. */
  invoke(invocation: QueuedInvocation): Promise<RuntimeAnswer>;
  /** Stops the server and drops held polls. */
  close(): Promise<void>;
}

const PREFIX = '/2018-06-01/runtime/';
const ANSWER_PATH = /^invocation\/([^/]+)\/(response|error)$/;

/**
 * Starts a Runtime API stand-in.
 *
 * @example
 * ```ts
 * const api = await startRuntimeApi();
 * // spawn aws-lambda-ric with AWS_LAMBDA_RUNTIME_API=api.address, then:
 * await api.initialized;
 * const answer = await api.invoke({ requestId, event, deadlineMs, invokedFunctionArn });
 * ```
 */
export async function startRuntimeApi(): Promise<RuntimeApi> {
  const queue: QueuedInvocation[] = [];
  const polls: ServerResponse[] = [];
  const waiting = new Map<string, (answer: RuntimeAnswer) => void>();
  let markInitialized = (): void => {};
  let failInit = (_error: Error): void => {};
  const initialized = new Promise<void>((resolve, reject) => {
    markInitialized = resolve;
    failInit = reject;
  });
  initialized.catch(() => {});

  const hand = (poll: ServerResponse, invocation: QueuedInvocation): void => {
    poll.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': invocation.requestId,
      'Lambda-Runtime-Deadline-Ms': String(invocation.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': invocation.invokedFunctionArn,
      'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${invocation.requestId.replaceAll('-', '').slice(0, 24)};Sampled=0`,
    });
    poll.end(JSON.stringify(invocation.event ?? null));
  };

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '').startsWith(PREFIX)
      ? (request.url ?? '').slice(PREFIX.length)
      : '';
    if (request.method === 'GET' && path === 'invocation/next') {
      markInitialized();
      const next = queue.shift();
      if (next) hand(response, next);
      else {
        polls.push(response);
        response.on('close', () => {
          const index = polls.indexOf(response);
          if (index >= 0) polls.splice(index, 1);
        });
      }
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const accept = (status: number): void => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify(status === 202 ? { status: 'OK' } : { errorType: 'InvalidRequestID' }),
      );
    };
    const answered = ANSWER_PATH.exec(path);
    if (request.method === 'POST' && answered) {
      const requestId = decodeURIComponent(answered[1] ?? '');
      const resolve = waiting.get(requestId);
      if (!resolve) return accept(400);
      waiting.delete(requestId);
      accept(202);
      resolve(
        answered[2] === 'response'
          ? { result: body === '' ? null : JSON.parse(body) }
          : { error: JSON.parse(body) as LambdaError },
      );
      return;
    }
    if (request.method === 'POST' && path === 'init/error') {
      accept(202);
      const error = JSON.parse(body) as LambdaError;
      failInit(
        Object.assign(new Error(`${error.errorType}: ${error.errorMessage}`), {
          lambdaError: error,
        }),
      );
      return;
    }
    response.writeHead(404).end();
  });
  const port = await listenOnLoopback(server);

  return {
    address: `127.0.0.1:${port}`,
    initialized,
    get heldPolls() {
      return polls.length;
    },
    invoke(invocation) {
      return new Promise<RuntimeAnswer>((resolve) => {
        waiting.set(invocation.requestId, resolve);
        const poll = polls.shift();
        if (poll) hand(poll, invocation);
        else queue.push(invocation);
      });
    },
    close: () => closeServer(server),
  };
}
