import {
  AccessDeniedException,
  ConflictException,
  InternalServerException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-verifiedpermissions';
import { describe, expect, it } from 'vitest';
import {
  isOutcomeUnknown,
  isRetryable,
  retryDelayMs,
} from '../../../src/identity-source/retry-policy.js';

const status = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const throttled = new ThrottlingException({ message: 'Rate exceeded', ...status(429) });
const internal = new InternalServerException({ message: 'oops', ...status(500) });
const networkError = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('retry policy', () => {
  it('retries throttling, 5xx and network faults', () => {
    expect(isRetryable('UpdateIdentitySource', throttled)).toBe(true);
    expect(isRetryable('DeleteIdentitySource', internal)).toBe(true);
    expect(isRetryable('CreateIdentitySource', { name: 'Weird', ...status(503) })).toBe(true);
    expect(isRetryable('CreateIdentitySource', networkError)).toBe(true);
  });

  it('retries a missing policy store only on Create (eventual consistency)', () => {
    const missing = (resourceType: 'POLICY_STORE' | 'IDENTITY_SOURCE') =>
      new ResourceNotFoundException({
        message: 'not found',
        resourceId: 'x',
        resourceType,
        ...status(404),
      });
    expect(isRetryable('CreateIdentitySource', missing('POLICY_STORE'))).toBe(true);
    expect(isRetryable('UpdateIdentitySource', missing('POLICY_STORE'))).toBe(false);
    expect(isRetryable('CreateIdentitySource', missing('IDENTITY_SOURCE'))).toBe(false);
  });

  it('does not retry client errors', () => {
    for (const error of [
      new ValidationException({ message: 'bad', ...status(400) }),
      new AccessDeniedException({ message: 'no', ...status(403) }),
      new ConflictException({ message: 'no', resources: [], ...status(409) }),
      new ServiceQuotaExceededException({
        message: 'one only',
        resourceType: 'IDENTITY_SOURCE',
        ...status(402),
      }),
    ]) {
      expect(isRetryable('CreateIdentitySource', error), error.name).toBe(false);
    }
  });

  it('knows which failures leave the outcome unknown', () => {
    expect(isOutcomeUnknown({ name: 'AbortError' })).toBe(true);
    expect(isOutcomeUnknown(internal)).toBe(true);
    expect(isOutcomeUnknown(networkError)).toBe(true);
    expect(isOutcomeUnknown(throttled)).toBe(false);
    expect(isOutcomeUnknown(new ValidationException({ message: 'bad', ...status(400) }))).toBe(
      false,
    );
  });

  it('backs off with full jitter, capped, and at least 1 s when throttled', () => {
    expect(retryDelayMs(1, internal, () => 0)).toBe(0);
    expect(retryDelayMs(1, internal, () => 1)).toBe(250);
    expect(retryDelayMs(4, internal, () => 1)).toBe(2000);
    expect(retryDelayMs(30, internal, () => 1)).toBe(4000);
    // throttled together, retried apart: the first retry already spreads over 1–2 s
    expect(retryDelayMs(1, throttled, () => 0)).toBe(1000);
    expect(retryDelayMs(1, throttled, () => 1)).toBe(2000);
    expect(retryDelayMs(30, throttled, () => 1)).toBe(8000);
  });
});
