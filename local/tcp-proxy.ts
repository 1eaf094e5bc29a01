/**
 * A small TCP proxy for tests, put in front of a local stand-in to make it slow or unreachable
 * without touching the stand-in itself:
 * - `delayMs`: every chunk the client sends is held this long before it is forwarded (so each
 *   request arrives that much later; order is kept);
 * - `down`: open connections are reset and new ones are accepted and reset at once, which the AWS
 *   SDK sees as a network error (`ECONNRESET` / socket hang up), like a service that is down.
 *
 * @module
 */

import type { Socket } from 'node:net';
import { createConnection, createServer } from 'node:net';
import { listenOnLoopback } from './loopback.js';

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** Where to forward to. */
  targetHost: string;
  targetPort: number;
  /** Initial delay per client chunk, ms; default 0. */
  delayMs?: number;
}

/** A running proxy. */
export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Changes the delay for chunks received from now on. */
  setDelay(ms: number): void;
  /** `true`: reset every open and new connection; `false`: forward again. */
  setDown(down: boolean): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

/** Starts a TCP proxy on 127.0.0.1 (random port) forwarding to the target. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  let delayMs = options.delayMs ?? 0;
  let down = false;
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: options.targetHost, port: options.targetPort });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.pipe(client);

    // Forward client chunks in order, each no earlier than delayMs after it arrived.
    const queue: { chunk: Buffer; releaseAt: number }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = (): void => {
      timer = undefined;
      while (queue.length > 0) {
        const head = queue[0];
        if (!head) break;
        const wait = head.releaseAt - Date.now();
        if (wait > 0) {
          timer = setTimeout(pump, wait);
          return;
        }
        queue.shift();
        upstream.write(head.chunk);
      }
    };
    client.on('data', (chunk: Buffer) => {
      queue.push({ chunk, releaseAt: Date.now() + delayMs });
      if (!timer) pump();
    });
    client.on('end', () => {
      const finish = (): void => {
        if (queue.length === 0) upstream.end();
        else setTimeout(finish, 5);
      };
      finish();
    });
    client.on('close', () => {
      if (timer) clearTimeout(timer);
    });
  });

  const port = await listenOnLoopback(server);

  return {
    port,
    setDelay(ms) {
      delayMs = ms;
    },
    setDown(value) {
      down = value;
      if (down) {
        for (const socket of sockets) socket.resetAndDestroy();
      }
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
