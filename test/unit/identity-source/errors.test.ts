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
  ApiCallError,
  bestEffort,
  createGivenUp,
  describeFailure,
  errorKind,
  errorName,
  httpStatusOf,
  isRefusal,
  mayHaveTakenEffect,
  RefusedError,
  ResourceError,
  reasonOf,
  refusalOf,
} from '../../../src/identity-source/errors.js';
import { silentLog } from '../../fixtures/log.js';

const status = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const throttled = new ThrottlingException({ message: 'Rate exceeded', ...status(429) });
const internal = new InternalServerException({ message: 'oops', ...status(500) });
const networkError = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const missing = (resourceType: 'POLICY_STORE' | 'IDENTITY_SOURCE') =>
  new ResourceNotFoundException({
    message: 'not found',
    resourceId: 'x',
    resourceType,
    ...status(404),
  });
const full = new ServiceQuotaExceededException({
  message: 'one only',
  resourceType: 'IDENTITY_SOURCE',
  ...status(402),
});
const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('errorKind', () => {
  it('knows requests that never left the machine: no name, no route, no connection', () => {
    for (const [code, message] of [
      ['ENOTFOUND', 'getaddrinfo ENOTFOUND verifiedpermissions.xx-nowhere-1.amazonaws.com'],
      ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN verifiedpermissions.eu-west-1.amazonaws.com'],
      ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'],
      ['EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:443'],
      ['ENETUNREACH', 'connect ENETUNREACH 10.0.0.1:443'],
    ] as const) {
      expect(errorKind(nodeError(code, message)), code).toBe('never-sent');
    }
    // The SDK's Node handler names a connect timeout so.
    const connectTimeout = Object.assign(
      new Error('Socket timed out without establishing a connection within 3000 ms'),
      { name: 'TimeoutError' },
    );
    expect(errorKind(connectTimeout)).toBe('never-sent');
  });

  it('counts throttling apart', () => {
    expect(errorKind(throttled)).toBe('throttled');
    expect(errorKind({ name: 'Weird', ...status(429) })).toBe('throttled');
  });

  it('knows which failures leave the outcome unknown: timeouts, resets, 5xx, an abandoned call', () => {
    expect(errorKind({ name: 'AbortError' })).toBe('outcome-unknown');
    expect(errorKind(internal)).toBe('outcome-unknown');
    expect(errorKind({ name: 'Weird', ...status(503) })).toBe('outcome-unknown');
    expect(errorKind(networkError)).toBe('outcome-unknown');
    // A timeout once connected: the request may have been sent.
    expect(errorKind(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }))).toBe(
      'outcome-unknown',
    );
  });

  it('takes every answer of the service that is not one of those as definitive', () => {
    for (const error of [
      new ValidationException({ message: 'bad', ...status(400) }),
      new AccessDeniedException({ message: 'no', ...status(403) }),
      new ConflictException({ message: 'no', resources: [], ...status(409) }),
      full,
      missing('POLICY_STORE'),
    ]) {
      expect(errorKind(error), error.name).toBe('definitive');
    }
    expect(errorKind(undefined)).toBe('definitive');
    expect(errorKind('a string')).toBe('definitive');
  });
});

describe('refusalOf', () => {
  it('says what a definitive answer means for the resource', () => {
    expect(refusalOf(missing('IDENTITY_SOURCE'))).toBe('not-found');
    expect(refusalOf(missing('POLICY_STORE'))).toBe('store-not-found');
    expect(refusalOf(full)).toBe('store-full');
    expect(refusalOf(new ConflictException({ message: 'x', resources: [], ...status(409) }))).toBe(
      'conflict',
    );
    expect(refusalOf(new ValidationException({ message: 'x', ...status(400) }))).toBe('invalid');
    expect(refusalOf(new AccessDeniedException({ message: 'x', ...status(403) }))).toBe('denied');
    expect(refusalOf({ name: 'Weird' })).toBe('other');
  });
});

describe('errorName and httpStatusOf', () => {
  it('names a never-sent error by its code, an abandoned call Timeout', () => {
    expect(errorName(nodeError('ENOTFOUND', 'x'))).toBe('ENOTFOUND');
    expect(errorName(networkError)).toBe('Error');
    expect(errorName({ name: 'AbortError' }, true)).toBe('Timeout');
    expect(errorName({ name: 'AbortError' }, false)).toBe('AbortError');
    expect(errorName(throttled)).toBe('ThrottlingException');
    expect(errorName(undefined)).toBe('Error');
  });

  it("reads the answer's HTTP status", () => {
    expect(httpStatusOf(throttled)).toBe(429);
    expect(httpStatusOf(networkError)).toBeUndefined();
  });
});

