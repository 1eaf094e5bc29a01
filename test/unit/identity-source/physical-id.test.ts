import { describe, expect, it } from 'vitest';
import { clientTokenFor } from '../../../src/identity-source/client-token.js';
import {
  createUnconfirmedId,
  notCreatedId,
  readPhysicalId,
} from '../../../src/identity-source/physical-id.js';

describe('physical ids', () => {
  it('reads identity source ids', () => {
    expect(readPhysicalId('ISEXAMPLEabcdefg111111')).toEqual({
      kind: 'identity-source',
      identitySourceId: 'ISEXAMPLEabcdefg111111',
    });
  });

  it('round-trips the markers of failed Creates', () => {
    expect(readPhysicalId(notCreatedId('5f1c-req'))).toEqual({ kind: 'not-created' });
    expect(readPhysicalId(createUnconfirmedId('tok-1'))).toEqual({
      kind: 'create-unconfirmed',
      clientToken: 'tok-1',
    });
  });

  it('never reads a marker or a made-up id as an identity source', () => {
    for (const id of [
      notCreatedId('a'),
      'CreateUnconfirmed:bad token',
      'stack|Logical|123',
      '',
      undefined,
    ]) {
      expect(readPhysicalId(id).kind).not.toBe('identity-source');
    }
  });
});

describe('clientTokenFor', () => {
  it('keeps a RequestId that fits the API rule', () => {
    expect(clientTokenFor('0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0')).toBe(
      '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
    );
  });

  it('hashes one that does not, deterministically and within the rule', () => {
    const long = 'x'.repeat(65);
    expect(clientTokenFor(long)).toBe(clientTokenFor(long));
    expect(clientTokenFor(long)).toMatch(/^h-[0-9a-f]{62}$/);
    expect(clientTokenFor('a b')).not.toBe(clientTokenFor('a_b'));
  });
});
