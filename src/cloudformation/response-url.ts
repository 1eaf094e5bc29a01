/**
 * Which `ResponseURL`s the provider may answer, and the redacted form used in logs.
 *
 * A pre-signed URL's query is its signature: whoever holds it can write the response, so
 * it never appears in a log line. Only HTTPS URLs on S3 hosts under `amazonaws.com` or
 * `amazonaws.com.cn` are answered, plus hosts the operator lists in
 * `RESPONSE_URL_ALLOWED_HOSTS` (those may also use plain HTTP, on any port).
 */

export type ResponseUrlVerdict =
  | { readonly allowed: true; readonly url: URL }
  | { readonly allowed: false; readonly reason: string };

/** An S3 endpoint host name: bucket-style or path-style, regional, dual-stack, FIPS, China. */
const S3_HOST =
  /^(?:[a-z0-9][a-z0-9.-]*\.)?s3(?:[.-](?:dualstack|fips|external-1|[a-z]{2}(?:-[a-z]+)+-\d))*\.amazonaws\.com(?:\.cn)?$/;

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
  if (!S3_HOST.test(host)) {
    return { allowed: false, reason: `host ${host} is not an S3 host under amazonaws.com` };
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

function unbracketed(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