describe('describeFailure', () => {
  it('tells what to do about a denied call', () => {
    expect(
      describeFailure(
        'CreateIdentitySource',
        'eu-west-1',
        new AccessDeniedException({ message: 'not allowed', ...status(403) }),
      ),
    ).toBe(
      "CreateIdentitySource was denied in eu-west-1: not allowed. The provider's role needs verifiedpermissions:CreateIdentitySource on the policy store (and cognito-idp:DescribeUserPool for Cognito sources).",
    );
  });

  it('points at PolicyStoreId and Region for a missing store', () => {
    expect(
      describeFailure('UpdateIdentitySource', 'eu-west-1', {
        name: 'ResourceNotFoundException',
        message: 'no such store',
        resourceType: 'POLICY_STORE',
        resourceId: 'PS1',
      }),
    ).toBe(
      'UpdateIdentitySource failed in eu-west-1: POLICY_STORE PS1 was not found (check PolicyStoreId and Region). (no such store)',
    );
  });

  it('lists the fields a validation names', () => {
    expect(
      describeFailure('CreateIdentitySource', 'eu-west-1', {
        name: 'ValidationException',
        message: 'bad input',
        fieldList: [{ path: 'configuration', message: 'is wrong' }],
      }),
    ).toBe('CreateIdentitySource rejected the input: bad input (configuration: is wrong)');
  });

  it('explains a full store: one source per store, a quota that cannot be raised', () => {
    const reason = describeFailure('CreateIdentitySource', 'eu-west-1', full);
    expect(reason).toContain('a policy store holds only one (a quota that cannot be raised)');
  });

  it('says nothing was sent when the endpoint could not be reached, and what to check', () => {
    const reason = describeFailure(
      'CreateIdentitySource',
      'xx-nowhere-1',
      nodeError(
        'ENOTFOUND',
        'getaddrinfo ENOTFOUND verifiedpermissions.xx-nowhere-1.amazonaws.com',
      ),
    );
    expect(reason).toBe(
      'CreateIdentitySource could not reach Verified Permissions in xx-nowhere-1 (ENOTFOUND: getaddrinfo ENOTFOUND verifiedpermissions.xx-nowhere-1.amazonaws.com): nothing was sent. Check Region (is xx-nowhere-1 a region where Verified Permissions is available?) and the network path to its endpoint.',
    );
  });

  it('names any other error', () => {
    expect(
      describeFailure('DeleteIdentitySource', 'us-east-1', { name: 'Weird', message: 'odd' }),
    ).toBe('DeleteIdentitySource failed in us-east-1: Weird: odd');
  });
});

describe('error classes', () => {
  it('carry the operation, the kind, the refusal and whether the work may have taken effect', () => {
    const error = new ApiCallError('full', {
      operation: 'CreateIdentitySource',
      kind: 'definitive',
      refusal: 'store-full',
      mayHaveTakenEffect: false,
      cause: full,
    });
    expect(error).toBeInstanceOf(ResourceError);
    expect(error).toMatchObject({
      name: 'ApiCallError',
      operation: 'CreateIdentitySource',
      kind: 'definitive',
      refusal: 'store-full',
      mayHaveTakenEffect: false,
      cause: full,
    });
    expect(isRefusal(error, 'store-full')).toBe(true);
    expect(isRefusal(error, 'not-found')).toBe(false);
    expect(isRefusal(full, 'store-full')).toBe(false);
  });

  it('a refusal made nothing, and a given-up Create or replacing Update says so', () => {
    for (const [kind, request, nothing] of [
      ['create', 'Create', 'created'],
      ['replacement', 'Update', 'changed'],
    ] as const) {
      const error = createGivenUp(kind);
      expect(error).toBeInstanceOf(RefusedError);
      expect(error.mayHaveTakenEffect).toBe(false);
      expect(error.message).toMatch(
        new RegExp(
          `^CloudFormation had already given up on this ${request}: .*nothing was ${nothing}$`,
        ),
      );
    }
  });
});

describe('reasonOf, mayHaveTakenEffect and bestEffort', () => {
  const refused = new RefusedError('the store is held');
  const unknown = new ApiCallError('timed out', {
    operation: 'CreateIdentitySource',
    kind: 'deadline',
    mayHaveTakenEffect: true,
  });

  it("gives a resource error's own message, an unexpected one as an internal error, logged", () => {
    const log = silentLog();
    expect(reasonOf(refused, log)).toBe('the store is held');
    expect(log.lines).toEqual([]);
    expect(reasonOf(new TypeError('x is undefined'), log)).toBe('internal error: x is undefined');
    expect(log.lines).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'Unexpected error' }),
    ]);
  });

  it('assumes an unexpected error may have taken effect', () => {
    expect(mayHaveTakenEffect(refused)).toBe(false);
    expect(mayHaveTakenEffect(unknown)).toBe(true);
    expect(mayHaveTakenEffect(new Error('?'))).toBe(true);
  });

  it('never lets record trouble fail a request: the fallback, and a warning naming the step', async () => {
    const log = silentLog();
    expect(await bestEffort(log, 'begin', async () => 'begun', 'fallback')).toBe('begun');
    expect(log.lines).toEqual([]);
    const down = Object.assign(new Error('down'), { name: 'ResourceNotFoundException' });
    expect(
      await bestEffort(
        log,
        'settle',
        async () => {
          throw down;
        },
        'fallback',
      ),
    ).toBe('fallback');
    expect(log.lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        step: 'settle',
        error: 'ResourceNotFoundException',
      }),
    ]);
  });
});
