/**
 * Which `ResponseURL`s the provider may answer, and the redacted form used in logs.
 *
 * A pre-signed URL's query is its signature: whoever holds it can write the response, so
 * it never appears in a log line. Only HTTPS URLs on S3 hosts of an AWS partition are answered
 * (under each partition's DNS suffix, as the SDK's partition data gives it), plus hosts the
 * operator lists in `RESPONSE_URL_ALLOWED_HOSTS` (those may also use plain HTTP, on any port).
 */
import { allPartitions, partitionOfRegion } from '../partitions.js';

export type ResponseUrlVerdict =
  | { readonly allowed: true; readonly url: URL }
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
    if (url.protocol === 'https:' || url.protocol === 'http:') return { allowed: true, url };
    return { allowed: false, reason: `scheme ${url.protocol} is not http or https` };
  }
  if (url.protocol !== 'https:') return { allowed: false, reason: 'is not https' };
  if (url.port !== '') return { allowed: false, reason: 'names a port on an S3 host' };
  if (!isS3Host(host)) {
    return { allowed: false, reason: `host ${host} is not an S3 host of an AWS partition` };
  }
  return { allowed: true, url };
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
