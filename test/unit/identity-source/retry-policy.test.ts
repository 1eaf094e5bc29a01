import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  isOutcomeUnknown,
  isRetryable,
} from '../../../src/identity-source/retry-policy.js';

describe('retry policy', () => {
  it('retries throttling, 5xx and network faults', () => {
    expect(isRetryable('UpdateIdentitySource', { name: 'ThrottlingException' })).toBe(true);
    expect(isRetryable('DeleteIdentitySource', { name: 'InternalServerException' })).toBe(true);
    expect(
      isRetryable('CreateIdentitySource', { name: 'Weird', $metadata: { httpStatusCode: 503 } }),
    ).toBe(true);
    expect(isRetryable('CreateIdentitySource', { name: 'Error', code: 'ECONNRESET' })).toBe(true);
  });

  it('retries a missing policy store only on Create (eventual consistency)', () => {
    const missingStore = { name: 'ResourceNotFoundException', resourceType: 'POLICY_STORE' };
    expect(isRetryable('CreateIdentitySource', missingStore)).toBe(true);
    expect(isRetryable('UpdateIdentitySource', missingStore)).toBe(false);
    expect(
      isRetryable('CreateIdentitySource', {
        name: 'ResourceNotFoundException',
        resourceType: 'IDENTITY_SOURCE',
      }),
    ).toBe(false);
  });

  it('does not retry client errors', () => {
    for (const name of [
      'ValidationException',
      'AccessDeniedException',
      'ConflictException',
      'ServiceQuotaExceededException',
    ]) {
      expect(
        isRetryable('CreateIdentitySource', { name, $metadata: { httpStatusCode: 400 } }),
      ).toBe(false);
    }
  });

  it('knows which failures leave the outcome unknown', () => {
    expect(isOutcomeUnknown({ name: 'AbortError' })).toBe(true);
    expect(
      isOutcomeUnknown({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } }),
    ).toBe(false);
  });

  it('backs off exponentially with jitter, capped at 4 s, at least 1 s when throttled', () => {
    expect(backoffMs(2, {}, () => 0)).toBe(125);
    expect(backoffMs(2, {}, () => 1)).toBe(250);
    expect(backoffMs(5, {}, () => 1)).toBe(2000);
    expect(backoffMs(30, {}, () => 1)).toBe(4000);
    expect(backoffMs(2, { name: 'ThrottlingException' }, () => 0)).toBe(1000);
  });
});
