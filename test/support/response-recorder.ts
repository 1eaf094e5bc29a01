/**
 * A scriptable HTTP endpoint that stands in for a `ResponseURL` when a test needs to control the
 * answer: it records every request (method, path, headers, body) and answers with the next
 * scripted reply — a status (e.g. 503 twice, then the default 200), a connection reset, or no
 * answer at all.
 *
 * @module
 */

import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import { listenOnLoopback } from '../../local/loopback.js';

/** One scripted answer. */
export type RecorderReply =
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  /** Destroy the connection (TCP reset) without answering. */
  | { reset: true }
  /** Never answer (until {@link ResponseRecorder.close}). */
  | { hang: true };

/** One request the recorder received. */
export interface RecordedHttpRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** Lower-cased header names; a header sent empty is `''`, one not sent is absent. */
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
  /** Arrival time, epoch ms. */
  time: number;
  /** What it was answered with: a status, `'reset'` or `'hang'`. */
  reply: number | 'reset' | 'hang';
}

/** Options of {@link startResponseRecorder}. */
export interface ResponseRecorderOptions {
  /** Replies to use first, in order; then the default (200, empty body). */
  script?: RecorderReply[];
}

/** A running recorder. */
export interface ResponseRecorder {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Every request received, oldest first. */
  readonly requests: readonly RecordedHttpRequest[];
  /** A URL on the recorder (default path `/response`). */
  url(path?: string): string;
  /** Appends replies to the script. */
  script(...replies: RecorderReply[]): void;
  /** Resolves when at least `count` requests have arrived; rejects after `timeoutMs` (default 5000). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedHttpRequest[]>;
  /** Stops the server, destroying open (also hanging) connections. */
  close(): Promise<void>;
}

/** Starts a response recorder on 127.0.0.1 (random port). */
export async function startResponseRecorder(
  options: ResponseRecorderOptions = {},
): Promise<ResponseRecorder> {
  const pending: RecorderReply[] = [...(options.script ?? [])];
  const requests: RecordedHttpRequest[] = [];
  const waiters = new Set<() => void>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = pending.shift() ?? { status: 200 };
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json: parseJson(body),
        time: Date.now(),
        reply: 'reset' in reply ? 'reset' : 'hang' in reply ? 'hang' : reply.status,
      });
      for (const wake of waiters) wake();
      if ('reset' in reply) {
        req.socket.resetAndDestroy();
      } else if ('status' in reply) {
        setTimeout(() => {
          res.writeHead(reply.status, reply.headers);
          res.end(reply.body ?? '');
        }, reply.delayMs ?? 0);
      }
    });
  });
  const endpoint = `http://127.0.0.1:${await listenOnLoopback(server)}`;

  return {
    endpoint,
    requests,
    url: (path = '/response') => `${endpoint}${path.startsWith('/') ? '' : '/'}${path}`,
    script(...replies) {
      pending.push(...replies);
    },
    waitForRequests(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (requests.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve([...requests]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `expected ${count} request(s) within ${timeoutMs} ms, got ${requests.length}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
