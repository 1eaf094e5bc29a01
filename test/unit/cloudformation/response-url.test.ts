import { describe, expect, it } from 'vitest';
import {
  allowedHostsFromEnv,
  checkResponseUrl,
  redactUrl,
  signatureTimes,
} from '../../../src/cloudformation/response-url.js';

const allowed = (url: string, hosts: string[] = []) => checkResponseUrl(url, hosts).allowed;

describe('checkResponseUrl', () => {
  it('allows CloudFormation S3 response URLs', () => {
    for (const url of [
      'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws/x?AWSAccessKeyId=A&Signature=s',
      'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/k?X-Amz-Signature=s',
      'https://s3.amazonaws.com/bucket/key',
      'https://s3-us-west-2.amazonaws.com/bucket/key',
      'https://bucket.s3.dualstack.us-east-1.amazonaws.com/key',
      'https://bucket.s3.cn-north-1.amazonaws.com.cn/key',
      'https://bucket.s3-fips.us-gov-west-1.amazonaws.com/key',
    ]) {
      expect(allowed(url), url).toBe(true);
    }
  });

  it("allows CloudFormation's response bucket of every partition, in every S3 host form", () => {
    const regions = {
      'us-east-1': 'amazonaws.com',
      'ap-east-2': 'amazonaws.com',
      'cn-north-1': 'amazonaws.com.cn',
      'us-gov-west-1': 'amazonaws.com',
      'us-iso-east-1': 'c2s.ic.gov',
      'us-isob-east-1': 'sc2s.sgov.gov',
      'eu-isoe-west-1': 'cloud.adc-e.uk',
      'us-isof-south-1': 'csp.hci.ic.gov',
      'eusc-de-east-1': 'amazonaws.eu',
    };
    for (const [region, suffix] of Object.entries(regions)) {
      const bucket = `cloudformation-custom-resource-response-${region.replaceAll('-', '')}`;
      for (const host of [
        `${bucket}.s3.${region}.${suffix}`,
        `${bucket}.s3-${region}.${suffix}`,
        `${bucket}.s3.dualstack.${region}.${suffix}`,
        `${bucket}.s3-fips.${region}.${suffix}`,
        `${bucket}.s3-fips.dualstack.${region}.${suffix}`,
        `${bucket}.s3.${suffix}`,
        `s3.${region}.${suffix}`,
        `s3.${suffix}`,
      ]) {
        const url = `https://${host}/arn%3Aaws%3Acloudformation/k?X-Amz-Signature=s`;
        expect(allowed(url), url).toBe(true);
      }
    }
  });

  it('refuses hosts that put a region under another partition, or look like a partition', () => {
    for (const url of [
      'https://bucket.s3.cn-north-1.amazonaws.com/key',
      'https://bucket.s3.us-east-1.amazonaws.com.cn/key',
      'https://bucket.s3.eusc-de-east-1.amazonaws.com/key',
      'https://bucket.s3.us-iso-east-1.amazonaws.com/key',
      'https://s3.amazonaws.eu.evil.io/key',
      'https://bucket.s3.eusc-de-east-1.amazonaws.eu.evil.io/key',
      'https://evil-amazonaws.eu/key',
      'https://s3.evil-amazonaws.eu/key',
      'https://s3.c2s.ic.gov.attacker.net/key',
      'https://s3.aws-global.amazonaws.com/key',
      'https://bucket.s3.not-a-region.amazonaws.com/key',
      'https://bu_cket.s3.amazonaws.com/key',
      'https://.s3.amazonaws.com/key',
      'https://user@bucket.s3.eusc-de-east-1.amazonaws.eu/key',
      'http://bucket.s3.eusc-de-east-1.amazonaws.eu/key',
      'https://bucket.s3.eusc-de-east-1.amazonaws.eu:444/key',
      'https://bucket.s3.us-isob-east-1.sc2s.sgov.gov:8443/key',
    ]) {
      expect(allowed(url), url).toBe(false);
    }
  });

  it('refuses look-alikes, userinfo, IP literals, http and odd ports', () => {
    for (const url of [
      'https://s3.amazonaws.com.evil.io/key',
      'https://s3.amazonaws.com.evil.io./key',
      'https://evil.io/s3.amazonaws.com/key',
      'https://s3.amazonaws.com@evil.io/key',
      'https://user:pw@bucket.s3.amazonaws.com/key',
      'https://evils3.amazonaws.com/key',
      'https://ec2.amazonaws.com/key',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/key',
      'http://bucket.s3.amazonaws.com/key',
      'https://bucket.s3.amazonaws.com:8443/key',
      'ftp://bucket.s3.amazonaws.com/key',
      'not a url',
      '',
    ]) {
      expect(allowed(url), url).toBe(false);
    }
  });

  it('allows listed hosts, on any port and over http', () => {
    const hosts = allowedHostsFromEnv(' 127.0.0.1 , LocalHost,');
    expect(hosts).toEqual(['127.0.0.1', 'localhost']);
    expect(allowed('http://127.0.0.1:4568/bucket/key?sig=1', hosts)).toBe(true);
    expect(allowed('http://localhost/k', hosts)).toBe(true);
    expect(allowed('http://127.0.0.2/k', hosts)).toBe(false);
    expect(allowed('file://127.0.0.1/etc/passwd', hosts)).toBe(false);
  });
});

describe('redactUrl', () => {
  it('keeps scheme, host and path, never the query', () => {
    expect(redactUrl('https://b.s3.amazonaws.com/a/b?X-Amz-Signature=secret#frag')).toBe(
      'https://b.s3.amazonaws.com/a/b',
    );
    expect(redactUrl('http://127.0.0.1:9000/k?Signature=secret')).toBe('http://127.0.0.1:9000/k');
    expect(redactUrl('::::')).toBe('<unparseable URL>');
  });
});

const base = 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/k';

describe('signatureTimes', () => {
  it('reads a SigV4 URL: signed at X-Amz-Date, valid for X-Amz-Expires seconds', () => {
    const url = `${base}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261201T100000Z&X-Amz-Expires=7200&X-Amz-SignedHeaders=host&X-Amz-Signature=abc`;
    expect(signatureTimes(new URL(url))).toEqual({
      signedAt: Date.UTC(2026, 11, 1, 10, 0, 0),
      expiresAt: Date.UTC(2026, 11, 1, 12, 0, 0),
    });
  });

  it("reads a SigV2 URL: valid until Expires, signed two hours before (CloudFormation's validity)", () => {
    const expires = Date.UTC(2026, 11, 1, 12) / 1000;
    const url = `${base}?AWSAccessKeyId=AKID&Expires=${expires}&Signature=abc%3D`;
    expect(signatureTimes(new URL(url))).toEqual({
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
    ]) {
      expect(signatureTimes(new URL(url)), url).toBeUndefined();
    }
  });

  it('is read once by checkResponseUrl: an allowed URL carries its signing times', () => {
    const url = `${base}?X-Amz-Date=20261201T100000Z&X-Amz-Expires=7200&X-Amz-Signature=abc`;
    const verdict = checkResponseUrl(url, []);
    expect(verdict.allowed && verdict.signed).toEqual({
      signedAt: Date.UTC(2026, 11, 1, 10),
      expiresAt: Date.UTC(2026, 11, 1, 12),
    });
    const listed = checkResponseUrl('http://127.0.0.1:9000/bucket/key', ['127.0.0.1']);
    expect(listed.allowed && listed.signed).toBeUndefined();
  });
});
