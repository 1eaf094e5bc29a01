import { describe, expect, it } from 'vitest';
import {
  buildResponseBody,
  MAX_RESPONSE_BYTES,
} from '../../../src/cloudformation/response-body.js';

const target = {
  stackId: 'arn:aws:cloudformation:eu-west-1:1:stack/s/1',
  requestId: 'r-1',
  logicalResourceId: 'Res',
};

describe('buildResponseBody', () => {
  it('renders the protocol fields', () => {
    const { json, shortened } = buildResponseBody(
      target,
      { status: 'SUCCESS', physicalResourceId: 'IS1', data: { IdentitySourceId: 'IS1' } },
      'stream',
    );
    expect(shortened).toBe('nothing');
    expect(JSON.parse(json)).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: 'IS1',
      StackId: target.stackId,
      RequestId: 'r-1',
      LogicalResourceId: 'Res',
      NoEcho: false,
      Data: { IdentitySourceId: 'IS1' },
    });
  });

  it('cuts a long Reason first, keeping its start and naming the log stream', () => {
    const reason = `START ${'é'.repeat(5000)}`;
    const { json, shortened } = buildResponseBody(
      target,
      { status: 'FAILED', physicalResourceId: 'x', reason, data: { a: 'b' } },
      'stream-9',
    );
    expect(shortened).toBe('reason');
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const body = JSON.parse(json);
    expect(body.Reason.startsWith('START éé')).toBe(true);
    expect(body.Reason).toContain('stream-9');
    expect(body.Data).toEqual({ a: 'b' });
  });

  it('drops Data when cutting the Reason is not enough, and says so', () => {
    const data = { big: 'x'.repeat(5000) };
    const { json, shortened } = buildResponseBody(
      target,
      { status: 'SUCCESS', physicalResourceId: 'x', data },
      's',
    );
    expect(shortened).toBe('data');
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const body = JSON.parse(json);
    expect(body.Data).toBeUndefined();
    expect(body.Reason).toMatch(/^Data dropped: the response exceeded 4096 bytes/);
  });

  it('never splits a surrogate pair', () => {
    const { json } = buildResponseBody(
      target,
      { status: 'FAILED', physicalResourceId: 'x', reason: '😀'.repeat(3000) },
      's',
    );
    expect(JSON.parse(json).Reason).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('buildResponseBody with droppable data', () => {
  const clientIds = Array.from({ length: 1000 }, (_, i) => `${i}`.padStart(255, 'c'));
  const data = {
    IdentitySourceId: 'IS1',
    'Details.ClientIds': clientIds,
    'Details.UserPoolArn': 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_A',
    'Details.OpenIdIssuer': 'COGNITO',
  };

  it('drops the droppable keys first and keeps every other key', () => {
    const { json, shortened, droppedData } = buildResponseBody(
      target,
      {
        status: 'SUCCESS',
        physicalResourceId: 'IS1',
        data,
        droppableData: ['Details.ClientIds'],
      },
      's',
    );
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(shortened).toBe('nothing');
    expect(droppedData).toEqual(['Details.ClientIds']);
    const { 'Details.ClientIds': _gone, ...kept } = data;
    expect(JSON.parse(json).Data).toEqual(kept);
  });

  it('keeps a droppable key when the body fits with it', () => {
    const small = { ...data, 'Details.ClientIds': ['a', 'b'] };
    const { json, droppedData } = buildResponseBody(
      target,
      {
        status: 'SUCCESS',
        physicalResourceId: 'IS1',
        data: small,
        droppableData: ['Details.ClientIds'],
      },
      's',
    );
    expect(droppedData).toEqual([]);
    expect(JSON.parse(json).Data).toEqual(small);
  });
});
