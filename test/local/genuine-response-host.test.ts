import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudFormationResponseBucket,
  type GenuineResponseHost,
  startGenuineResponseHost,
} from '../../local/genuine-response-host.js';
import { type LambdaProcess, startLambdaProcess } from '../../local/lambda-process.js';
import { startResponseBucket } from '../../local/response-bucket.js';

/** PUTs `event.body` to `event.url` with node:https / node:http, as the provider does. */
const PUT_HANDLER = fileURLToPath(new URL('./fixtures/put-handler.mjs', import.meta.url));

const CN = 'cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn';
const EUSC = 'cloudformation-custom-resource-response-euscdeeast1.s3.eusc-de-east-1.amazonaws.eu';
const TRAPPED = ['evil.example', '52.219.170.1', '[2600:1fa0:8000::1]'];

let host: GenuineResponseHost;
let lambda: LambdaProcess;

beforeAll(async () => {
  host = await startGenuineResponseHost({
    sites: ['cn-north-1', 'eusc-de-east-1'],
    trapHosts: TRAPPED,
  });
  lambda = await startFunction();
});

afterAll(async () => {
  await lambda?.close();
  await host?.stop();
});

/** A function process with the host's preload and CA (and `env` on top). */
function startFunction(env: Record<string, string> = {}) {
  return startLambdaProcess({
    bundlePath: PUT_HANDLER,
    execArgv: [...host.processOptions.execArgv],
    env: { ...host.processOptions.env, ...env },
  });
}

async function putFrom(fn: LambdaProcess, url: string, body = '{}') {
  const { result, error } = await fn.invoke({ url, body }, { timeoutMs: 10_000 });
  expect(error).toBeUndefined();
  return result as { status?: number; text?: string; error?: string };
}

describe('genuine response host', () => {
  it('names the buckets after their region and serves the host the SDK gives each', () => {
    expect(cloudFormationResponseBucket('eusc-de-east-1')).toBe(
      'cloudformation-custom-resource-response-euscdeeast1',
    );
    expect(host.hostOf('cn-north-1')).toBe(CN);
    expect(host.hostOf('eusc-de-east-1')).toBe(EUSC);
    expect(() => host.hostOf('eu-west-1')).toThrow('no response host is served for eu-west-1');
  });

  it('takes a PUT from the function process over TLS on the genuine name, into the bucket', async () => {
    const url = await host.responseUrl('cn-north-1', 'stack|resource|request');
    expect(new URL(url).origin).toBe(`https://${CN}`);
    const connectionsBefore = host.connections.length;

    expect(await putFrom(lambda, url, '{"Status":"SUCCESS"}')).toEqual({ status: 200, text: '' });

    expect((await host.readResponse('cn-north-1', 'stack|resource|request'))?.body).toEqual({
      Status: 'SUCCESS',
    });
    expect(host.connections.slice(connectionsBefore)).toEqual([
      { listener: 'front', time: expect.any(Number), servername: CN },
    ]);
    expect(host.bucket.requests.filter((r) => r.method === 'PUT').at(-1)).toMatchObject({
      method: 'PUT',
      host: CN,
      status: 200,
    });
  });

  it('passes on what the bucket answers: a URL sent to another genuine host is refused', async () => {
    const url = new URL(await host.responseUrl('cn-north-1', 'moved'));
    url.host = EUSC;
    const answer = await putFrom(lambda, url.href);
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('SignatureDoesNotMatch');
  });

  it('is trusted only through NODE_EXTRA_CA_CERTS: without it the certificate is refused', async () => {
    const untrusting = await startFunction({ NODE_EXTRA_CA_CERTS: '' });
    try {
      const answer = await putFrom(untrusting, await host.responseUrl('eusc-de-east-1', 'k'));
      expect(answer.error).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      expect(await host.readResponse('eusc-de-east-1', 'k')).toBeUndefined();
    } finally {
      await untrusting.close();
    }
  });

  it('routes the trap names there — any scheme and port, IP literals too', async () => {
    const urls = [
      'https://evil.example/k',
      'http://evil.example/k',
      'https://evil.example:8443/k',
      'https://52.219.170.1/k',
      'https://[2600:1fa0:8000::1]/k',
    ];
    const connectionsBefore = host.connections.length;
    for (const url of urls) expect((await putFrom(lambda, url)).error, url).toBe('ECONNRESET');
    expect(host.connections.slice(connectionsBefore).map((c) => c.listener)).toEqual(
      urls.map(() => 'trap'),
    );
  });

  it('leaves hosts it does not list alone', async () => {
    const other = await startResponseBucket();
    try {
      const connectionsBefore = host.connections.length;
      expect(await putFrom(lambda, await other.responseUrl('k'))).toEqual({
        status: 200,
        text: '',
      });
      expect((await other.readResponse('k'))?.body).toEqual({});
      expect(host.connections.slice(connectionsBefore)).toEqual([]);
    } finally {
      await other.stop();
    }
  });
});
