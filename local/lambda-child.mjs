/**
 * The child side of `lambda-process.ts`: a tiny imitation of the Lambda Node.js runtime.
 *
 * Started with `fork(thisFile, [bundleUrl, handlerName])`. It imports the bundle once (the cold
 * start, timed), then runs one invocation per `invoke` message with a Lambda-like context. Everything
 * written to stdout/stderr (console, Powertools logger, …) is captured line by line and sent to the
 * parent tagged with the running invocation's request id, so logs are attributed to invocations.
 *
 * Messages to the parent: `ready`, `init-error`, `log`, `result`, `crash`, `rss`.
 * Messages from the parent: `invoke`, `rss`.
 */
import { performance } from 'node:perf_hooks';

const [bundleUrl, handlerName = 'handler'] = process.argv.slice(2);

/** Request id of the invocation running now, or null between invocations. */
let currentRequestId = null;
const partialLines = { stdout: '', stderr: '' };

function send(message) {
  if (process.connected) process.send(message);
}

function maxRssBytes() {
  return process.resourceUsage().maxRSS * 1024;
}

function emitLines(stream, text) {
  partialLines[stream] += text;
  let newline = partialLines[stream].indexOf('\n');
  while (newline >= 0) {
    const line = partialLines[stream].slice(0, newline);
    partialLines[stream] = partialLines[stream].slice(newline + 1);
    send({ type: 'log', stream, line, requestId: currentRequestId });
    newline = partialLines[stream].indexOf('\n');
  }
}

function flushPartialLines() {
  for (const stream of ['stdout', 'stderr']) {
    if (partialLines[stream] !== '') emitLines(stream, '\n');
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
  send({ type: 'crash', requestId: currentRequestId, error: describeError(error, errorType) });
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

process.on('message', async (message) => {
  if (message.type === 'rss') {
    send({ type: 'rss', id: message.id, maxRssBytes: maxRssBytes() });
    return;
  }
  if (message.type !== 'invoke') return;
  const { requestId, event, deadline, context: fields } = message;
  currentRequestId = requestId;
  const context = {
    ...fields,
    awsRequestId: requestId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let outcome;
  try {
    const result = await runHandler(event, context);
    outcome = { result: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
  } catch (error) {
    outcome = { result: null, error: describeError(error) };
  }
  flushPartialLines();
  send({ type: 'result', requestId, ...outcome, maxRssBytes: maxRssBytes() });
  currentRequestId = null;
});
