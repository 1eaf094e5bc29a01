/**
 * The stand-in for CloudFormation's response bucket: a local S3 (`@20minutes/s3rver`) with one
 * bucket, and pre-signed PutObject URLs for it made the way CloudFormation makes its
 * `ResponseURL`s.
 *
 * - {@link ResponseBucket.responseUrl}: SigV4 query-signed URL (`@aws-sdk/s3-request-presigner`,
 *   path style, region us-east-1, 2 hours), as CloudFormation issues today. Only `host` is signed,
 *   so any Content-Type is accepted.
 * - {@link ResponseBucket.sigV2ResponseUrl}: the older SigV2 query form (`AWSAccessKeyId`,
 *   `Expires`, `Signature`). Its string-to-sign includes the Content-Type, signed here as empty, so a
 *   PUT that sends a non-empty Content-Type gets 403 `SignatureDoesNotMatch`. s3rver checks both
 *   signature versions (`lib/middleware/authentication.js`), so these 403s are real checks.
 * - {@link ResponseBucket.virtualHostedUrl}: a SigV4 URL on the genuine AWS host name of a bucket
 *   in a region (`https://<bucket>.s3.<region>.<dnsSuffix>/<key>`, the host the SDK's endpoint
 *   rules give, for any partition), for buckets named in
 *   {@link ResponseBucketOptions.virtualHostedBuckets}. The server checks those signatures itself
 *   (`virtual-hosted-s3.ts`: s3rver cannot); what serves such a host name over HTTPS is
 *   `genuine-response-host.ts`.
 *
 * s3rver on its own accepts unsigned requests; here they get 403 `AccessDenied`, as from the real
 * bucket, so a PUT that lost its query string fails. Every request is recorded
 * ({@link ResponseBucket.requests}).
 *
 * s3rver only has a filesystem store; objects go to a fresh temporary directory that
 * {@link ResponseBucket.stop} removes. It knows one key pair, `S3RVER`/`S3RVER`, which every URL
 * here is signed with.
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import S3rver from '@20minutes/s3rver';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import {
  checkPresignedRequest,
  single,
  virtualHostedBucket,
  withoutPresignedParameters,
} from './virtual-hosted-s3.js';

/** The bucket created when no name is given. */
export const DEFAULT_RESPONSE_BUCKET = 'cfn-responses';

/** The only credentials s3rver accepts (hard-coded in its `models/account.js`). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

const ACCESS_DENIED_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

/** CloudFormation's ResponseURLs are valid for two hours. */
const CLOUDFORMATION_URL_EXPIRY_SECONDS = 7200;

/** Options of {@link startResponseBucket}. */
export interface ResponseBucketOptions {
  /** Default {@link DEFAULT_RESPONSE_BUCKET}. */
  bucket?: string;
  /** More buckets, addressed on their genuine host names ({@link ResponseBucket.virtualHostedUrl}). */
  virtualHostedBuckets?: readonly string[];
}

/** An object read back from the bucket. */
export interface StoredResponse {
  /** The body parsed as JSON; undefined when it is not JSON. */
  body: unknown;
  /** The body as text. */
  text: string;
  /** The stored Content-Type (S3 stores `binary/octet-stream` when the PUT sent none). */
  contentType: string | undefined;
  contentLength: number | undefined;
}

/** One request the bucket received. */
export interface BucketRequest {
  readonly method: string;
  /** The `Host` header as sent (a virtual-hosted request names its bucket there). */
  readonly host: string | undefined;
  /** The path as sent, without the query (where pre-signed URLs carry their signature). */
  readonly path: string;
  /** Arrival time, epoch ms (fractional: ordered with the other stand-ins' records). */
  readonly time: number;
  /** The status answered, and when the answer was ready; undefined until then. */
  status: number | undefined;
  answeredAt: number | undefined;
}

