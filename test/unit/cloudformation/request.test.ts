import { describe, expect, it } from 'vitest';
import { MAX_ECHOED_FIELD_BYTES, parseRequest } from '../../../src/cloudformation/request.js';
import { cognitoProperties, createRequest, toEvent } from '../../fixtures/requests.js';

describe('parseRequest', () => {
  it('parses a Create event', () => {
    const request = createRequest(cognitoProperties({ ServiceTimeout: '120' }));
    expect(parseRequest(toEvent(request))).toEqual({
      ok: true,
      request: { ...request, serviceTimeoutSeconds: 120 },
    });
  });

  it('keeps PhysicalResourceId and OldResourceProperties on Update', () => {
    const event = {
      ...toEvent(createRequest({})),
      RequestType: 'Update',
      PhysicalResourceId: 'IS1',
      OldResourceProperties: { A: '1' },
    };
    const parsed = parseRequest(event);
    expect(parsed.ok && parsed.request.physicalResourceId).toBe('IS1');
    expect(parsed.ok && parsed.request.oldResourceProperties).toEqual({ A: '1' });
  });

  it('lists every problem of a malformed event and keeps what can be echoed', () => {
    const parsed = parseRequest({
      RequestType: 'Upsert',
      ResponseURL: 'https://x',
      StackId: 5,
      LogicalResourceId: 'L',
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      'RequestType: must be one of Create, Update, Delete (got "Upsert")',
      'StackId: must be a non-empty string',
      'RequestId: is required',
      'ResourceType: is required',
    ]);
    expect(parsed.echo).toEqual({
      responseUrl: 'https://x',
      stackId: '',
      requestId: '',
      logicalResourceId: 'L',
      requestType: 'Upsert',
    });
  });

  it('requires a PhysicalResourceId on Delete', () => {
    const parsed = parseRequest({ ...toEvent(createRequest({})), RequestType: 'Delete' });
    expect(!parsed.ok && parsed.problems).toEqual(['PhysicalResourceId: is required']);
  });

  it('rejects a non-object event', () => {
    for (const event of [null, 'text', 42, []]) {
      const parsed = parseRequest(event);
      expect(!parsed.ok && parsed.problems[0]).toBe('event: must be a JSON object');
    }
  });

  it('refuses, and cuts when echoing, identifiers too long to answer within 4096 bytes', () => {
    const parsed = parseRequest({ ...toEvent(createRequest({})), StackId: '\u0001'.repeat(2000) });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Buffer.byteLength(JSON.stringify(parsed.echo.stackId))).toBeLessThanOrEqual(
      MAX_ECHOED_FIELD_BYTES,
    );
  });

  it('validates ServiceTimeout', () => {
    const parsed = parseRequest(toEvent(createRequest(cognitoProperties({ ServiceTimeout: '0' }))));
    expect(!parsed.ok && parsed.problems).toEqual([
      'ServiceTimeout: must be a whole number of seconds from 1 to 3600',
    ]);
  });
});
