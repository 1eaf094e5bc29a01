/**
 * The delivery of the response: a PUT to the pre-signed ResponseURL, retried on network
 * errors, 429 and 5xx within the deadline; any other status is final.
 */
import { backoffMs, sleep as realSleep, type Sleep } from '../backoff.js';
import type { Log } from '../logger.js';
import { type PutResponse, putResponse } from './outbound.js';
import { redactUrl } from './response-url.js';

export interface DeliveryOptions {
  /** Epoch ms after which no further attempt is started. */
  readonly endsAt: number;
  readonly log: Log;
  /** The PUT itself; replaceable in tests. */
  readonly put?: PutResponse;
  /** At most this many attempts (default 8) while time remains. */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

export interface DeliveryResult {
  readonly delivered: boolean;
  readonly attempts: number;
  readonly statusCode?: number;
}

/** One attempt never waits longer than this. */
const ATTEMPT_TIMEOUT_MS = 10_000;
const BACKOFF = { baseMs: 200, capMs: 4_000, floorMs: 100 };

/**
 * PUTs the body to the ResponseURL.
 *
 * @example
 * ```ts
 * await deliverResponse(new URL(request.responseUrl), body.json, { endsAt: deadline.responseEndsAt, log: logger });
 * ```
 */
export async function deliverResponse(
  url: URL,
  json: string,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const put = options.put ?? putResponse;
  const sleep = options.sleep ?? realSleep;
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
    const wait = backoffMs(attempt, BACKOFF);
    if (Date.now() + wait >= options.endsAt) break;
    await sleep(wait);
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
