/**
 * A stand-in for Amazon EventBridge `PutEvents`, on its real wire protocol (AWS JSON 1.1:
 * `POST /`, `X-Amz-Target: AWSEvents.PutEvents`, `Content-Type: application/x-amz-json-1.1`,
 * SigV4 signed for the service `events`), for tests of the drift check and `npm start`. The AWS
 * SDK's `@aws-sdk/client-eventbridge` reaches it through `AWS_ENDPOINT_URL_EVENTBRIDGE` (the SDK
 * derives the variable from its service id, `EventBridge`).
 *
 * Every entry accepted is recorded with the bus, the region and the access key that signed it;
 * the service's entry rules are kept (1–10 entries, `Source`, `DetailType` and `Detail` present,
 * `Detail` a JSON object): an entry that breaks them is answered as EventBridge does, as a failed
 * entry (`FailedEntryCount`), not as an error. A bus can be made to refuse entries
 * ({@link EventBridgeStandIn.refuse}), as one that does not exist does.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { closeServer, listenOnLoopback } from './loopback.js';
import { parseCredentialScope, readJsonBody } from './verified-permissions/wire.js';

/** One event EventBridge accepted. */
export interface RecordedEvent {
  readonly eventId: string;
  readonly source: string;
  readonly detailType: string;
  /** `Detail`, parsed. */
  readonly detail: Record<string, unknown>;
  /** `EventBusName` as sent; `default` when absent. */
  readonly eventBusName: string;
  /** Region of the request's SigV4 credential scope. */
  readonly region: string | undefined;
  /** The access key that signed the request. */
  readonly accessKeyId: string | undefined;
  /** Arrival time, epoch ms. */
  readonly time: number;
}

export interface EventBridgeStandIn {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_EVENTBRIDGE`. */
  readonly endpoint: string;
  /** Every accepted event, oldest first. */
  readonly events: readonly RecordedEvent[];
  /** Every `PutEvents` request (accepted or not), oldest first. */
  readonly requests: readonly { readonly target: string | undefined; readonly time: number }[];
  /** From now on, entries for this bus fail (`ResourceNotFoundException`, as for a missing bus). */
  refuse(eventBusName: string): void;
  /** Forgets the recorded events and requests. */
  clear(): void;
  close(): Promise<void>;
}

const TARGET = 'AWSEvents.PutEvents';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * @example
 * ```ts
 * const events = await startEventBridge();
 * env.AWS_ENDPOINT_URL_EVENTBRIDGE = events.endpoint;
 * // … later
 * events.events.map((e) => e.detail.Status); // ['MODIFIED']
 * ```
 */
export async function startEventBridge(): Promise<EventBridgeStandIn> {
  const events: RecordedEvent[] = [];
  const requests: { target: string | undefined; time: number }[] = [];
  const refused = new Set<string>();

  const reply = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    const payload = JSON.stringify(errorType ? { __type: errorType, ...(body as object) } : body);
    res.writeHead(status, {
      'content-type': CONTENT_TYPE,
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(payload);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = performance.timeOrigin + performance.now();
    const body = (await readJsonBody(req)) as { Entries?: unknown } | undefined;
    const target = req.headers['x-amz-target'];
    requests.push({ target: typeof target === 'string' ? target : undefined, time });
    const scope = parseCredentialScope(req.headers.authorization);
    if (req.method !== 'POST' || target !== TARGET) {
      return reply(
        res,
        400,
        { message: `Unknown operation ${String(target)}` },
        'UnknownOperationException',
      );
    }
    if (scope?.service !== 'events') {
      return reply(
        res,
        400,
        { message: 'Credential should be scoped to correct service: events' },
        'InvalidSignatureException',
      );
    }
    if (!String(req.headers['content-type']).startsWith(CONTENT_TYPE)) {
      return reply(res, 400, { message: 'Wrong content type' }, 'SerializationException');
    }
    const entries = body?.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      return reply(
        res,
        400,
        {
          message:
            "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10",
        },
        'ValidationException',
      );
    }
    let failed = 0;
    const results = entries.map((raw: Record<string, unknown>) => {
      const bus = typeof raw.EventBusName === 'string' ? raw.EventBusName : 'default';
      const problem = entryProblem(raw);
      if (problem) {
        failed++;
        return { ErrorCode: 'MalformedDetail', ErrorMessage: problem };
      }
      if (refused.has(bus)) {
        failed++;
        return {
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Event bus ${bus} does not exist.`,
        };
      }
      const eventId = randomUUID();
      events.push({
        eventId,
        source: raw.Source as string,
        detailType: raw.DetailType as string,
        detail: JSON.parse(raw.Detail as string) as Record<string, unknown>,
        eventBusName: bus,
        region: scope.region,
        accessKeyId: scope.accessKeyId,
        time,
      });
      return { EventId: eventId };
    });
    reply(res, 200, { FailedEntryCount: failed, Entries: results });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    events,
    requests,
    refuse: (bus) => void refused.add(bus),
    clear() {
      events.length = 0;
      requests.length = 0;
    },
    close: () => closeServer(server),
  };
}

/** Why EventBridge would not accept the entry; undefined when it would. */
function entryProblem(entry: Record<string, unknown>): string | undefined {
  for (const key of ['Source', 'DetailType', 'Detail']) {
    if (typeof entry[key] !== 'string' || entry[key] === '') return `${key} is missing.`;
  }
  try {
    const detail: unknown = JSON.parse(entry.Detail as string);
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      return 'Detail is not a JSON object.';
  } catch {
    return 'Detail is not valid JSON.';
  }
  return undefined;
}
