/**
 * Scans captured log lines for what must never be logged: the query of a pre-signed
 * ResponseURL (its signature and credential), in SigV4 or SigV2 form.
 */

const SIGNED_URL_PARTS =
  /X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|[?&]Signature=|AWSAccessKeyId=/i;

/** The lines that leak a pre-signed URL's query; empty when none does. */
export function signatureLeaks(lines: readonly string[]): string[] {
  return lines.filter((line) => SIGNED_URL_PARTS.test(line));
}
