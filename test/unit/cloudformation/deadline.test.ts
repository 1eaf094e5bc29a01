import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REMAINING_MS,
  DEFAULT_SERVICE_TIMEOUT_SECONDS,
  deadlineFor,
  FINAL_MARGIN_MS,
  waitEndsAt,
} from '../../../src/cloudformation/deadline.js';
import { signatureTimes } from '../../../src/cloudformation/response-url.js';

const context = (remaining: number) => ({ getRemainingTimeInMillis: () => remaining });

describe('deadlineFor', () => {
  it('keeps a tenth of a long budget (at most 8 s) for the response', () => {
    const d = deadlineFor(context(300_000), undefined, 0);
    expect(d.responseEndsAt).toBe(300_000 - FINAL_MARGIN_MS);
    expect(d.workEndsAt).toBe(300_000 - FINAL_MARGIN_MS - 8_000);
  });

  it('leaves at least a second for the response when time allows', () => {
    const d = deadlineFor(context(5_000), undefined, 0);
    expect(d.responseEndsAt - d.workEndsAt).toBe(1_000);
  });

  it('splits a very short budget in half', () => {
    const d = deadlineFor(context(1_200), undefined, 0);
    expect(d.workEndsAt).toBe(500);
    expect(d.responseEndsAt).toBe(1_000);
  });

  it('honours a ServiceTimeout shorter than the Lambda time', () => {
    const d = deadlineFor(context(900_000), 60, 0);
    expect(d.responseEndsAt).toBe(60_000 - FINAL_MARGIN_MS);
  });

  it('counts down and never goes negative', () => {
    const d = deadlineFor(context(10_000), undefined, 0);
    expect(d.workRemainingMs(1_000)).toBe(d.workEndsAt - 1_000);
    expect(d.workRemainingMs(1e9)).toBe(0);
    expect(d.responseRemainingMs(1e9)).toBe(0);
  });

  it('assumes a default budget when the context cannot say', () => {
    const d = deadlineFor({} as never, undefined, 0);
    expect(d.responseEndsAt).toBe(DEFAULT_REMAINING_MS - FINAL_MARGIN_MS);
  });
});

const base = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/k';
const sigV4 = `${base}?X-Amz-Date=20261201T100000Z&X-Amz-Expires=7200&X-Amz-Signature=abc`;
const signedAt = Date.UTC(2026, 11, 1, 10);
const signed = (url: string) => signatureTimes(new URL(url));

describe('waitEndsAt', () => {
  it('is ServiceTimeout after the ResponseURL was signed, for a Create and an Update', () => {
    for (const requestType of ['Create', 'Update'] as const) {
      expect(waitEndsAt({ requestType, serviceTimeoutSeconds: 600 }, signed(sigV4))).toBe(
        signedAt + 600_000,
      );
    }
  });

  it("is CloudFormation's default hour without a ServiceTimeout", () => {
    expect(DEFAULT_SERVICE_TIMEOUT_SECONDS).toBe(3600);
    expect(waitEndsAt({ requestType: 'Create' }, signed(sigV4))).toBe(signedAt + 3_600_000);
  });

  it('reads a SigV2 URL too (signed two hours before it expires)', () => {
    const url = `${base}?AWSAccessKeyId=AKID&Expires=${(signedAt + 7_200_000) / 1000}&Signature=a`;
    expect(waitEndsAt({ requestType: 'Create', serviceTimeoutSeconds: 60 }, signed(url))).toBe(
      signedAt + 60_000,
    );
  });

  it('is unknown for a Delete, and for a URL without a readable signing time', () => {
    expect(waitEndsAt({ requestType: 'Delete' }, signed(sigV4))).toBeUndefined();
    expect(
      waitEndsAt({ requestType: 'Create' }, signed(`${base}?X-Amz-Signature=abc`)),
    ).toBeUndefined();
    expect(waitEndsAt({ requestType: 'Create' }, undefined)).toBeUndefined();
  });
});
