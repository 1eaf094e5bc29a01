import {
  CreateIdentitySourceCommand,
  DeleteIdentitySourceCommand,
  GetIdentitySourceCommand,
  GetPolicyStoreAliasCommand,
  ListIdentitySourcesCommand,
  ResourceNotFoundException,
  ThrottlingException,
  UpdateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiCallError } from '../../../src/identity-source/errors.js';
import {
  type AssumeRole,
  call,
  createSource,
  deleteSource,
  getSource,
  invocationClients,
  NEVER_SENT_WAIT_MS,
  ownClients,
  STORE_VISIBILITY_WAIT_MS,
  sessionNameFor,
  sourceIn,
  storeIdOf,
  updateSource,
} from '../../../src/identity-source/service.js';
import { silentLog } from '../../fixtures/log.js';

const deps = (workMs: number) => {
  const waits: number[] = [];
  return {
    workEndsAt: Date.now() + workMs,
    log: silentLog(),
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
};

/** A clock that only moves when the call sleeps: minutes of retries in no time. */
function useSleepingClock() {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  return (workMs: number) => {
    const d = deps(workMs);
    return {
      ...d,
      sleep: async (ms: number) => {
        d.waits.push(ms);
        vi.setSystemTime(Date.now() + ms);
      },
    };
  };
}

const throttled = () =>
  new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
const storeMissing = () =>
  new ResourceNotFoundException({
    message: 'no such store',
    resourceType: 'POLICY_STORE',
    resourceId: 'PS1',
    $metadata: { httpStatusCode: 404 },
  });

describe('call', () => {
  it('returns the first success and logs each attempt', async () => {
    const d = deps(5_000);
    let attempts = 0;
    const result = await call('UpdateIdentitySource', 'eu-west-1', d, async () => {
      attempts += 1;
      if (attempts < 3) throw throttled();
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(d.log.lines.map((l) => l.message)).toEqual([
      'API call failed',
      'API call failed',
      'API call succeeded',
    ]);
    expect(d.log.lines[0]).toMatchObject({
      errorKind: 'throttled',
      attempt: 1,
      region: 'eu-west-1',
    });
  });

  it('waits at least a second before retrying a throttled call, less after a 5xx', async () => {
    const d = deps(60_000);
    let attempts = 0;
    await call('UpdateIdentitySource', 'eu-west-1', d, async () => {
      attempts += 1;
      if (attempts === 1) throw throttled();
      if (attempts === 2)
        throw Object.assign(new Error('oops'), {
          name: 'InternalServerException',
          $metadata: { httpStatusCode: 500 },
        });
      return 'ok';
    });
    expect(d.waits).toHaveLength(2);
    expect(d.waits[0]).toBeGreaterThanOrEqual(1_000);
    expect(d.waits[0]).toBeLessThanOrEqual(2_000);
    expect(d.waits[1]).toBeLessThanOrEqual(500);
  });

  it('does not retry a client error', async () => {
    let attempts = 0;
    const error = await call('UpdateIdentitySource', 'eu-west-1', deps(5_000), async () => {
      attempts += 1;
      throw Object.assign(new Error('bad'), {
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      });
    }).catch((e: ApiCallError) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error).toMatchObject({
      kind: 'definitive',
      refusal: 'invalid',
      mayHaveTakenEffect: false,
    });
    expect(attempts).toBe(1);
  });

  it('remembers that an earlier attempt may have taken effect', async () => {
    let attempts = 0;
    const error = await call('CreateIdentitySource', 'eu-west-1', deps(5_000), async () => {
      attempts += 1;
      if (attempts === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      throw Object.assign(new Error('bad'), {
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      });
    }).catch((e: ApiCallError) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error.mayHaveTakenEffect).toBe(true);
  });

  it('abandons a call that never settles at the deadline', async () => {
    const error = await call(
      'DeleteIdentitySource',
      'eu-west-1',
      deps(100),
      () => new Promise<never>(() => {}),
    ).catch((e: ApiCallError) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error.kind).toBe('deadline');
    expect(error.mayHaveTakenEffect).toBe(true);
    expect(error.message).toContain('timed out waiting for DeleteIdentitySource in eu-west-1');
  });

  it('does not start when the time budget is already spent', async () => {
    let attempts = 0;
    const error = await call('GetIdentitySource', 'eu-west-1', deps(-1), async () => {
      attempts += 1;
    }).catch((e: ApiCallError) => e);
    expect(error).toMatchObject({ kind: 'deadline', mayHaveTakenEffect: false });
    expect(attempts).toBe(0);
  });

  it('gives up when the next wait would pass the deadline', async () => {
    const error = await call('UpdateIdentitySource', 'eu-west-1', deps(500), async () => {
      throw throttled();
    }).catch((e: ApiCallError) => e);
    expect(error).toMatchObject({ kind: 'throttled', mayHaveTakenEffect: false });
    expect(error.message).toContain('the time budget leaves no room for another');
  });

  describe('with a clock that moves only when the call waits', () => {
    const sleepingDeps = useSleepingClock();

    it('retries a request that never left the machine for about 8 s, then fails: nothing was sent', async () => {
      const d = sleepingDeps(600_000);
      const started = Date.now();
      let attempts = 0;
      const error = await call('CreateIdentitySource', 'xx-nowhere-1', d, async () => {
        attempts += 1;
        throw Object.assign(
          new Error('getaddrinfo ENOTFOUND verifiedpermissions.xx-nowhere-1.amazonaws.com'),
          {
            code: 'ENOTFOUND',
          },
        );
      }).catch((e: ApiCallError) => e);
      expect(error).toBeInstanceOf(ApiCallError);
      expect(error).toMatchObject({ kind: 'never-sent', mayHaveTakenEffect: false });
      expect(error.message).toContain('could not reach Verified Permissions in xx-nowhere-1');
      expect(attempts).toBeGreaterThan(1);
      const lasted = Date.now() - started;
      expect(lasted).toBeGreaterThan(NEVER_SENT_WAIT_MS);
      expect(lasted).toBeLessThan(NEVER_SENT_WAIT_MS + 5_000);
    });

    it('waits for what the call says may not be visible yet (a store, for a Create), for half a minute', async () => {
      const d = sleepingDeps(600_000);
      const started = Date.now();
      let attempts = 0;
      const visibility = { visibility: 'store-not-found' } as const;
      const error = await call(
        'CreateIdentitySource',
        'eu-west-1',
        d,
        async () => {
          attempts += 1;
          throw storeMissing();
        },
        visibility,
      ).catch((e: ApiCallError) => e);
      expect(error).toMatchObject({ kind: 'definitive', refusal: 'store-not-found' });
      expect(error.message).toMatch(/\(waited \d+ s for it to become visible\)$/);
      expect(attempts).toBeGreaterThan(1);
      const lasted = Date.now() - started;
      expect(lasted).toBeGreaterThan(STORE_VISIBILITY_WAIT_MS);
      expect(lasted).toBeLessThan(STORE_VISIBILITY_WAIT_MS + 5_000);

      // a call that does not say so takes not found as final
      let updates = 0;
      await call('UpdateIdentitySource', 'eu-west-1', sleepingDeps(600_000), async () => {
        updates += 1;
        throw storeMissing();
      }).catch(() => undefined);
      expect(updates).toBe(1);
    });

    it('finds a store that becomes visible while it waits', async () => {
      let attempts = 0;
      const result = await call(
        'CreateIdentitySource',
        'eu-west-1',
        sleepingDeps(600_000),
        async () => {
          attempts += 1;
          if (attempts < 4) throw storeMissing();
          return 'made';
        },
        { visibility: 'store-not-found' },
      );
      expect(result).toBe('made');
    });
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

describe('operations', () => {
  const verifiedPermissions = mockClient(VerifiedPermissionsClient);
  beforeEach(() => verifiedPermissions.reset());
  const target = { region: 'eu-west-1' };
  const serviceDeps = () => {
    const client = new VerifiedPermissionsClient({ region: 'eu-west-1' });
    return { ...deps(5_000), clients: async () => client };
  };
  const notFound = (resourceType: string) =>
    new ResourceNotFoundException({
      message: 'not found',
      resourceType: resourceType as never,
      resourceId: 'x',
      $metadata: { httpStatusCode: 404 },
    });

  it("creates a source: the answer's id, an answer without one an unknown outcome", async () => {
    const input = { clientToken: 't', policyStoreId: 'PS1', configuration: undefined as never };
    verifiedPermissions
      .on(CreateIdentitySourceCommand)
      .resolves({ identitySourceId: 'IS1' } as never);
    expect(await createSource(target, input, serviceDeps())).toBe('IS1');
    expect(verifiedPermissions).toHaveReceivedCommandWith(CreateIdentitySourceCommand, {
      clientToken: 't',
    });
    verifiedPermissions.on(CreateIdentitySourceCommand).resolves({} as never);
    const error = await createSource(target, input, serviceDeps()).catch((e: ApiCallError) => e);
    expect(error).toMatchObject({ kind: 'outcome-unknown', mayHaveTakenEffect: true });
  });

  it('updates a source in place', async () => {
    verifiedPermissions.on(UpdateIdentitySourceCommand).resolves({} as never);
    await updateSource(
      target,
      { policyStoreId: 'PS1', identitySourceId: 'IS1', updateConfiguration: undefined as never },
      serviceDeps(),
    );
    expect(verifiedPermissions).toHaveReceivedCommandTimes(UpdateIdentitySourceCommand, 1);
  });

  it('deletes a source; one (or a store) not found is already gone', async () => {
    verifiedPermissions.on(DeleteIdentitySourceCommand).resolves({});
    expect(
      await deleteSource(target, { policyStoreId: 'PS1', identitySourceId: 'IS1' }, serviceDeps()),
    ).toBe('deleted');
    for (const type of ['IDENTITY_SOURCE', 'POLICY_STORE']) {
      verifiedPermissions.on(DeleteIdentitySourceCommand).rejects(notFound(type));
      expect(
        await deleteSource(
          target,
          { policyStoreId: 'PS1', identitySourceId: 'IS1' },
          serviceDeps(),
        ),
        type,
      ).toBe('already-gone');
    }
    verifiedPermissions.on(DeleteIdentitySourceCommand).rejects(
      Object.assign(new Error('no'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(
      deleteSource(target, { policyStoreId: 'PS1', identitySourceId: 'IS1' }, serviceDeps()),
    ).rejects.toMatchObject({ refusal: 'denied' });
  });

  it('gets a source, undefined when it or its store is not found', async () => {
    verifiedPermissions.on(GetIdentitySourceCommand).resolves({ identitySourceId: 'IS1' } as never);
    expect(
      await getSource(target, { policyStoreId: 'PS1', identitySourceId: 'IS1' }, serviceDeps()),
    ).toMatchObject({ identitySourceId: 'IS1' });
    verifiedPermissions.on(GetIdentitySourceCommand).rejects(notFound('POLICY_STORE'));
    expect(
      await getSource(target, { policyStoreId: 'PS1', identitySourceId: 'IS1' }, serviceDeps()),
    ).toBeUndefined();
  });

  it("lists the store's one source", async () => {
    verifiedPermissions
      .on(ListIdentitySourcesCommand, { policyStoreId: 'PS1', maxResults: 1 })
      .resolves({ identitySources: [{ identitySourceId: 'IS1' }] } as never);
    expect(await sourceIn(target, 'PS1', serviceDeps())).toMatchObject({ identitySourceId: 'IS1' });
    verifiedPermissions.on(ListIdentitySourcesCommand).resolves({ identitySources: [] } as never);
    expect(await sourceIn(target, 'PS1', serviceDeps())).toBeUndefined();
  });

  it('resolves a policy store alias, and takes an id as it is without a call', async () => {
    verifiedPermissions
      .on(GetPolicyStoreAliasCommand, { aliasName: 'policy-store-alias/payments' })
      .resolves({ policyStoreId: 'PSresolved' } as never);
    expect(await storeIdOf(target, 'policy-store-alias/payments', serviceDeps())).toBe(
      'PSresolved',
    );
    expect(await storeIdOf(target, 'PSEXAMPLEabcdefg111111', serviceDeps())).toBe(
      'PSEXAMPLEabcdefg111111',
    );
    expect(verifiedPermissions).toHaveReceivedCommandTimes(GetPolicyStoreAliasCommand, 1);
    verifiedPermissions.on(GetPolicyStoreAliasCommand).resolves({} as never);
    await expect(
      storeIdOf(target, 'policy-store-alias/payments', serviceDeps()),
    ).rejects.toBeInstanceOf(ApiCallError);
  });
});

const ROLE = 'arn:aws:iam::111122223333:role/IdentitySourceManager';

describe('sessionNameFor', () => {
  it("names the stack's request, within STS's 64 characters and alphabet", () => {
    const requestId = '4f2a9c3e-1b7d-4e0a-9c8b-0123456789ab';
    expect(sessionNameFor('IdentitySource', requestId)).toBe(`cfn-IdentitySource-${requestId}`);
    const long = sessionNameFor('L'.repeat(200), requestId);
    expect(long).toHaveLength(64);
    expect(long.endsWith(requestId)).toBe(true);
    expect(sessionNameFor('Odd', 'id with spaces/and:colons')).toBe(
      'cfn-Odd-idwithspacesandcolons',
    );
  });
});

describe('ownClients', () => {
  it('makes one client per region, with the function’s own credentials', async () => {
    const own = ownClients();
    expect(own('eu-west-1')).toBe(own('eu-west-1'));
    expect(own('eu-west-1')).not.toBe(own('us-east-1'));
    expect(await own('us-east-1').config.region()).toBe('us-east-1');
  });
});

describe('invocationClients', () => {
  const timing = () => ({
    workEndsAt: Date.now() + 5_000,
    log: silentLog(),
    sleep: async () => {},
  });

  it("assumes the role once, in the resource's region, and signs with its credentials", async () => {
    const assumed: unknown[] = [];
    const assumeRole: AssumeRole = async (input) => {
      assumed.push(input);
      return { accessKeyId: 'ASIAROLE', secretAccessKey: 'secret', sessionToken: 'token' };
    };
    const clients = invocationClients({
      own: ownClients(),
      sessionName: 'cfn-X-r1',
      assumeRole,
      deps: timing(),
    });
    const client = await clients({ region: 'ap-east-2', roleArn: ROLE });
    expect(await clients({ region: 'ap-east-2', roleArn: ROLE })).toBe(client);
    expect(assumed).toEqual([{ region: 'ap-east-2', roleArn: ROLE, sessionName: 'cfn-X-r1' }]);
    const credentials = await client.config.credentials();
    expect(credentials).toMatchObject({ accessKeyId: 'ASIAROLE', sessionToken: 'token' });
    expect(await client.config.region()).toBe('ap-east-2');
  });

  it('uses the process’s own clients without a role, assuming nothing', async () => {
    const own = ownClients();
    let assumed = 0;
    const clients = invocationClients({
      own,
      sessionName: 's',
      assumeRole: async () => {
        assumed += 1;
        throw new Error('not called');
      },
      deps: timing(),
    });
    expect(await clients({ region: 'eu-west-1' })).toBe(own('eu-west-1'));
    expect(assumed).toBe(0);
  });

  it('fails naming the role, and what to check, when STS denies it', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const clients = invocationClients({
      own: ownClients(),
      sessionName: 's',
      assumeRole: async () => {
        throw denied;
      },
      deps: timing(),
    });
    const error = (await clients({ region: 'eu-west-1', roleArn: ROLE }).catch(
      (e: unknown) => e,
    )) as ApiCallError;
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error.message).toBe(
      `could not assume RoleArn ${ROLE} in eu-west-1: AccessDenied: User is not authorized to perform: sts:AssumeRole. The role's trust policy must let the provider's function role call sts:AssumeRole, and the provider stack must list the role in its AssumableRoleArns parameter.`,
    );
    expect(error.mayHaveTakenEffect).toBe(false);
    expect(error.operation).toBe('AssumeRole');
  });
});
