/**
 * Virtual-hosted-style S3 requests (`https://<bucket>.s3.<region>.<dnsSuffix>/<key>`, the form
 * of CloudFormation's ResponseURLs) for the response bucket stand-in (`response-bucket.ts`).
 *
 * s3rver checks a SigV4 signature against the path-style URI `/<bucket>/<key>` even when the
 * bucket came from the host name, so a correctly signed virtual-hosted URL always fails there
 * with `SignatureDoesNotMatch` (a signature covers the path as sent, `/<key>`); and it knows
 * virtual hosts under one DNS suffix only. So the bucket stand-in checks such a request here, as
 * S3 does — the signature recomputed with the SDK's own presigner over what was received (method,
 * `Host` header, path as sent, query, the signed headers) and its expiry — and then hands it to
 * s3rver path-style, without the signature.
 *
 * @module
 */
import type { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { HttpRequest } from '@smithy/core/protocols';

/** A request as the bucket received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** The `Host` header as sent. */
  readonly host: string;
  /** The path as sent (percent-encoded), without the query. */
  readonly path: string;
  /** The query, decoded. */
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  /** Header names in lower case, as Node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Why S3 would refuse a request: its error code and message. */
export interface S3Refusal {
  readonly code: 'AccessDenied' | 'AuthorizationQueryParametersError' | 'SignatureDoesNotMatch';
  readonly message: string;
}

/** The query parameters of a SigV4 pre-signed URL. */
const PRESIGNED_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;

/**
 * The bucket a host name addresses virtual-hosted style (`<bucket>.s3.…`, `<bucket>.s3-….…`),
 * or undefined (an IP address, `localhost`, a path-style endpoint `s3.<region>.<suffix>`).
 *
 * @example
 * ```ts
 * virtualHostedBucket('cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn');
 * // 'cloudformation-custom-resource-response-cnnorth1'
 * virtualHostedBucket('127.0.0.1:4568'); // undefined
 * ```
 */
export function virtualHostedBucket(host: string): string | undefined {
  const match = /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.s3[.-][a-z0-9.-]+(:\d+)?$/.exec(
    host.toLowerCase(),
  );
  return match?.[1];
}

/**
 * Checks a SigV4 query-signed (pre-signed) request; undefined when S3 would accept it.
 *
 * @example
 * ```ts
 * const refusal = await checkPresignedRequest(received, new S3RequestPresigner({ ...s3.config }));
 * ```
 */
export async function checkPresignedRequest(
  request: ReceivedRequest,
  presigner: S3RequestPresigner,
  now = Date.now(),
): Promise<S3Refusal | undefined> {
  const [algorithm, credential, date, expires, signedHeaders, signature] = PRESIGNED_PARAMETERS.map(
    (name) => single(request.query[name]),
  );
  if (!algorithm || !credential || !date || !expires || !signedHeaders || !signature) {
    return {
      code: 'AccessDenied',
      message: `this stand-in accepts virtual-hosted requests pre-signed with SigV4 only (${PRESIGNED_PARAMETERS.join(', ')})`,
    };
  }
  const scope = /^[^/]+\/\d{8}\/([a-z0-9-]+)\/s3\/aws4_request$/.exec(credential);
  const signingDate = parseAmzDate(date);
  const expiresIn = Number(expires);
  if (algorithm !== 'AWS4-HMAC-SHA256' || !scope?.[1] || !signingDate || !(expiresIn > 0)) {
    return {
      code: 'AuthorizationQueryParametersError',
      message: 'X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date or X-Amz-Expires is malformed',
    };
  }
  const query = Object.fromEntries(
    Object.entries(request.query).filter(
      (entry): entry is [string, string | string[]] =>
        entry[0] !== 'X-Amz-Signature' && entry[1] !== undefined,
    ),
  );
  const headers = Object.fromEntries(
    signedHeaders.split(';').map((name) => [name, single(request.headers[name]) ?? '']),
  );
  const recomputed = await presigner.presign(
    new HttpRequest({
      method: request.method,
      protocol: 'https:',
      hostname: request.host.replace(/:\d+$/, ''),
      path: request.path,
      query,
      headers,
    }),
    { signingDate, expiresIn, signingRegion: scope[1] },
  );
  if (recomputed.query?.['X-Amz-Signature'] !== signature) {
    return {
      code: 'SignatureDoesNotMatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    };
  }
  if (signingDate.getTime() + expiresIn * 1000 < now) {
    return { code: 'AccessDenied', message: 'Request has expired' };
  }
  return undefined;
}

/** The query without the parameters of a pre-signed URL (what s3rver gets after the check). */
export function withoutPresignedParameters(
  query: Readonly<Record<string, string | string[] | undefined>>,
): URLSearchParams {
  const kept = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (/^x-amz-/i.test(name) || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) kept.append(name, item);
  }
  return kept;
}

/** The first value of a header or query parameter that may be repeated. */
export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `20260101T120000Z` → a Date; undefined when it is not that form. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}
