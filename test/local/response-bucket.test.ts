import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudFormationResponseKey,
  type ResponseBucket,
  startResponseBucket,
} from '../../local/response-bucket.js';

/** PUTs `body` the way the provider does: Content-Length, and only the headers given. */
function put(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(body);
    const req = request(
      url,
      { method: 'PUT', headers: { 'content-length': payload.length, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const key = cloudFormationResponseKey({
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/my-stack/0f1e2d3c-aaaa-bbbb',
  LogicalResourceId: 'IdentitySource',
  RequestId: 'd1c2b3a4-1111-2222-3333-444455556666',
});
const response = JSON.stringify({ Status: 'SUCCESS', PhysicalResourceId: 'IS123' });

let bucket: ResponseBucket;

beforeAll(async () => {
  bucket = await startResponseBucket();
});

afterAll(async () => {
  await bucket.stop();
});

describe('response bucket (s3rver)', () => {
  it('stores a PUT without Content-Type sent to a SigV4 pre-signed URL', async () => {
    const url = await bucket.responseUrl(key);
    expect(url).toContain('X-Amz-Algorithm=AWS4-HMAC-SHA256');
    expect(url).toContain('X-Amz-Expires=7200');
    expect(url).toContain('X-Amz-SignedHeaders=host&');
    expect(url).not.toContain('x-amz-checksum');
    expect(new URL(url).pathname).toBe(
      '/cfn-responses/arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack/my-stack/0f1e2d3c-aaaa-bbbb%7CIdentitySource%7Cd1c2b3a4-1111-2222-3333-444455556666',
    );

    const answer = await put(url, response);
    expect(answer.status).toBe(200);
    const stored = await bucket.readResponse(key);
    expect(stored).toEqual({
      body: { Status: 'SUCCESS', PhysicalResourceId: 'IS123' },
      text: response,
      contentType: 'binary/octet-stream',
      contentLength: response.length,
    });
    expect(await bucket.keys()).toContain(key);
  });

  it('rejects a SigV4 URL whose signature was tampered with', async () => {
    const url = new URL(await bucket.responseUrl('tampered'));
    const signature = url.searchParams.get('X-Amz-Signature') ?? '';
    url.searchParams.set(
      'X-Amz-Signature',
      `${signature[0] === '0' ? '1' : '0'}${signature.slice(1)}`,
    );
    const answer = await put(url.href, response);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('SignatureDoesNotMatch');
    expect(await bucket.readResponse('tampered')).toBeUndefined();
  });

  it('rejects an expired SigV4 URL', async () => {
    const url = await bucket.responseUrl('expired', { expiresIn: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const answer = await put(url, response);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('Request has expired');
  });

  it('accepts a SigV2 URL only when the PUT has no (or an empty) Content-Type', async () => {
    const withType = await put(bucket.sigV2ResponseUrl('v2-typed'), response, {
      'content-type': 'application/json',
    });
    expect(withType.status).toBe(403);
    expect(withType.text).toContain('SignatureDoesNotMatch');
    expect(await bucket.readResponse('v2-typed')).toBeUndefined();

    expect(
      (await put(bucket.sigV2ResponseUrl('v2-empty'), response, { 'content-type': '' })).status,
    ).toBe(200);
    expect((await put(bucket.sigV2ResponseUrl(key), response)).status).toBe(200);
    expect((await bucket.readResponse(key))?.body).toEqual(JSON.parse(response));
  });

  it('rejects a SigV2 URL whose signature was tampered with', async () => {
    const url = new URL(bucket.sigV2ResponseUrl('v2-tampered'));
    url.searchParams.set('Expires', String(Number(url.searchParams.get('Expires')) + 1));
    const answer = await put(url.href, response);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('SignatureDoesNotMatch');
  });

  it('rejects an unsigned PUT (a URL that lost its query string)', async () => {
    const url = new URL(await bucket.responseUrl('unsigned'));
    const answer = await put(`${url.origin}${url.pathname}`, response);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('AccessDenied');
    expect(await bucket.readResponse('unsigned')).toBeUndefined();
  });

  it('records each request: method, path without the query, status, when it was answered', async () => {
    const before = bucket.requests.length;
    await put(await bucket.responseUrl('recorded'), response);
    const [record, ...rest] = bucket.requests.slice(before);
    expect(rest).toEqual([]);
    expect(record).toEqual({
      method: 'PUT',
      path: '/cfn-responses/recorded',
      time: expect.any(Number),
      status: 200,
      answeredAt: expect.any(Number),
    });
    expect(record?.answeredAt).toBeGreaterThanOrEqual(record?.time ?? Number.NaN);
  });

  it('reads back nothing for a key that was never written', async () => {
    expect(await bucket.readResponse('never-written')).toBeUndefined();
  });
});
