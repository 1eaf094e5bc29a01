/**
 * CloudFormation's genuine response host names, served locally over real HTTPS, so the built
 * bundle, unchanged, answers a ResponseURL such as
 * `https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/<key>?X-Amz-…`
 * — port-less, on the host the SDK's endpoint rules give that bucket in its region, SigV4-signed
 * for that host — with `RESPONSE_URL_ALLOWED_HOSTS` listing nothing.
 *
 * The parts:
 * - a response bucket (`response-bucket.ts`) holding one bucket per region,
 *   `cloudformation-custom-resource-response-<region without hyphens>`, which checks the SigV4
 *   signature of each PUT against the host name it was sent to;
 * - a TLS front on 127.0.0.1 with a certificate for exactly those host names, issued by a CA made
 *   for the run (`tls-certificates.ts`), that passes the decrypted bytes to the bucket unchanged;
 * - a trap: a listener for host names that must never be connected to (look-alikes), which only
 *   records each connection and closes it;
 * - for the function's process ({@link GenuineResponseHost.processOptions}): the preload
 *   `host-routes.mjs` (`--import`) with the route table — the genuine names to the front, the trap
 *   names to the trap, any port — and `NODE_EXTRA_CA_CERTS` naming the CA, so the child verifies
 *   the front's certificate against the genuine name like S3's.
 *
 * Every TCP connection either listener accepts is recorded ({@link GenuineResponseHost.connections}).
 *
 * @module
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import { createConnection, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createSecureContext, TLSSocket } from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type ResponseBucket,
  type StoredResponse,
  startResponseBucket,
} from './response-bucket.js';
import { issueTestCertificates } from './tls-certificates.js';

const HOST_ROUTES_PRELOAD = fileURLToPath(new URL('./host-routes.mjs', import.meta.url));

/**
 * Where a bucket's URLs point: its region, and optionally the S3 endpoint they name instead of the
 * SDK's regional one (`https://s3.amazonaws.com` gives CloudFormation's global us-east-1 form,
 * `<bucket>.s3.amazonaws.com`).
 */
export interface ResponseSite {
  readonly region: string;
  readonly endpoint?: string;
}

export interface GenuineResponseHostOptions {
  /** The regions (or sites) whose CloudFormation response host names are served. */
  readonly sites: readonly (string | ResponseSite)[];
  /** Host names (or IP literals) that lead to the trap. */
  readonly trapHosts?: readonly string[];
}

/** One TCP connection a listener accepted. */
export interface ListenerConnection {
  readonly listener: 'front' | 'trap';
  /** Epoch ms. */
  readonly time: number;
  /** Front: the TLS server name (SNI) the client asked for, once the handshake is done. */
  servername: string | undefined;
}

export interface GenuineResponseHost {
  /** The bucket stand-in behind the front (its `requests` show each PUT's `Host`). */
  readonly bucket: ResponseBucket;
  /** What the function's process needs: give both to `startLambdaProcess`. */
  readonly processOptions: {
    readonly execArgv: readonly string[];
    readonly env: Readonly<Record<string, string>>;
  };
  /** Every connection the front or the trap accepted, oldest first. */
  readonly connections: readonly ListenerConnection[];
  /** The host name served for a region (or site), e.g. `…-euscdeeast1.s3.eusc-de-east-1.amazonaws.eu`. */
  hostOf(site: string | ResponseSite): string;
  /** A pre-signed PutObject URL for `key` in the region's CloudFormation response bucket. */
  responseUrl(site: string | ResponseSite, key: string): Promise<string>;
  /** Reads back what was PUT for `key` in the region's bucket. */
  readResponse(site: string | ResponseSite, key: string): Promise<StoredResponse | undefined>;
  stop(): Promise<void>;
}

/**
 * The bucket CloudFormation answers custom resources through in a region.
 *
 * @example
 * ```ts
 * cloudFormationResponseBucket('eusc-de-east-1'); // 'cloudformation-custom-resource-response-euscdeeast1'
 * ```
 */
