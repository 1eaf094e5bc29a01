/**
 * Starting and stopping the stand-ins' servers on 127.0.0.1, on a port the system picks.
 *
 * @module
 */
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';

/**
 * Listens on 127.0.0.1 (a free port) and resolves with the port.
 *
 * @example
 * ```ts
 * const port = await listenOnLoopback(createServer(handler));
 * ```
 */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not a TCP server');
  return address.port;
}

/** Stops an HTTP server, destroying open (also hanging) connections; resolves once closed. */
export function closeServer(server: HttpServer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