/** A running response bucket. */
export interface ResponseBucket {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: 'us-east-1';
  /** Every request received, oldest first (this module's own reads included). */
  readonly requests: readonly BucketRequest[];
  /** A SigV4 pre-signed PutObject URL for `key` (default expiry 7200 s). */
  responseUrl(key: string, options?: { expiresIn?: number }): Promise<string>;
  /**
   * A SigV2 pre-signed PutObject URL for `key`, signed for the given Content-Type (default none:
   * only a PUT without a Content-Type header, or with an empty one, is accepted).
   */
  sigV2ResponseUrl(key: string, options?: { expiresIn?: number; contentType?: string }): string;
  /**
   * A SigV4 pre-signed PutObject URL for `key` in one of the virtual-hosted buckets, on the host
   * name the SDK gives that bucket in `region` (or under `endpoint`, e.g. the global
   * `https://s3.amazonaws.com`). Nothing in it names this server: whoever PUTs to it must be
   * routed here (see `genuine-response-host.ts`).
   */
  virtualHostedUrl(
    bucket: string,
    key: string,
    options: { region: string; endpoint?: string; expiresIn?: number },
  ): Promise<string>;
  /** Reads `key` back (from `bucket`, default this one); undefined when nothing was stored. */
  readResponse(key: string, bucket?: string): Promise<StoredResponse | undefined>;
  /** The keys stored so far. */
  keys(): Promise<string[]>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * The object key CloudFormation uses for a request's response:
 * `<StackId>|<LogicalResourceId>|<RequestId>` (contains `/` and `:` — good for testing encoding).
 */
export function cloudFormationResponseKey(request: {
  StackId: string;
  LogicalResourceId: string;
  RequestId: string;
}): string {
  return `${request.StackId}|${request.LogicalResourceId}|${request.RequestId}`;
}

/** Starts s3rver on 127.0.0.1 (random port) with the response bucket. */
export async function startResponseBucket(
  options: ResponseBucketOptions = {},
): Promise<ResponseBucket> {
  const bucket = options.bucket ?? DEFAULT_RESPONSE_BUCKET;
  const directory = await mkdtemp(join(tmpdir(), 'response-bucket-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [bucket, ...(options.virtualHostedBuckets ?? [])].map((name) => ({ name })),
    // Virtual-hosted requests are handled below, for every partition's DNS suffix; s3rver's own
    // handling (one suffix, and a SigV4 check that fails them all) is off: `.invalid` never matches.
    vhostBuckets: false,
    serviceEndpoint: 'invalid',
  });
  // s3rver lets unsigned requests through; CloudFormation's bucket does not. Put a guard first.
  server.middleware.unshift((context, next) => {
    const signed =
      context.state.virtualHostedSignatureChecked === true ||
      'Signature' in context.query ||
      'X-Amz-Signature' in context.query ||
      context.headers.authorization !== undefined;
    if (signed) return next();
    context.status = 403;
    context.type = 'application/xml';
    context.body = ACCESS_DENIED_XML;
  });
  const presigners = new Map<string, S3Client>();
  const presignerFor = (region: string, endpoint: string | undefined): S3Client => {
    const id = `${region} ${endpoint ?? ''}`;
    let client = presigners.get(id);
    if (client === undefined) {
      client = new S3Client({
        region,
        ...(endpoint !== undefined && { endpoint }),
        credentials: S3RVER_CREDENTIALS,
        requestChecksumCalculation: 'WHEN_REQUIRED',
      });
      presigners.set(id, client);
    }
    return client;
  };
  // A virtual-hosted request: its signature checked as S3 checks it, then passed on path-style.
  server.middleware.unshift(async (context, next) => {
    const host = single(context.headers.host) ?? '';
    const hostedBucket = virtualHostedBucket(host);
    if (hostedBucket === undefined) return next();
    const refusal = await checkPresignedRequest(
      {
        method: context.method,
        host,
        path: context.path,
        query: context.query,
        headers: context.headers,
      },
      new S3RequestPresigner({ ...presignerFor('us-east-1', undefined).config }),
    );
    if (refusal !== undefined) {
      context.status = 403;
      context.type = 'application/xml';
      context.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${refusal.message}</Message></Error>`;
      return;
    }
    context.state.virtualHostedSignatureChecked = true;
    context.querystring = withoutPresignedParameters(context.query).toString();
    context.path = `/${hostedBucket}${context.path}`;
    return next();
  });
  const requests: BucketRequest[] = [];
  const now = () => performance.timeOrigin + performance.now();
  server.middleware.unshift(async (context, next) => {
    const record: BucketRequest = {
      method: context.method,
      host: single(context.headers.host),
      path: context.path,
      time: now(),
      status: undefined,
      answeredAt: undefined,
    };
    requests.push(record);
    await next();
    record.status = context.status;
    record.answeredAt = now();
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    // Without this the SDK adds a checksum of the (empty) body to pre-signed PutObject URLs,
    // which CloudFormation's URLs do not have.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // The SDK signs bucket-level requests for path `/<bucket>/`, s3rver checks them against
  // `/<bucket>` (SignatureDoesNotMatch on ListObjectsV2); drop the trailing slash before signing.
  s3.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { path?: unknown };
      if (request.path === `/${bucket}/`) request.path = `/${bucket}`;
      return next(args);
    },
    { step: 'build', name: 's3rverBucketPath' },
  );

  return {
    endpoint,
    bucket,
    region: 'us-east-1',
    requests,
    responseUrl(key, urlOptions = {}) {
      return getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn: urlOptions.expiresIn ?? CLOUDFORMATION_URL_EXPIRY_SECONDS,
      });
    },
    sigV2ResponseUrl(key, urlOptions = {}) {
      const expires =
        Math.floor(Date.now() / 1000) + (urlOptions.expiresIn ?? CLOUDFORMATION_URL_EXPIRY_SECONDS);
      const resource = `/${bucket}/${key.split('/').map(encodeRfc3986).join('/')}`;
      const stringToSign = ['PUT', '', urlOptions.contentType ?? '', expires, resource].join('\n');
      const signature = createHmac('sha1', S3RVER_CREDENTIALS.secretAccessKey)
        .update(stringToSign, 'utf8')
        .digest('base64');
      const query = `AWSAccessKeyId=${S3RVER_CREDENTIALS.accessKeyId}&Expires=${expires}&Signature=${encodeURIComponent(signature)}`;
      return `${endpoint}${resource}?${query}`;
    },
    virtualHostedUrl(hostedBucket, key, urlOptions) {
      return getSignedUrl(
        presignerFor(urlOptions.region, urlOptions.endpoint),
        new PutObjectCommand({ Bucket: hostedBucket, Key: key }),
        { expiresIn: urlOptions.expiresIn ?? CLOUDFORMATION_URL_EXPIRY_SECONDS },
      );
    },
    async readResponse(key, from = bucket) {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: from, Key: key }));
        const text = (await object.Body?.transformToString('utf8')) ?? '';
        return {
          body: parseJson(text),
          text,
          contentType: object.ContentType,
          contentLength: object.ContentLength,
        };
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    async keys() {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (listed.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
    },
    async stop() {
      s3.destroy();
      for (const client of presigners.values()) client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** `encodeURIComponent` that also escapes `!'()*`, as S3 canonicalises keys. */
function encodeRfc3986(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
