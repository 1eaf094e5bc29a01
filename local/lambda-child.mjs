/**
 * The child side of `lambda-process.ts`: a tiny imitation of the Lambda Node.js runtime.
 *
 * Started with `fork(thisFile, [bundleUrl, handlerName, maxConcurrency?])`. It imports the bundle
 * once (the cold start, timed), then runs one invocation per `invoke` message with a Lambda-like
 * context. Everything written to stdout/stderr (console, Powertools logger, …) is captured line by
 * line and sent to the parent tagged with the running invocation's request id, so logs are
 * attributed to invocations.
 *
 * With `maxConcurrency` (the parent also sets `AWS_LAMBDA_MAX_CONCURRENCY`) it is a Lambda Managed
 * Instances runtime worker, as the Node.js runtime interface client is one: it loads
 * `@aws/lambda-invoke-store` before the bundle (which makes `globalThis.awslambda`), and runs every
 * invocation as it arrives inside `InvokeStore.run({ request id }, …)` of the one store that
 * `getInstanceAsync()` keeps in `globalThis.awslambda.InvokeStore` — the store the bundle's own
 * copy of the package, and Powertools through it, find there. A line is tagged with the request
 * id of the store's context that wrote it; the remaining time may go negative (not enforced).
 *
 * Messages to the parent: `ready`, `init-error`, `log`, `result`, `crash`, `rss`.
 * Messages from the parent: `invoke`, `rss`.
 */
import { performance } from 'node:perf_hooks';

const [bundleUrl, handlerName = 'handler', maxConcurrency] = process.argv.slice(2);
const multiConcurrent = maxConcurrency !== undefined;

/** Loaded, as the runtime loads it, before the function's code (Managed Instances only). */
const invokeStorePackage = multiConcurrent ? await import('@aws/lambda-invoke-store') : undefined;

/** Request id of the invocation running now, or null between invocations (one at a time). */
let currentRequestId = null;
/** Unfinished lines per stream (and, with several invocations at once, per request id). */
const partialLines = new Map();

/** The request id of the code writing now: the invoke store's context, or the running one. */
function writerRequestId() {
  if (!multiConcurrent) return currentRequestId;
  const store = globalThis.awslambda?.InvokeStore;
  return store?.hasContext() ? store.getRequestId() : null;
}

function send(message) {
  if (process.connected) process.send(message);
}

function maxRssBytes() {
  return process.resourceUsage().maxRSS * 1024;
}

const partialKey = (stream, requestId) => (multiConcurrent ? `${stream} ${requestId}` : stream);

function emitLines(stream, text, requestId = writerRequestId()) {
  const key = partialKey(stream, requestId);
  let pending = (partialLines.get(key) ?? '') + text;
  let newline = pending.indexOf('\n');
  while (newline >= 0) {
    send({ type: 'log', stream, line: pending.slice(0, newline), requestId });
    pending = pending.slice(newline + 1);
    newline = pending.indexOf('\n');
  }
  if (pending === '') partialLines.delete(key);
  else partialLines.set(key, pending);
}

/** Ends the unfinished lines (of one invocation's writer, with several at once). */
function flushPartialLines(requestId = writerRequestId()) {
  for (const stream of ['stdout', 'stderr']) {
    if (partialLines.has(partialKey(stream, requestId))) emitLines(stream, '\n', requestId);
  }
}

for (const stream of ['stdout', 'stderr']) {
  process[stream].write = (chunk, encoding, callback) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
    emitLines(stream, text);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') done();
    return true;
  };
}

/** Lambda's error shape: `{ errorType, errorMessage, trace }`. */
function describeError(error, fallbackType = 'Error') {
  if (error instanceof Error) {
    return {
      errorType: error.name || error.constructor?.name || fallbackType,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: fallbackType, errorMessage: String(error), trace: [] };
}

function crash(error, errorType) {
  flushPartialLines();
  send({ type: 'crash', requestId: writerRequestId(), error: describeError(error, errorType) });
  setImmediate(() => process.exit(129));
}
process.on('uncaughtException', (error) => crash(error, 'Runtime.UncaughtException'));
process.on('unhandledRejection', (reason) => crash(reason, 'Runtime.UnhandledPromiseRejection'));

let handler;
try {
  const started = performance.now();
  const module = await import(bundleUrl);
  const coldStartMs = performance.now() - started;
  handler = module[handlerName];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${bundleUrl} does not export a function ${handlerName}`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  flushPartialLines();
  send({ type: 'ready', coldStartMs, maxRssBytes: maxRssBytes() });
} catch (error) {
  flushPartialLines();
  send({ type: 'init-error', error: describeError(error, 'Runtime.ImportModuleError') });
  setImmediate(() => process.exit(1));
}

/** Runs the handler as async (promise) or callback style, whichever it uses. */
function runHandler(event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    } catch (error) {
      reject(error);
    }
  });
}

/** Runs one invocation and reports its outcome (and its unfinished lines) to the parent. */
async function invoke({ requestId, event, deadline, context: fields }) {
  const remaining = () => deadline - Date.now();
  const context = {
    ...fields,
    awsRequestId: requestId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: multiConcurrent ? remaining : () => Math.max(0, remaining()),
  };
  let outcome;
  try {
    const result = await runHandler(event, context);
    outcome = { result: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
  } catch (error) {
    outcome = { result: null, error: describeError(error) };
  }
  flushPartialLines(requestId);
  send({ type: 'result', requestId, ...outcome, maxRssBytes: maxRssBytes() });
}

process.on('message', async (message) => {
  if (message.type === 'rss') {
    send({ type: 'rss', id: message.id, maxRssBytes: maxRssBytes() });
    return;
  }
  if (message.type !== 'invoke') return;
  if (multiConcurrent) {
    const { InvokeStore, InvokeStoreBase } = invokeStorePackage;
    const store = await InvokeStore.getInstanceAsync();
    const keys = InvokeStoreBase.PROTECTED_KEYS;
    await store.run({ [keys.REQUEST_ID]: message.requestId }, () => invoke(message));
    return;
  }
  currentRequestId = message.requestId;
  await invoke(message);
  currentRequestId = null;
});
