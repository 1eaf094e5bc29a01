/**
 * The one outbound HTTP call of the CloudFormation protocol: a PUT of the response body to
 * the pre-signed `ResponseURL`. Small and replaceable, so tests can stand in for it.
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface PutResult {
  readonly statusCode: number;
  /** First bytes of the answer body (S3 explains a 403 there). */
  readonly body: string;
}

/** Sends one PUT; resolves with the status, rejects on network errors or when aborted. */
export type PutResponse = (url: URL, body: string, signal: AbortSignal) => Promise<PutResult>;

/**
 * PUT without a Content-Type (S3 signs it in SigV2 URLs; CloudFormation's are signed without
 * one) and with an exact Content-Length.
 *
 * @example
 * ```ts
 * const { statusCode } = await putResponse(new URL(responseUrl), body, AbortSignal.timeout(5000));
 * ```
 */
export const putResponse: PutResponse = (url, body, signal) =>
  new Promise((resolve, reject) => {
    const transport = url.protocol === 'http:' ? http : https;
    const request = transport.request(
      url,
      {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < 2048) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolve({
            statusCode: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, 2048),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
