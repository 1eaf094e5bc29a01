/**
 * The AWS Query wire protocol, server side, for small stand-ins of Query services (STS,
 * CloudFormation) that the real AWS SDK v3 clients talk to unchanged:
 * - requests: `POST /`, `Content-Type: application/x-www-form-urlencoded`, a form body with
 *   `Action`, `Version` and the operation's parameters, a SigV4 `Authorization` header (the
 *   signature itself is not checked; the credential's access key, region and service are read
 *   and recorded);
 * - answers: XML, `<Action>Response><Action>Result>…</Action>Result><ResponseMetadata>…`;
 * - errors: `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>`
 *   with the error's HTTP status (the SDK reads `Code` as the error's name).
 *
 * The server sits behind a {@link startTcpProxy} so that a test can make the service slow or
 * unreachable while its endpoint stays the same.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { closeServer, listenOnLoopback } from './loopback.js';
import { startTcpProxy } from './tcp-proxy.js';
import { parseCredentialScope } from './verified-permissions/wire.js';

/** One request a Query stand-in received, in arrival order. */
export interface QueryRequest {
  /** The form's `Action` (`AssumeRole`, `DescribeStacks`, …). */
  readonly action: string | undefined;
  /** Every form parameter, `Action` and `Version` included. */
  readonly params: Readonly<Record<string, string>>;
  /** The access key that signed it (SigV4 `Credential=`); undefined when unsigned. */
  readonly accessKeyId: string | undefined;
  /** The region of its SigV4 credential scope. */
  readonly region: string | undefined;
  /** Arrival time, epoch ms (fractional: ordered with the other stand-ins' records). */
  readonly time: number;
  /** HTTP status of the answer. */
  status: number | undefined;
  /** The error `Code` answered, if any. */
  errorCode?: string;
}

/** What an action handler learns of its request. */
export interface QueryCall {
  readonly params: Readonly<Record<string, string>>;
  readonly accessKeyId: string;
  readonly region: string;
}

/** An error answer, thrown by an action handler. */
export class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

/** An action's handler: the inner XML of its `<Action>Result>` element. */
export type QueryAction = (call: QueryCall) => string;

export interface QueryServiceOptions {
  /** The SigV4 signing name requests must be scoped to (`sts`, `cloudformation`). */
  readonly signingName: string;
  /** The XML namespace of answers (`https://sts.amazonaws.com/doc/2011-06-15/`). */
  readonly namespace: string;
  readonly actions: Readonly<Record<string, QueryAction>>;
}

/** A running Query stand-in. */
export interface QueryService {
  /** `http://127.0.0.1:<port>` (the proxy in front of the server). */
  readonly endpoint: string;
  /** Every request received, oldest first. */
  readonly requests: readonly QueryRequest[];
  /** Makes every request from now on arrive `ms` later. */
  setDelay(ms: number): void;
  /** `true`: every connection is reset, as if the service were unreachable; `false`: back to normal. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/**
 * Starts a Query service stand-in on 127.0.0.1 (random port).
 *
 * @example
 * ```ts
 * const service = await startQueryService({ signingName: 'sts', namespace, actions: { AssumeRole } });
 * new STSClient({ region: 'eu-west-1', endpoint: service.endpoint, credentials });
 * ```
 */
export async function startQueryService(options: QueryServiceOptions): Promise<QueryService> {
  const requests: QueryRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const time = performance.timeOrigin + performance.now();
    const params = Object.fromEntries(new URLSearchParams(await readBody(req)));
    const credential = parseCredentialScope(req.headers.authorization);
    const action = params.Action;
    const record: QueryRequest = {
      action,
      params,
      accessKeyId: credential?.accessKeyId,
      region: credential?.region,
      time,
      status: undefined,
    };
    requests.push(record);
    let status = 200;
    let xml: string;
    try {
      const run = action === undefined ? undefined : options.actions[action];
      if (req.method !== 'POST' || run === undefined) {
        throw new QueryError('InvalidAction', `Could not find operation ${String(action)}.`);
      }
      if (credential === undefined) {
        throw new QueryError(
          'MissingAuthenticationToken',
          'Request is missing Authentication Token',
          403,
        );
      }
      if (credential.service !== options.signingName) {
        throw new QueryError(
          'SignatureDoesNotMatch',
          `Credential should be scoped to correct service: '${options.signingName}'.`,
          403,
        );
      }
      const result = run({
        params,
        accessKeyId: credential.accessKeyId,
        region: credential.region,
      });
      xml = `<${action}Response xmlns="${options.namespace}"><${action}Result>${result}</${action}Result>${metadata()}</${action}Response>`;
    } catch (error) {
      const failure =
        error instanceof QueryError
          ? error
          : new QueryError(
              'InternalFailure',
              `Stand-in failure: ${String(error)}`,
              500,
              'Receiver',
            );
      status = failure.status;
      record.errorCode = failure.code;
      xml = `<ErrorResponse xmlns="${options.namespace}"><Error><Type>${failure.type}</Type><Code>${failure.code}</Code><Message>${escapeXml(failure.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
    }
    record.status = status;
    res.writeHead(status, {
      'content-type': 'text/xml',
      'content-length': Buffer.byteLength(xml),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(xml);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  const serverPort = await listenOnLoopback(server);
  const proxy = await startTcpProxy({
    targetHost: '127.0.0.1',
    targetPort: serverPort,
  });
  return {
    endpoint: `http://127.0.0.1:${proxy.port}`,
    requests,
    setDelay: (ms) => proxy.setDelay(ms),
    setDown: (down) => proxy.setDown(down),
    async close() {
      await proxy.close();
      await closeServer(server);
    },
  };
}

/** Text for an XML element's content. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

function metadata(): string {
  return `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
