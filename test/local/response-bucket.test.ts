import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudFormationResponseKey,
  type ResponseBucket,
  startResponseBucket,
} from '../../local/response-bucket.js';

/**
 * PUTs `body` the way the provider does: Content-Length, and only the headers given. With `via`
 * (the bucket's endpoint) the request goes there, with the URL's own host as its `Host` header.
 */
function put(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  via?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(body);
    const target = new URL(url);
    const req = request(
      via === undefined ? url : `${via}${target.pathname}${target.search}`,
      {
        method: 'PUT',
        headers: {
          'content-length': payload.length,
          ...(via !== undefined && { host: target.host }),
          ...headers,
        },
      },
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

const CN_BUCKET = 'cloudformation-custom-resource-response-cnnorth1';
const EUSC_BUCKET = 'cloudformation-custom-resource-response-euscdeeast1';

let bucket: ResponseBucket;

beforeAll(async () => {
  bucket = await startResponseBucket({ virtualHostedBuckets: [CN_BUCKET, EUSC_BUCKET] });
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
      host: new URL(bucket.endpoint).host,
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

describe('response bucket, virtual-hosted buckets on their genuine host names', () => {
  it('stores a PUT to a URL on the genuine host, signed for it, in any partition', async () => {
    const cn = await bucket.virtualHostedUrl(CN_BUCKET, key, { region: 'cn-north-1' });
    const eusc = await bucket.virtualHostedUrl(EUSC_BUCKET, key, { region: 'eusc-de-east-1' });
    expect(new URL(cn).origin).toBe(
      'https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn',
    );
    expect(new URL(eusc).origin).toBe(
      'https://cloudformation-custom-resource-response-euscdeeast1.s3.eusc-de-east-1.amazonaws.eu',
    );
    expect(new URL(eusc).searchParams.get('X-Amz-Credential')).toMatch(
      /^S3RVER\/\d{8}\/eusc-de-east-1\/s3\/aws4_request$/,
    );
    const before = bucket.requests.length;
    expect((await put(cn, response, {}, bucket.endpoint)).status).toBe(200);
    expect((await put(eusc, '{"eusc":true}', {}, bucket.endpoint)).status).toBe(200);
    expect((await bucket.readResponse(key, CN_BUCKET))?.body).toEqual(JSON.parse(response));
    expect((await bucket.readResponse(key, EUSC_BUCKET))?.body).toEqual({ eusc: true });
    expect(bucket.requests.slice(before, before + 2).map((r) => [r.host, r.status])).toEqual([
      [new URL(cn).host, 200],
      [new URL(eusc).host, 200],
    ]);
  });

  it('refuses the signature when the host or the path differs from what was signed', async () => {
    const url = new URL(
      await bucket.virtualHostedUrl(CN_BUCKET, 'signed', { region: 'cn-north-1' }),
    );
    const otherRegion = new URL(url);
    otherRegion.host = `${CN_BUCKET}.s3.cn-northwest-1.amazonaws.com.cn`;
    const otherBucket = new URL(url);
    otherBucket.host = `${EUSC_BUCKET}.s3.cn-north-1.amazonaws.com.cn`;
    const otherKey = new URL(url);
    otherKey.pathname = '/other';
    for (const changed of [otherRegion, otherBucket, otherKey]) {
      const answer = await put(changed.href, response, {}, bucket.endpoint);
      expect(answer.status, changed.host).toBe(403);
      expect(answer.text).toContain('SignatureDoesNotMatch');
    }
    expect(await bucket.readResponse('signed', CN_BUCKET)).toBeUndefined();
    expect(await bucket.readResponse('other', CN_BUCKET)).toBeUndefined();
  });

  it('refuses an unsigned PUT to a genuine host', async () => {
    const url = new URL(await bucket.virtualHostedUrl(CN_BUCKET, 'bare', { region: 'cn-north-1' }));
    const answer = await put(`${url.origin}${url.pathname}`, response, {}, bucket.endpoint);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('AccessDenied');
    expect(await bucket.readResponse('bare', CN_BUCKET)).toBeUndefined();
  });
});
