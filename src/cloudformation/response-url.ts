/**
 * Which `ResponseURL`s the provider may answer, and the redacted form used in logs.
 *
 * A pre-signed URL's query is its signature: whoever holds it can write the response, so
 * it never appears in a log line. Only HTTPS URLs on S3 hosts of an AWS partition are answered
 * (under each partition's DNS suffix, as the SDK's partition data gives it), plus hosts the
 * operator lists in `RESPONSE_URL_ALLOWED_HOSTS` (those may also use plain HTTP, on any port).
 *
 * When it was signed and until when it can be used are read from its query, once: SigV4
 * (`X-Amz-Date` + `X-Amz-Expires`) or SigV2 (`Expires`). CloudFormation signs a request's URL
 * when it issues the request and makes it valid for two hours, so the signing time tells which of
 * two requests for one resource CloudFormation issued first, on CloudFormation's clock.
 */
import { allPartitions, partitionOfRegion } from '../partitions.js';

export type ResponseUrlVerdict =
  | {
      readonly allowed: true;
      readonly url: URL;
      /** When it was signed and expires; `undefined` for a URL not signed in a known form. */
      readonly signed: SignatureTimes | undefined;
    }
  | { readonly allowed: false; readonly reason: string };

/**
 * Reads the extra allowed hosts from `RESPONSE_URL_ALLOWED_HOSTS` (comma-separated, no port).
 *
 * @example
 * ```ts
 * allowedHostsFromEnv('127.0.0.1, localhost'); // ['127.0.0.1', 'localhost']
 * ```
 */
export function allowedHostsFromEnv(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host.length > 0);
}

/**
 * Decides whether a `ResponseURL` may be answered.
 *
 * @example
 * ```ts
 * checkResponseUrl('https://bucket.s3.us-east-1.amazonaws.com/key?X-Amz-Signature=…', []).allowed; // true
 * checkResponseUrl('https://s3.amazonaws.com.evil.io/key', []).allowed; // false
 * ```
 */
export function checkResponseUrl(raw: string, extraHosts: readonly string[]): ResponseUrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { allowed: false, reason: 'not a valid absolute URL' };
  }
  if (url.username !== '' || url.password !== '') {
    return { allowed: false, reason: 'carries user information' };
  }
  const host = url.hostname.toLowerCase();
  if (extraHosts.includes(host) || extraHosts.includes(unbracketed(host))) {
    if (url.protocol === 'https:' || url.protocol === 'http:') {
      return { allowed: true, url, signed: signatureTimes(url) };
    }
    return { allowed: false, reason: `scheme ${url.protocol} is not http or https` };
  }
  if (url.protocol !== 'https:') return { allowed: false, reason: 'is not https' };
  if (url.port !== '') return { allowed: false, reason: 'names a port on an S3 host' };
  if (!isS3Host(host)) {
    return { allowed: false, reason: `host ${host} is not an S3 host of an AWS partition` };
  }
  return { allowed: true, url, signed: signatureTimes(url) };
}

/**
 * The form of a URL that may be logged: scheme, host and path; never the query (the signature).
 *
 * @example
 * ```ts
 * redactUrl('https://b.s3.amazonaws.com/k?X-Amz-Signature=abc'); // 'https://b.s3.amazonaws.com/k'
 * ```
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '<unparseable URL>';
  }
}

/**
 * True for the S3 endpoint host names CloudFormation's response URLs use, bucket-style or
 * path-style: `s3.<suffix>`, `s3-<region>.<suffix>`, `s3.<region>.<suffix>`,
 * `s3.dualstack.<region>.<suffix>`, `s3-fips.<region>.<suffix>`, `s3-fips.dualstack.<region>.<suffix>`,
 * where `<suffix>` is the DNS suffix of the region's partition (of any partition without a region).
 *
 * @example
 * ```ts
 * isS3Host('cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn'); // true
 * isS3Host('s3.amazonaws.eu.evil.io'); // false
 * ```
 */
function isS3Host(host: string): boolean {
  const labels = host.split('.');
  return labels.some(
    (label, i) =>
      /^s3(-fips)?$|^s3-[a-z0-9-]+$/.test(label) &&
      labels.slice(0, i).every((bucketLabel) => DNS_LABEL.test(bucketLabel)) &&
      isEndpointAfterS3(label, labels.slice(i + 1)),
  );
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** The labels after an `s3…` label: `[dualstack.]<region>.<suffix>`, or a bare `<suffix>`. */
function isEndpointAfterS3(s3Label: string, rest: readonly string[]): boolean {
  const inRegion = (region: string | undefined, suffix: readonly string[]) =>
    region !== undefined && partitionOfRegion(region)?.dnsSuffix === suffix.join('.');
  if (s3Label !== 's3' && s3Label !== 's3-fips') {
    return inRegion(s3Label.slice('s3-'.length), rest); // legacy s3-<region>
  }
  const [first, ...after] = rest;
  if (first === 'dualstack') return inRegion(after[0], after.slice(1));
  if (inRegion(first, after)) return true;
  return s3Label === 's3' && allPartitions().some((p) => p.dnsSuffix === rest.join('.'));
}

function unbracketed(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** How long CloudFormation's ResponseURLs are valid; a SigV2 URL's signing time is read back from it. */
const RESPONSE_URL_VALIDITY_SECONDS = 7200;

export interface SignatureTimes {
  /** Epoch ms when the URL was signed (SigV2: its expiry less the two hours). */
  readonly signedAt: number;
  /** Epoch ms after which the URL no longer works. */
  readonly expiresAt: number;
}

/**
 * The signing and expiry times of a pre-signed URL; `undefined` for a URL that is not signed
 * in a form this module knows (a host from `RESPONSE_URL_ALLOWED_HOSTS`, say).
 *
 * @example
 * ```ts
 * signatureTimes(new URL('https://b.s3.amazonaws.com/k?X-Amz-Date=20261201T100000Z&X-Amz-Expires=7200&X-Amz-Signature=…'));
 * // { signedAt: Date.UTC(2026, 11, 1, 10), expiresAt: Date.UTC(2026, 11, 1, 12) }
 * ```
 */
export function signatureTimes(responseUrl: URL): SignatureTimes | undefined {
  const query = responseUrl.searchParams;
  const amzDate = query.get('X-Amz-Date');
  const amzExpires = query.get('X-Amz-Expires');
  if (amzDate !== null && amzExpires !== null) {
    const signedAt = parseAmzDate(amzDate);
    const seconds = Number(amzExpires);
    if (signedAt === undefined || !/^\d{1,6}$/.test(amzExpires)) return undefined;
    return { signedAt, expiresAt: signedAt + seconds * 1000 };
  }
  const expires = query.get('Expires');
  if (expires !== null && /^\d{1,12}$/.test(expires) && query.has('Signature')) {
    const expiresAt = Number(expires) * 1000;
    return { signedAt: expiresAt - RESPONSE_URL_VALIDITY_SECONDS * 1000, expiresAt };
  }
  return undefined;
}

/** `20261201T100000Z` → epoch ms. */
function parseAmzDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  const time = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  return Number.isNaN(time) ? undefined : time;
}
