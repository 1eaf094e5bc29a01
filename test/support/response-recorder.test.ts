import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ResponseRecorder, startResponseRecorder } from './response-recorder.js';

let recorder: ResponseRecorder;

beforeEach(async () => {
  recorder = await startResponseRecorder();
});

afterEach(async () => {
  await recorder.close();
});

const put = (body: string, init: RequestInit = {}) =>
  fetch(recorder.url('/stack/resource?X-Amz-Signature=abc'), {
    method: 'PUT',
    body: new TextEncoder().encode(body),
    ...init,
  });

describe('response recorder', () => {
  it('records each PUT and answers 200 by default', async () => {
    const answer = await put('{"Status":"SUCCESS"}');
    expect(answer.status).toBe(200);
    expect(recorder.requests).toEqual([
      expect.objectContaining({
        method: 'PUT',
        path: '/stack/resource?X-Amz-Signature=abc',
        body: '{"Status":"SUCCESS"}',
        json: { Status: 'SUCCESS' },
        reply: 200,
      }),
    ]);
    expect(recorder.requests[0]?.headers['content-length']).toBe('20');
    expect(recorder.requests[0]?.headers).not.toHaveProperty('content-type');
  });

  it('answers with the scripted statuses in order, then the default', async () => {
    recorder.script({ status: 503 }, { status: 503 }, { status: 403, body: '<Error/>' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await put(`{"n":${i}}`)).status);
    expect(statuses).toEqual([503, 503, 403, 200]);
    expect(recorder.requests.map((r) => [r.reply, r.json])).toEqual([
      [503, { n: 0 }],
      [503, { n: 1 }],
      [403, { n: 2 }],
      [200, { n: 3 }],
    ]);
  });

  it('resets the connection when scripted to', async () => {
    recorder.script({ reset: true });
    await expect(put('{}')).rejects.toThrow();
    expect(recorder.requests.map((r) => r.reply)).toEqual(['reset']);
    expect((await put('{}')).status).toBe(200);
  });

  it('leaves a request unanswered when scripted to, until the client gives up', async () => {
    recorder.script({ hang: true });
    await expect(put('{}', { signal: AbortSignal.timeout(150) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(recorder.requests.map((r) => r.reply)).toEqual(['hang']);
  });

  it('keeps an empty Content-Type distinguishable from none', async () => {
    await put('{}', { headers: { 'content-type': '' } });
    expect(recorder.requests[0]?.headers['content-type']).toBe('');
  });

  it('waits for requests and times out when they do not come', async () => {
    const waiting = recorder.waitForRequests(2, 1_000);
    await put('{}');
    await put('{}');
    await expect(waiting).resolves.toHaveLength(2);
    await expect(recorder.waitForRequests(3, 50)).rejects.toThrow(/expected 3 request/);
  });
});
