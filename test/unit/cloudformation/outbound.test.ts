import { afterEach, describe, expect, it } from 'vitest';
import { putResponse } from '../../../src/cloudformation/outbound.js';
import { type ResponseRecorder, startResponseRecorder } from '../../support/response-recorder.js';

let recorder: ResponseRecorder | undefined;
afterEach(async () => {
  await recorder?.close();
  recorder = undefined;
});

describe('putResponse', () => {
  it('PUTs the body as is, with an empty Content-Type and its byte length', async () => {
    recorder = await startResponseRecorder();
    const body = JSON.stringify({ Status: 'SUCCESS', Reason: 'ünïcödé' });
    const url = new URL(recorder.url('/bucket/stack%7Cres%7Creq?X-Amz-Signature=s'));
    const result = await putResponse(url, body, AbortSignal.timeout(5_000));
    expect(result).toEqual({ statusCode: 200, body: '' });
    expect(recorder.requests).toEqual([
      expect.objectContaining({
        method: 'PUT',
        path: '/bucket/stack%7Cres%7Creq?X-Amz-Signature=s',
        body,
      }),
    ]);
    expect(recorder.requests[0]?.headers['content-type']).toBe('');
    expect(recorder.requests[0]?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it("resolves with a refusal's status and the start of its explanation", async () => {
    const explanation = `<Error><Code>AccessDenied</Code>${'x'.repeat(5_000)}</Error>`;
    recorder = await startResponseRecorder({ script: [{ status: 403, body: explanation }] });
    const result = await putResponse(new URL(recorder.url()), '{}', AbortSignal.timeout(5_000));
    expect(result.statusCode).toBe(403);
    expect(result.body.startsWith('<Error><Code>AccessDenied</Code>')).toBe(true);
    expect(result.body.length).toBe(2048);
  });

  it('rejects on a connection reset and when its signal aborts', async () => {
    recorder = await startResponseRecorder({ script: [{ reset: true }, { hang: true }] });
    const url = new URL(recorder.url());
    await expect(putResponse(url, '{}', AbortSignal.timeout(5_000))).rejects.toThrow();
    await expect(putResponse(url, '{}', AbortSignal.timeout(100))).rejects.toMatchObject({
      name: expect.stringMatching(/AbortError|TimeoutError/),
    });
  });
});