export function cloudFormationResponseBucket(region: string): string {
  return `cloudformation-custom-resource-response-${region.replaceAll('-', '')}`;
}

/**
 * Starts the bucket, the TLS front and the trap.
 *
 * @example
 * ```ts
 * const host = await startGenuineResponseHost({ sites: ['cn-north-1'], trapHosts: ['evil.example'] });
 * const lambda = await startLambdaProcess({ ...host.processOptions, env: { ...host.processOptions.env, AWS_REGION: 'cn-north-1' } });
 * ```
 */
export async function startGenuineResponseHost(
  options: GenuineResponseHostOptions,
): Promise<GenuineResponseHost> {
  const sites = options.sites.map((site) => (typeof site === 'string' ? { region: site } : site));
  const bucket = await startResponseBucket({
    virtualHostedBuckets: [...new Set(sites.map((s) => cloudFormationResponseBucket(s.region)))],
  });
  const urlFor = (site: ResponseSite, key: string) =>
    bucket.virtualHostedUrl(cloudFormationResponseBucket(site.region), key, site);
  const siteId = (site: string | ResponseSite) =>
    typeof site === 'string' ? site : `${site.region} ${site.endpoint ?? ''}`.trim();
  // The SDK says which host a bucket's URL names; ask it once per site.
  const hosts = new Map<string, string>();
  for (const site of sites) {
    hosts.set(siteId(site), new URL(await urlFor(site, 'probe')).hostname);
  }
  const hostOf = (site: string | ResponseSite): string => {
    const host = hosts.get(siteId(site));
    if (host === undefined) throw new Error(`no response host is served for ${siteId(site)}`);
    return host;
  };

  const certificates = await issueTestCertificates([...new Set(hosts.values())]).catch(
    async (error: unknown) => {
      await bucket.stop();
      throw error;
    },
  );
  const secureContext = createSecureContext({ key: certificates.key, cert: certificates.cert });
  const connections: ListenerConnection[] = [];
  const sockets = new Set<Socket>();
  const accept = (listener: ListenerConnection['listener'], socket: Socket) => {
    const record: ListenerConnection = {
      listener,
      time: performance.timeOrigin + performance.now(),
      servername: undefined,
    };
    connections.push(record);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return record;
  };
  const bucketPort = Number(new URL(bucket.endpoint).port);
  const front = createServer((socket) => {
    const record = accept('front', socket);
    const secure = new TLSSocket(socket, { isServer: true, secureContext });
    secure.on('secure', () => {
      record.servername = secure.servername || undefined;
    });
    const upstream = createConnection({ host: '127.0.0.1', port: bucketPort });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      secure.destroy();
    });
    for (const side of [secure, upstream]) side.on('error', () => socket.destroy());
    secure.on('close', () => upstream.destroy());
    secure.pipe(upstream).pipe(secure);
  });
  const trap = createServer((socket) => {
    accept('trap', socket);
    socket.destroy();
  });
  const [frontPort, trapPort] = await Promise.all([listen(front), listen(trap)]);

  const routes: Record<string, number> = {};
  for (const host of options.trapHosts ?? []) routes[host.replace(/^\[(.*)\]$/, '$1')] = trapPort;
  for (const host of hosts.values()) routes[host] = frontPort;

  return {
    bucket,
    processOptions: {
      execArgv: ['--import', pathToFileURL(HOST_ROUTES_PRELOAD).href],
      env: { LOCAL_HOST_ROUTES: JSON.stringify(routes), NODE_EXTRA_CA_CERTS: certificates.caFile },
    },
    connections,
    hostOf,
    responseUrl(site, key) {
      hostOf(site);
      return urlFor(typeof site === 'string' ? { region: site } : site, key);
    },
    readResponse(site, key) {
      const region = typeof site === 'string' ? site : site.region;
      return bucket.readResponse(key, cloudFormationResponseBucket(region));
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([close(front), close(trap)]);
      await Promise.all([bucket.stop(), certificates.remove()]);
    },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
