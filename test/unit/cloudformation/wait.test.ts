import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_TIMEOUT_SECONDS, waitEndsAt } from '../../../src/cloudformation/wait.js';

const base = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/k';
const sigV4 = `${base}?X-Amz-Date=20261201T100000Z&X-Amz-Expires=7200&X-Amz-Signature=abc`;
const signedAt = Date.UTC(2026, 11, 1, 10);

describe('waitEndsAt', () => {
  it('is ServiceTimeout after the ResponseURL was signed, for a Create and an Update', () => {
    for (const requestType of ['Create', 'Update'] as const) {
      expect(waitEndsAt({ requestType, responseUrl: sigV4, serviceTimeoutSeconds: 600 })).toBe(
        signedAt + 600_000,
      );
    }
  });

  it("is CloudFormation's default hour without a ServiceTimeout", () => {
    expect(DEFAULT_SERVICE_TIMEOUT_SECONDS).toBe(3600);
    expect(waitEndsAt({ requestType: 'Create', responseUrl: sigV4 })).toBe(signedAt + 3_600_000);
  });

  it('reads a SigV2 URL too (signed two hours before it expires)', () => {
    const url = `${base}?AWSAccessKeyId=AKID&Expires=${(signedAt + 7_200_000) / 1000}&Signature=a`;
    expect(waitEndsAt({ requestType: 'Create', responseUrl: url, serviceTimeoutSeconds: 60 })).toBe(
      signedAt + 60_000,
    );
  });

  it('is unknown for a Delete, and for a URL without a readable signing time', () => {
    expect(waitEndsAt({ requestType: 'Delete', responseUrl: sigV4 })).toBeUndefined();
    expect(
      waitEndsAt({ requestType: 'Create', responseUrl: `${base}?X-Amz-Signature=abc` }),
    ).toBeUndefined();
  });
});
