/**
 * A counting HTTP reverse proxy, put in front of a local stand-in to count what the function
 * sends it: every request (method, path without query, operation, status) and every TCP
 * connection the function opens. The `Host` header is rewritten to the target's, so pre-signed
 * S3 URLs (which sign `host`) still verify; everything else passes through untouched.
 *
 * The target can be set after the proxy starts ({@link CountingProxy.retarget}), because the
 * function's environment (which names the proxy) is fixed before the stand-ins exist.
 *
 * @module
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One request that went through the proxy. */
export interface ProxiedRequest {
  readonly method: string;
  /** The path, without the query (pre-signed URLs carry their signature there). */
  readonly path: string;
  /** The `X-Amz-Target` operation (`DynamoDB_20120810.PutItem` → `PutItem`), if any. */
  readonly operation: string | undefined;
  /** The status answered; 502 when the target could not be reached. */
  readonly status: number;
  /** Which of the proxy's client connections (1-based) carried it. */
  readonly connection: number;
  /** The request body as text (bodies here are small JSON documents). */
  readonly body: string;
  /** When the request arrived, `performance.now()` of this process. */
  readonly receivedAt: number;
  /** When the target's answer arrived (just before it is passed on), `performance.now()`. */
  readonly answeredAt: number;
}

/** A running proxy. */
export interface CountingProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  /** Every request so far, oldest first. */
  readonly requests: readonly ProxiedRequest[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Forwards to `endpoint` (`http://host:port`) from now on. */
  retarget(endpoint: string): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (random port); requests before {@link CountingProxy.retarget} get 502. */
export async function startCountingProxy(): Promise<CountingProxy> {
  let target: URL | undefined;
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<Socket, number>();
  let connections = 0;
  const agent = new Agent({ keepAlive: true });

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    const connection = connectionIds.get(incoming.socket) ?? 0;
    const receivedAt = performance.now();
    const rawTarget = incoming.headers['x-amz-target'];
    const chunks: Buffer[] = [];
    const record = (status: number): void => {
      requests.push({
        body: Buffer.concat(chunks).toString('utf8'),
        method: incoming.method ?? '?',
        path: (incoming.url ?? '').split('?')[0] ?? '',
        operation: typeof rawTarget === 'string' ? rawTarget.split('.').pop() : undefined,
        status,
        connection,
        receivedAt,
        answeredAt: performance.now(),
      });
    };
    const fail = (): void => {
      record(502);
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    };
    if (target === undefined) {
      incoming.resume();
      fail();
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
        agent,
      },
      (answer) => {
        record(answer.statusCode ?? 0);
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', fail);
    incoming.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      upstream.write(chunk);
    });
    incoming.on('end', () => upstream.end());
  };

  const server = createServer(forward);
  server.on('connection', (socket: Socket) => {
    connections += 1;
    connectionIds.set(socket, connections);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    get connections() {
      return connections;
    },
    retarget(endpoint) {
      target = new URL(endpoint);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        agent.destroy();
      });
    },
  };
}
