import { afterEach, describe, expect, it } from 'vitest';
import { deliverResponse } from '../../../src/cloudformation/response-delivery.js';
import { silentLog } from '../../fixtures/log.js';
import { type ResponseRecorder, startResponseRecorder } from '../../support/response-recorder.js';

let recorder: ResponseRecorder | undefined;
afterEach(async () => {
  await recorder?.close();
  recorder = undefined;
});

/** A local ResponseURL answering with the given replies in turn ('reset' drops the socket). */
async function responseServer(answers: (number | 'reset')[]) {
  recorder = await startResponseRecorder({
    script: answers.map((a) => (a === 'reset' ? { reset: true as const } : { status: a })),
  });
  return {
    url: new URL(recorder.url('/bucket/key?X-Amz-Signature=secret')),
    received: recorder.requests,
  };
}

const fast = { log: silentLog(), sleep: async () => {} };

describe('deliverResponse', () => {
  it('PUTs the body with no Content-Type and an exact Content-Length', async () => {
    const { url, received } = await responseServer([200]);
    const json = JSON.stringify({ Status: 'SUCCESS', Reason: 'ünïcödé' });
    const result = await deliverResponse(url, json, { ...fast, endsAt: Date.now() + 5_000 });
    expect(result).toEqual({ delivered: true, attempts: 1, statusCode: 200 });
    expect(received).toHaveLength(1);
    expect(received[0]?.method).toBe('PUT');
    expect(received[0]?.headers['content-type'] ?? '').toBe('');
    expect(received[0]?.headers['content-length']).toBe(String(Buffer.byteLength(json)));
    expect(received[0]?.body).toBe(json);
  });

  it('retries 5xx and connection resets, then succeeds', async () => {
    const { url, received } = await responseServer([503, 'reset', 500, 200]);
    const result = await deliverResponse(url, '{}', { ...fast, endsAt: Date.now() + 5_000 });
    expect(result).toEqual({ delivered: true, attempts: 4, statusCode: 200 });
    expect(received).toHaveLength(4);
  });

  it('does not retry a 403 (an expired or mismatched signature stays so)', async () => {
    const log = silentLog();
    const { url, received } = await responseServer([403, 200]);
    const result = await deliverResponse(url, '{}', { ...fast, log, endsAt: Date.now() + 5_000 });
    expect(result).toEqual({ delivered: false, attempts: 1, statusCode: 403 });
    expect(received).toHaveLength(1);
    expect(log.lines.some((l) => l.message === 'Response PUT rejected')).toBe(true);
  });

  it('makes at least 5 attempts while time remains, then gives up', async () => {
    const { url, received } = await responseServer(Array(20).fill(503));
    const result = await deliverResponse(url, '{}', { ...fast, endsAt: Date.now() + 5_000 });
    expect(result.delivered).toBe(false);
    expect(received.length).toBeGreaterThanOrEqual(5);
  });

  it('stops retrying at the deadline', async () => {
    const { url, received } = await responseServer(Array(20).fill(503));
    const result = await deliverResponse(url, '{}', { log: silentLog(), endsAt: Date.now() + 300 });
    expect(result.delivered).toBe(false);
    expect(received.length).toBeLessThan(5);
  });

  it('never logs the URL query', async () => {
    const log = silentLog();
    const { url } = await responseServer([503, 'reset', 403]);
    await deliverResponse(url, '{}', { ...fast, log, endsAt: Date.now() + 5_000 });
    expect(JSON.stringify(log.lines)).not.toContain('secret');
    expect(JSON.stringify(log.lines)).toContain('/bucket/key');
  });
});
