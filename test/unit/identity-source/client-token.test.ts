import { describe, expect, it } from 'vitest';
import { clientTokenFor, isClientToken } from '../../../src/identity-source/client-token.js';

describe('clientTokenFor', () => {
  it("keeps CloudFormation's UUID RequestId as it is", () => {
    const requestId = '4f2a9c3e-1b7d-4e0a-9c8b-0123456789ab';
    expect(clientTokenFor(requestId)).toBe(requestId);
  });

  it("turns a RequestId that breaks the API's rule into a stable token that keeps it", () => {
    const odd = ['has spaces', 'x'.repeat(65), 'ünï', ''];
    for (const requestId of odd) {
      const token = clientTokenFor(requestId);
      expect(token, requestId).toMatch(/^h-[0-9a-f]{62}$/);
      expect(isClientToken(token)).toBe(true);
      expect(clientTokenFor(requestId)).toBe(token);
    }
    expect(new Set(odd.map(clientTokenFor)).size).toBe(odd.length);
  });
});

describe('isClientToken', () => {
  it('accepts 1–64 letters, digits and hyphens only', () => {
    expect(isClientToken('a')).toBe(true);
    expect(isClientToken('a'.repeat(64))).toBe(true);
    expect(isClientToken('a'.repeat(65))).toBe(false);
    expect(isClientToken('')).toBe(false);
    expect(isClientToken('a_b')).toBe(false);
  });
});
