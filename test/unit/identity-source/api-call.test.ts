import { describe, expect, it } from 'vitest';
import { call } from '../../../src/identity-source/api-call.js';
import { ApiCallError, DeadlineExceededError } from '../../../src/identity-source/errors.js';
import { silentLog } from '../../fixtures/log.js';

const deps = (workMs: number) => ({
  workEndsAt: Date.now() + workMs,
  log: silentLog(),
  sleep: async () => {},
});

describe('call', () => {
  it('returns the first success and logs each attempt', async () => {
    const d = deps(5_000);
    let attempts = 0;
    const result = await call('UpdateIdentitySource', 'eu-west-1', d, async () => {
      attempts += 1;
      if (attempts < 3)
        throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(d.log.lines.map((l) => l.message)).toEqual([
      'API call failed',
      'API call failed',
      'API call succeeded',
    ]);
  });

  it('does not retry a client error', async () => {
    let attempts = 0;
    const error = await call('UpdateIdentitySource', 'eu-west-1', deps(5_000), async () => {
      attempts += 1;
      throw Object.assign(new Error('bad'), {
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      });
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(attempts).toBe(1);
  });

  it('abandons a call that never settles at the deadline', async () => {
    const error = await call(
      'DeleteIdentitySource',
      'eu-west-1',
      deps(100),
      () => new Promise<never>(() => {}),
    ).catch((e: DeadlineExceededError) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error.mayHaveTakenEffect).toBe(true);
  });
});

describe('failure reasons', () => {
  /** The FAILED reason `call` gives for a call that fails with `error` once. */
  const reasonFor = async (operation: string, region: string, error: object) => {
    const failed = await call(operation, region, deps(5_000), async () => {
      throw Object.assign(new Error(''), { $metadata: { httpStatusCode: 400 } }, error);
    }).catch((e: ApiCallError) => e);
    expect(failed).toBeInstanceOf(ApiCallError);
    expect(failed.cause).toMatchObject(error);
    return failed.message;
  };

  it('tells what to do about a denied call', async () => {
    expect(
      await reasonFor('CreateIdentitySource', 'eu-west-1', {
        name: 'AccessDeniedException',
        message: 'not allowed',
      }),
    ).toBe(
      "CreateIdentitySource was denied in eu-west-1: not allowed. The provider's role needs verifiedpermissions:CreateIdentitySource on the policy store (and cognito-idp:DescribeUserPool for Cognito sources).",
    );
  });

  it('points at PolicyStoreId and Region for a missing store', async () => {
    expect(
      await reasonFor('UpdateIdentitySource', 'eu-west-1', {
        name: 'ResourceNotFoundException',
        message: 'no such store',
        resourceType: 'POLICY_STORE',
        resourceId: 'PS1',
      }),
    ).toBe(
      'UpdateIdentitySource failed in eu-west-1: POLICY_STORE PS1 was not found (check PolicyStoreId and Region). (no such store)',
    );
  });

  it('names any other error', async () => {
    expect(
      await reasonFor('DeleteIdentitySource', 'us-east-1', { name: 'Weird', message: 'odd' }),
    ).toBe('DeleteIdentitySource failed in us-east-1: Weird: odd');
  });
});
