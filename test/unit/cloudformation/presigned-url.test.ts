import { describe, expect, it } from 'vitest';
import { signatureTimes } from '../../../src/cloudformation/presigned-url.js';

const base = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/k';

describe('signatureTimes', () => {
  it('reads a SigV4 URL: signed at X-Amz-Date, valid for X-Amz-Expires seconds', () => {
    const url = `${base}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261201T100000Z&X-Amz-Expires=7200&X-Amz-SignedHeaders=host&X-Amz-Signature=abc`;
    expect(signatureTimes(url)).toEqual({
      signedAt: Date.UTC(2026, 11, 1, 10, 0, 0),
      expiresAt: Date.UTC(2026, 11, 1, 12, 0, 0),
    });
  });

  it("reads a SigV2 URL: valid until Expires, signed two hours before (CloudFormation's validity)", () => {
    const expires = Date.UTC(2026, 11, 1, 12) / 1000;
    const url = `${base}?AWSAccessKeyId=AKID&Expires=${expires}&Signature=abc%3D`;
    expect(signatureTimes(url)).toEqual({
      signedAt: Date.UTC(2026, 11, 1, 10),
      expiresAt: Date.UTC(2026, 11, 1, 12),
    });
  });

  it('knows nothing of URLs that are not pre-signed, or signed in a form it cannot read', () => {
    for (const url of [
      'http://127.0.0.1:9000/bucket/key',
      `${base}?X-Amz-Date=20261301T100000Z&X-Amz-Expires=7200&X-Amz-Signature=a`,
      `${base}?X-Amz-Date=20261201T100000Z&X-Amz-Expires=soon&X-Amz-Signature=a`,
      `${base}?Expires=123`,
      'not a url',
    ]) {
      expect(signatureTimes(url), url).toBeUndefined();
    }
  });
});
