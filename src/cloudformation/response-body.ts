/**
 * The response body CloudFormation reads from the ResponseURL, kept within its 4096-byte limit.
 */

export type ResponseStatus = 'SUCCESS' | 'FAILED';

/** What the resource logic decided: everything of the response but the request's echo. */
export interface ResourceOutcome {
  readonly status: ResponseStatus;
  readonly physicalResourceId: string;
  readonly data?: Readonly<Record<string, unknown>>;
  /**
   * Keys of `data` that may be left out when the body would exceed the limit, the first to go
   * first (e.g. a long list that stacks rarely read); every other key stays.
   */
  readonly droppableData?: readonly string[];
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
  /** What had to give way to fit the limit, in the order it gave way. */
  readonly shortened: 'nothing' | 'reason' | 'data';
  /** The droppable `data` keys that were left out. */
  readonly droppedData: readonly string[];
}

/**
 * Builds the response body. Over 4096 bytes, the droppable data keys go first, in their order;
 * then the Reason is cut (its start kept, the log stream named); if that is still not enough,
 * Data is dropped altogether and the Reason says so.
 *
 * @example
 * ```ts
 * const { json } = buildResponseBody(request, { status: 'SUCCESS', physicalResourceId: 'IS1' }, stream);
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
  const fits = (json: string) => Buffer.byteLength(json) <= MAX_RESPONSE_BYTES;

  let data = outcome.data;
  const droppedData: string[] = [];
  for (const key of [undefined, ...(outcome.droppableData ?? [])]) {
    if (key !== undefined && data !== undefined && key in data) {
      const { [key]: _dropped, ...rest } = data;
      data = rest;
      droppedData.push(key);
    }
    const json = render(outcome.reason, data);
    if (fits(json)) return { json, shortened: 'nothing', droppedData };
  }

  const where = `; full text in CloudWatch log stream ${logStreamName}`;
  const withData = fitReason(outcome.reason ?? '', ` [cut${where}]`, (r) => render(r, data));
  if (withData !== undefined) return { json: withData, shortened: 'reason', droppedData };

  const dropped = `Data dropped: the response exceeded ${MAX_RESPONSE_BYTES} bytes${where}. `;
  const prefixed = `${dropped}${outcome.reason ?? ''}`;
  const withoutData =
    fitReason(prefixed, ' [cut]', (r) => render(r, undefined)) ?? render(dropped, undefined);
  return { json: withoutData, shortened: 'data', droppedData };
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
