/**
 * A preload for the Lambda-like child process (`node --import <this file>`, given through
 * `startLambdaProcess`'s `execArgv`): connections to chosen host names go to local ports.
 *
 * `LOCAL_HOST_ROUTES` is JSON `{ "<host name or IP literal>": <port on 127.0.0.1>, … }`. A request
 * made with `node:http` or `node:https` (any agent: `Agent.prototype.createConnection` is where
 * Node turns a host and port into a socket) to a listed host, on any port, is connected to
 * 127.0.0.1:<port> instead. Nothing else changes: the URL, the `Host` header, the TLS server name
 * (SNI) and the certificate check against that name are what they would be on AWS. Hosts not
 * listed are untouched. No DNS is involved (Node's `dns.lookup` could map a name to 127.0.0.1 but
 * not change its port, and port 443 cannot be bound without privileges).
 *
 * Only `node:http`/`node:https` are covered, not `fetch` (undici): the provider answers with
 * `node:https` (`src/cloudformation/outbound.ts`).
 */
import http from 'node:http';
import https from 'node:https';

const routes = new Map(Object.entries(JSON.parse(process.env.LOCAL_HOST_ROUTES || '{}')));

/** The connection options with a listed host replaced by its local port. */
function routed(options) {
  const host = String(options.host ?? options.hostname ?? '')
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  const port = routes.get(host);
  return port === undefined ? options : { ...options, host: '127.0.0.1', port };
}

for (const Agent of [http.Agent, https.Agent]) {
  const createConnection = Agent.prototype.createConnection;
  Agent.prototype.createConnection = function routedConnection(options, ...rest) {
    const target = typeof options === 'object' && options !== null ? routed(options) : options;
    return createConnection.call(this, target, ...rest);
  };
}
