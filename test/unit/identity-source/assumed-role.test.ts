import { describe, expect, it } from 'vitest';
import {
  type AssumeRole,
  clientsForRole,
  sessionNameFor,
} from '../../../src/identity-source/assumed-role.js';
import { ApiCallError } from '../../../src/identity-source/errors.js';
import { silentLog } from '../../fixtures/log.js';

const ROLE = 'arn:aws:iam::111122223333:role/IdentitySourceManager';
const deps = (assumeRole: AssumeRole) => ({
  workEndsAt: Date.now() + 5_000,
  log: silentLog(),
  sleep: async () => {},
  assumeRole,
});

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

describe('clientsForRole', () => {
  it("assumes the role once, in the resource's region, and signs with its credentials", async () => {
    const assumed: unknown[] = [];
    const clientFor = await clientsForRole(
      { region: 'ap-east-2', roleArn: ROLE, sessionName: 'cfn-X-r1' },
      deps(async (input) => {
        assumed.push(input);
        return { accessKeyId: 'ASIAROLE', secretAccessKey: 'secret', sessionToken: 'token' };
      }),
    );
    expect(assumed).toEqual([{ region: 'ap-east-2', roleArn: ROLE, sessionName: 'cfn-X-r1' }]);
    const client = clientFor('ap-east-2');
    expect(clientFor('ap-east-2')).toBe(client);
    const credentials = await client.config.credentials();
    expect(credentials).toMatchObject({ accessKeyId: 'ASIAROLE', sessionToken: 'token' });
    expect(await client.config.region()).toBe('ap-east-2');
  });

  it('fails naming the role, and what to check, when STS denies it', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const error = (await clientsForRole(
      { region: 'eu-west-1', roleArn: ROLE, sessionName: 's' },
      deps(async () => {
        throw denied;
      }),
    ).catch((e: unknown) => e)) as ApiCallError;
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error.message).toBe(
      `could not assume RoleArn ${ROLE} in eu-west-1: AccessDenied: User is not authorized to perform: sts:AssumeRole. The role's trust policy must let the provider's function role call sts:AssumeRole, and the provider stack must list the role in its AssumableRoleArns parameter.`,
    );
    expect(error.mayHaveTakenEffect).toBe(false);
  });
});
