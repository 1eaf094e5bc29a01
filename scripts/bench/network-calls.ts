/**
 * Network calls per request on the happy path, counted at the stand-ins: Verified Permissions
 * requests as the test double recorded them, DynamoDB and S3 (response PUT) requests as a
 * counting proxy in front of each saw them, and the TCP connections the function opened.
 *
 * The function's environment points `AWS_ENDPOINT_URL_VERIFIEDPERMISSIONS` and
 * `AWS_ENDPOINT_URL_DYNAMODB` at the proxies; each event's pre-signed ResponseURL is pointed at
 * the S3 proxy (same host, other port; the signature covers the host name, which the proxy
 * restores).
 *
 * @module
 */
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { type CountingProxy, type ProxiedRequest, startCountingProxy } from './counting-proxy.js';
import { invokeExpectingSuccess, REQUEST_TYPES, type RequestType, requestFor } from './scenario.js';

/** The services the function talks to. */
export const SERVICES = ['verifiedPermissions', 'dynamoDb', 's3'] as const;

/** One of {@link SERVICES}. */
export type Service = (typeof SERVICES)[number];

/** What one request caused. */
export interface CallCount {
  /** Every call in the order it reached the proxies (`DynamoDB PutItem`, `S3 PUT`, …). */
  readonly sequence: readonly string[];
  /** Operations per service, in order (S3: `PUT`). */
  readonly calls: Readonly<Record<Service, readonly string[]>>;
  /** TCP connections the function opened per service. */
  readonly newConnections: Readonly<Record<Service, number>>;
  /** All calls. */
  readonly total: number;
}

/** The counts of every request of one type. */
export interface TypeCounts {
  readonly type: RequestType;
  readonly samples: readonly CallCount[];
}

/** What {@link measureNetworkCalls} found. */
export interface NetworkCallsResult {
  /** The first request after the cold start (a Create). */
  readonly first: CallCount;
  /** Warm requests, by type. */
  readonly byType: readonly TypeCounts[];
}

/** Options of {@link measureNetworkCalls}. */
export interface NetworkCallsOptions {
  /** Create → Update → Delete cycles (one policy store each). */
  readonly cycles: number;
  /** Extra environment for the function. */
  readonly env: Readonly<Record<string, string>>;
}

/** Runs the cycles against a fresh local stack behind counting proxies. */
export async function measureNetworkCalls(
  options: NetworkCallsOptions,
): Promise<NetworkCallsResult> {
  const proxies: Record<Service, CountingProxy> = {
    verifiedPermissions: await startCountingProxy(),
    dynamoDb: await startCountingProxy(),
    s3: await startCountingProxy(),
  };
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      env: {
        ...options.env,
        AWS_ENDPOINT_URL_VERIFIEDPERMISSIONS: proxies.verifiedPermissions.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: proxies.dynamoDb.endpoint,
      },
    });
    if (stack.dynamo === undefined) throw new Error('the local stack has no DynamoDB');
    proxies.verifiedPermissions.retarget(stack.verifiedPermissions.endpoint);
    proxies.dynamoDb.retarget(stack.dynamo.endpoint);
    proxies.s3.retarget(stack.bucket.endpoint);
    const send = counter(stack, proxies);

    const first = await send('Create', stack.verifiedPermissions.addPolicyStore());
    const samples = new Map<RequestType, CallCount[]>(REQUEST_TYPES.map((t) => [t, []]));
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      const storeId = stack.verifiedPermissions.addPolicyStore();
      const created = await send('Create', storeId);
      samples.get('Create')?.push(created);
      samples.get('Update')?.push(await send('Update', storeId, created.physicalId));
      samples.get('Delete')?.push(await send('Delete', storeId, created.physicalId));
    }
    return {
      first,
      byType: REQUEST_TYPES.map((type) => ({ type, samples: samples.get(type) ?? [] })),
    };
  } finally {
    await stack?.close();
    await Promise.all(SERVICES.map((service) => proxies[service].close()));
  }
}

/**
 * `PutItem (create-journal)`: the operation and which record it wrote, named by the part of the
 * item's `id` before the first `#` (Powertools idempotency: `<function name>`; create journal:
 * `create-journal`).
 */
function dynamoCall(request: ProxiedRequest): string {
  const operation = request.operation ?? `${request.method} ${request.path}`;
  try {
    const body = JSON.parse(request.body) as {
      Key?: { id?: { S?: string } };
      Item?: { id?: { S?: string } };
    };
    const id = body.Key?.id?.S ?? body.Item?.id?.S;
    return id === undefined ? operation : `${operation} (${id.split('#')[0]})`;
  } catch {
    return operation;
  }
}

/** Sends one request and counts what it caused. */
function counter(stack: LocalStack, proxies: Record<Service, CountingProxy>) {
  const bucketPort = new URL(stack.bucket.endpoint).port;
  const snapshot = () => ({
    doubleRequests: stack.verifiedPermissions.requests.length,
    proxied: Object.fromEntries(SERVICES.map((s) => [s, proxies[s].requests.length])),
    connections: Object.fromEntries(SERVICES.map((s) => [s, proxies[s].connections])),
  });
  return async (
    type: RequestType,
    storeId: string,
    physicalId?: string,
  ): Promise<CallCount & { physicalId: string }> => {
    const event = await stack.event(requestFor(type, storeId, physicalId));
    const viaProxy = String(event.ResponseURL).replace(
      `127.0.0.1:${bucketPort}/`,
      `127.0.0.1:${proxies.s3.port}/`,
    );
    const before = snapshot();
    const { response } = await invokeExpectingSuccess(stack, { ...event, ResponseURL: viaProxy });
    const since = (service: Service) => proxies[service].requests.slice(before.proxied[service]);
    const calls: Record<Service, string[]> = {
      verifiedPermissions: stack.verifiedPermissions.requests
        .slice(before.doubleRequests)
        .map((r) => r.operation ?? '?'),
      dynamoDb: since('dynamoDb').map((r) => dynamoCall(r)),
      s3: since('s3').map((r) => r.method),
    };
    const label: Record<Service, string> = {
      verifiedPermissions: 'VP',
      dynamoDb: 'DynamoDB',
      s3: 'S3',
    };
    const sequence = SERVICES.flatMap((s) =>
      since(s).map((r) => ({
        at: r.receivedAt,
        text: `${label[s]} ${s === 'dynamoDb' ? dynamoCall(r) : (r.operation ?? r.method)}`,
      })),
    )
      .sort((a, b) => a.at - b.at)
      .map((call) => call.text);
    const newConnections = Object.fromEntries(
      SERVICES.map((s) => [s, proxies[s].connections - (before.connections[s] ?? 0)]),
    ) as Record<Service, number>;
    return {
      sequence,
      calls,
      newConnections,
      total: SERVICES.reduce((sum, s) => sum + calls[s].length, 0),
      physicalId: response.PhysicalResourceId,
    };
  };
}
