/**
 * When a pre-signed ResponseURL was signed and until when it can be used, read from its query:
 * SigV4 (`X-Amz-Date` + `X-Amz-Expires`) or SigV2 (`Expires`). CloudFormation signs a request's
 * URL when it issues the request and makes it valid for two hours, so the signing time tells
 * which of two requests for one resource CloudFormation issued first, on CloudFormation's clock.
 */

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
 * signatureTimes('https://b.s3.amazonaws.com/k?X-Amz-Date=20261201T100000Z&X-Amz-Expires=7200&X-Amz-Signature=…');
 * // { signedAt: Date.UTC(2026, 11, 1, 10), expiresAt: Date.UTC(2026, 11, 1, 12) }
 * ```
 */
export function signatureTimes(responseUrl: string): SignatureTimes | undefined {
  let query: URLSearchParams;
  try {
    query = new URL(responseUrl).searchParams;
  } catch {
    return undefined;
  }
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
