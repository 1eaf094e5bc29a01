import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { afterAll, describe, expect, it } from 'vitest';
import { S3RVER_CREDENTIALS } from '../../local/response-bucket.js';
import {
  checkPresignedRequest,
  type ReceivedRequest,
  virtualHostedBucket,
  withoutPresignedParameters,
} from '../../local/virtual-hosted-s3.js';

const s3 = new S3Client({
  region: 'eusc-de-east-1',
  credentials: S3RVER_CREDENTIALS,
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
const presigner = new S3RequestPresigner({ ...s3.config });
afterAll(() => s3.destroy());

/** The request a client sends for a pre-signed URL, as the server receives it. */
function received(url: URL, method = 'PUT'): ReceivedRequest {
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  return { method, host: url.host, path: url.pathname, query, headers: { host: url.host } };
}

async function presigned(key: string, expiresIn = 7200): Promise<URL> {
  const command = new PutObjectCommand({
    Bucket: 'cloudformation-custom-resource-response-euscdeeast1',
    Key: key,
  });
  return new URL(await getSignedUrl(s3, command, { expiresIn }));
}

describe('virtualHostedBucket', () => {
  it('reads the bucket of every S3 host form that names one', () => {
    for (const host of [
      'cloudformation-custom-resource-response-euscdeeast1.s3.eusc-de-east-1.amazonaws.eu',
      'cloudformation-custom-resource-response-euscdeeast1.s3.amazonaws.com',
      'cloudformation-custom-resource-response-euscdeeast1.s3-eu-west-1.amazonaws.com',
      'cloudformation-custom-resource-response-euscdeeast1.s3.dualstack.us-east-1.amazonaws.com',
      'Cloudformation-Custom-Resource-Response-EuscDeEast1.s3.eusc-de-east-1.amazonaws.eu:443',
    ]) {
      expect(virtualHostedBucket(host), host).toBe(
        'cloudformation-custom-resource-response-euscdeeast1',
      );
    }
  });

  it('finds none in path-style endpoints, IP addresses and other hosts', () => {
    for (const host of ['s3.eusc-de-east-1.amazonaws.eu', '127.0.0.1:4568', 'localhost', 'a.b.c']) {
      expect(virtualHostedBucket(host), host).toBeUndefined();
    }
  });
});

describe('checkPresignedRequest', () => {
  it('accepts what the SDK pre-signed, sent to the host it names', async () => {
    const url = await presigned('stack|resource|request');
    expect(url.host).toBe(
      'cloudformation-custom-resource-response-euscdeeast1.s3.eusc-de-east-1.amazonaws.eu',
    );
    expect(await checkPresignedRequest(received(url), presigner)).toBeUndefined();
  });

  it('refuses another method, host, path or query than was signed', async () => {
    const url = await presigned('k');
    const otherHost = new URL(url);
    otherHost.host = 'cloudformation-custom-resource-response-euscdeeast1.s3.amazonaws.com';
    const otherPath = new URL(url);
    otherPath.pathname = '/k2';
    const otherQuery = new URL(url);
    otherQuery.searchParams.set('X-Amz-Expires', '7201');
    for (const request of [
      received(url, 'GET'),
      received(otherHost),
      received(otherPath),
      received(otherQuery),
    ]) {
      expect(await checkPresignedRequest(request, presigner)).toMatchObject({
        code: 'SignatureDoesNotMatch',
      });
    }
  });

  it('refuses a correctly signed URL once it has expired', async () => {
    const url = await presigned('k', 60);
    const request = received(url);
    expect(await checkPresignedRequest(request, presigner, Date.now() + 59_000)).toBeUndefined();
    expect(await checkPresignedRequest(request, presigner, Date.now() + 61_000)).toEqual({
      code: 'AccessDenied',
      message: 'Request has expired',
    });
  });

  it('refuses requests without a SigV4 query signature, or with a malformed one', async () => {
    const url = await presigned('k');
    const bare = received(new URL(`${url.origin}${url.pathname}`));
    expect(await checkPresignedRequest(bare, presigner)).toMatchObject({ code: 'AccessDenied' });
    const badDate = new URL(url);
    badDate.searchParams.set('X-Amz-Date', '2026-01-01');
    expect(await checkPresignedRequest(received(badDate), presigner)).toMatchObject({
      code: 'AuthorizationQueryParametersError',
    });
  });
});

describe('withoutPresignedParameters', () => {
  it('keeps only what is not part of the signature', async () => {
    const url = await presigned('k');
    expect(withoutPresignedParameters(received(url).query).toString()).toBe('x-id=PutObject');
  });
});
