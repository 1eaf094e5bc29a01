/**
 * The response to CloudFormation: the body (capped at 4096 bytes) and its delivery, a PUT
 * to the pre-signed URL retried on network errors and 5xx within the deadline.
 */
import type { Log } from '../logger.js';
import { type PutResponse, putResponse } from './outbound.js';
import { redactUrl } from './response-url.js';

export type ResponseStatus = 'SUCCESS' | 'FAILED';

/** What the resource logic decided: everything of the response but the request's echo. */
export interface ResourceOutcome {
  readonly status: ResponseStatus;
  readonly physicalResourceId: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly reason?: string;
}

/** The request fields CloudFormation matches a response against. */
export interface ResponseTarget {
  readonly stackId: string;
  readonly requestId: string;
  readonly logicalResourceId: string;
}

/** CloudFormation's hard limit on the response body. */
export const MAX_RESPONSE_BYTES = 4096;

export interface ResponseBody {
  /** The JSON text to PUT, at most {@link MAX_RESPONSE_BYTES} bytes. */
  readonly json: string;
  /** What had to give way to fit the limit. */
  readonly shortened: 'nothing' | 'reason' | 'data';
}

/**
 * Builds the response body. Over 4096 bytes, the Reason is cut first (its start kept, the
 * log stream named); if that is not enough, Data is dropped and the Reason says so.
 *
 * @example
 * ```ts
 * const { json } = buildResponseBody(request, { status: 'SUCCESS', physicalResourceId: id }, stream);
 * ```
 */
export function buildResponseBody(
  target: ResponseTarget,
  outcome: ResourceOutcome,
  logStreamName: string,
): ResponseBody {
  const render = (reason: string | undefined, data: ResourceOutcome['data']): string =>
    JSON.stringify({
      Status: outcome.status,
      ...(reason !== undefined && { Reason: reason }),
      PhysicalResourceId: outcome.physicalResourceId,
      StackId: target.stackId,
      RequestId: target.requestId,
      LogicalResourceId: target.logicalResourceId,
      NoEcho: false,
      ...(data !== undefined && { Data: data }),
    });

  const full = render(outcome.reason, outcome.data);
  if (Buffer.byteLength(full) <= MAX_RESPONSE_BYTES) return { json: full, shortened: 'nothing' };

  const where = `; full text in CloudWatch log stream ${logStreamName}`;
  const withData = fitReason(outcome.reason ?? '', ` [cut${where}]`, (r) =>
    render(r, outcome.data),
  );
  if (withData !== undefined) return { json: withData, shortened: 'reason' };

  const dropped = `Data dropped: the response exceeded ${MAX_RESPONSE_BYTES} bytes${where}. `;
  const prefixed = `${dropped}${outcome.reason ?? ''}`;
  const withoutData =
    fitReason(prefixed, ' [cut]', (r) => render(r, undefined)) ?? render(dropped, undefined);
  return { json: withoutData, shortened: 'data' };
}

/** The longest start of `reason` (+ marker) that keeps the rendered body within the limit. */
function fitReason(
  reason: string,
  marker: string,
  render: (reason: string) => string,
): string | undefined {
  const empty = Buffer.byteLength(render(marker));
  if (empty > MAX_RESPONSE_BYTES) return undefined;
  let low = 0;
  let high = reason.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(render(reason.slice(0, mid) + marker)) <= MAX_RESPONSE_BYTES) low = mid;
    else high = mid - 1;
  }
  const cut = reason.slice(0, low);
  const safe = /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
  return render(safe + marker);
}

export interface DeliveryOptions {
  /** Epoch ms after which no further attempt is started. */
  readonly endsAt: number;
  readonly log: Log;
  /** The PUT itself; replaceable in tests. */
  readonly put?: PutResponse;
  /** At least this many attempts are allowed while time remains. */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DeliveryResult {
  readonly delivered: boolean;
  readonly attempts: number;
  readonly statusCode?: number;
}

/** One attempt never waits longer than this. */
const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * PUTs the body to the ResponseURL. Network errors, 429 and 5xx are retried with
 * exponential backoff and jitter while the deadline allows; any other status is final.
 *
 * @example
 * ```ts
 * await deliverResponse(url, body.json, { endsAt: deadline.responseEndsAt, log: logger });
 * ```
 */
export async function deliverResponse(
  url: URL,
  json: string,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const put = options.put ?? putResponse;
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 8;
  const target = redactUrl(url.href);
  let statusCode: number | undefined;
  let attempts = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    attempts = attempt;
    const remaining = options.endsAt - Date.now();
    if (remaining <= 0 && attempt > 1) break;
    try {
      const timeout = Math.max(250, Math.min(ATTEMPT_TIMEOUT_MS, remaining));
      const result = await put(url, json, AbortSignal.timeout(timeout));
      statusCode = result.statusCode;
      if (statusCode >= 200 && statusCode < 300) {
        options.log.info('Response delivered', { responseUrl: target, statusCode, attempt });
        return { delivered: true, attempts: attempt, statusCode };
      }
      const retryable = statusCode === 429 || statusCode >= 500;
      options.log[retryable ? 'warn' : 'error']('Response PUT rejected', {
        responseUrl: target,
        statusCode,
        attempt,
        answer: result.body.slice(0, 300),
      });
      if (!retryable) break;
    } catch (error) {
      options.log.warn('Response PUT failed', {
        responseUrl: target,
        attempt,
        error: describeNetworkError(error),
      });
    }
    const backoff = Math.min(4_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
    if (Date.now() + backoff >= options.endsAt) break;
    await sleep(backoff);
  }
  options.log.error('Response not delivered: CloudFormation will wait for its timeout', {
    responseUrl: target,
    statusCode,
    attempts,
  });
  return { delivered: false, attempts, ...(statusCode !== undefined && { statusCode }) };
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // Node's messages can quote the request URL; keep only the error's kind.
    return typeof code === 'string' ? `${error.name} ${code}` : error.name;
  }
  return 'unknown error';
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
