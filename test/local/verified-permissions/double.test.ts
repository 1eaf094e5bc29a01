import {
  ConflictException,
  CreateIdentitySourceCommand,
  DeleteIdentitySourceCommand,
  GetIdentitySourceCommand,
  InternalServerException,
  ListIdentitySourcesCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  UpdateIdentitySourceCommand,
  ValidationException,
  VerifiedPermissionsClient,
  type VerifiedPermissionsClientConfig,
} from '@aws-sdk/client-verifiedpermissions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cognitoIssuer,
  startVerifiedPermissionsDouble,
  type VerifiedPermissionsDouble,
} from '../../../local/verified-permissions/double.js';

const USER_POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123';
const cognito = {
  cognitoUserPoolConfiguration: { userPoolArn: USER_POOL_ARN, clientIds: ['client-a'] },
};
const oidc = {
  openIdConnectConfiguration: {
    issuer: 'https://issuer.example.com',
    tokenSelection: { accessTokenOnly: { audiences: ['api://default'] } },
  },
};

let double: VerifiedPermissionsDouble;
let clients: VerifiedPermissionsClient[];

function client(config: Partial<VerifiedPermissionsClientConfig> = {}): VerifiedPermissionsClient {
  const created = new VerifiedPermissionsClient({
    region: 'eu-west-1',
    endpoint: double.endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    ...config,
  });
  clients.push(created);
  return created;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  clients = [];
  double = await startVerifiedPermissionsDouble();
});

afterEach(async () => {
  for (const c of clients) c.destroy();
  await double.close();
});

describe('Verified Permissions test double', () => {
  it('creates, reads, lists, updates and deletes an identity source', async () => {
    const vp = client();
    const policyStoreId = double.addPolicyStore('store-1');

    const created = await vp.send(
      new CreateIdentitySourceCommand({
        policyStoreId,
        configuration: cognito,
        principalEntityType: 'MyApp::User',
      }),
    );
    expect(created.policyStoreId).toBe('store-1');
    expect(created.identitySourceId).toMatch(/^IS[A-Za-z0-9]{20}$/);
    expect(created.createdDate).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - created.createdDate!.getTime())).toBeLessThan(5_000);
    const identitySourceId = created.identitySourceId!;

    const got = await vp.send(new GetIdentitySourceCommand({ policyStoreId, identitySourceId }));
    expect(got.principalEntityType).toBe('MyApp::User');
    expect(got.details).toEqual({
      clientIds: ['client-a'],
      userPoolArn: USER_POOL_ARN,
      discoveryUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      openIdIssuer: 'COGNITO',
    });
    expect(got.configuration).toEqual({
      cognitoUserPoolConfiguration: {
        userPoolArn: USER_POOL_ARN,
        clientIds: ['client-a'],
        issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      },
    });

    const listed = await vp.send(new ListIdentitySourcesCommand({ policyStoreId }));
    expect(listed.identitySources).toHaveLength(1);
    expect(listed.identitySources?.[0]).toMatchObject({
      identitySourceId,
      policyStoreId,
      principalEntityType: 'MyApp::User',
      configuration: { cognitoUserPoolConfiguration: { userPoolArn: USER_POOL_ARN } },
    });
    expect(listed.identitySources?.[0]?.lastUpdatedDate).toBeInstanceOf(Date);

    await sleep(5);
    const updated = await vp.send(
      new UpdateIdentitySourceCommand({
        policyStoreId,
        identitySourceId,
        updateConfiguration: oidc,
      }),
    );
    expect(updated.lastUpdatedDate!.getTime()).toBeGreaterThan(updated.createdDate!.getTime());
    const afterUpdate = await vp.send(
      new GetIdentitySourceCommand({ policyStoreId, identitySourceId }),
    );
    expect(afterUpdate.details).toBeUndefined();
    expect(afterUpdate.principalEntityType).toBe('MyApp::User');
    expect(afterUpdate.configuration).toEqual({
      openIdConnectConfiguration: {
        issuer: 'https://issuer.example.com',
        tokenSelection: {
          accessTokenOnly: { principalIdClaim: 'sub', audiences: ['api://default'] },
        },
      },
    });
    expect(double.identitySources()[0]?.configuration).toEqual(oidc);

    await vp.send(new DeleteIdentitySourceCommand({ policyStoreId, identitySourceId }));
    expect(double.identitySources()).toEqual([]);
    const gone = vp.send(new GetIdentitySourceCommand({ policyStoreId, identitySourceId }));
    await expect(gone).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(gone).rejects.toMatchObject({
      resourceType: 'IDENTITY_SOURCE',
      resourceId: identitySourceId,
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('defaults the principal entity type to AWS::Cognito', async () => {
    const vp = client();
    const policyStoreId = double.addPolicyStore();
    const { identitySourceId } = await vp.send(
      new CreateIdentitySourceCommand({ policyStoreId, configuration: cognito }),
    );
    const got = await vp.send(new GetIdentitySourceCommand({ policyStoreId, identitySourceId }));
    expect(got.principalEntityType).toBe('AWS::Cognito');
  });

  it('answers ResourceNotFoundException for an unknown policy store', async () => {
    const attempt = client().send(
      new CreateIdentitySourceCommand({ policyStoreId: 'nope', configuration: cognito }),
    );
    await expect(attempt).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(attempt).rejects.toMatchObject({
      resourceType: 'POLICY_STORE',
      resourceId: 'nope',
    });
  });

  it('allows one identity source per policy store', async () => {
    const vp = client();
    const policyStoreId = double.addPolicyStore();
    await vp.send(new CreateIdentitySourceCommand({ policyStoreId, configuration: cognito }));
    const second = vp.send(new CreateIdentitySourceCommand({ policyStoreId, configuration: oidc }));
    await expect(second).rejects.toBeInstanceOf(ServiceQuotaExceededException);
    await expect(second).rejects.toMatchObject({ resourceType: 'IDENTITY_SOURCE' });
    expect(double.identitySources()).toHaveLength(1);
  });

  it('replays a create with the same client token and parameters, and rejects other parameters', async () => {
    const vp = client();
    const policyStoreId = double.addPolicyStore();
    const input = { policyStoreId, configuration: cognito, clientToken: 'request-1' };
    const first = await vp.send(new CreateIdentitySourceCommand(input));
    const replay = await vp.send(new CreateIdentitySourceCommand({ ...input }));
    expect(replay).toMatchObject({
      identitySourceId: first.identitySourceId,
      createdDate: first.createdDate,
    });
    expect(double.identitySources()).toHaveLength(1);

    const conflicting = vp.send(
      new CreateIdentitySourceCommand({ ...input, principalEntityType: 'Other::User' }),
    );
    await expect(conflicting).rejects.toBeInstanceOf(ConflictException);
    await expect(conflicting).rejects.toMatchObject({
      resources: [{ resourceId: first.identitySourceId, resourceType: 'IDENTITY_SOURCE' }],
    });
    expect(double.identitySources()).toHaveLength(1);
  });

  it('rejects input that breaks the model constraints with a ValidationException', async () => {
    const vp = client();
    const policyStoreId = double.addPolicyStore();
    const badArn = vp.send(
      new CreateIdentitySourceCommand({
        policyStoreId,
        configuration: { cognitoUserPoolConfiguration: { userPoolArn: 'not-an-arn' } },
      }),
    );
    await expect(badArn).rejects.toBeInstanceOf(ValidationException);
    await expect(badArn).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
      fieldList: [{ path: 'configuration.cognitoUserPoolConfiguration.userPoolArn' }],
    });

    const bothMembers = vp.send(
      new CreateIdentitySourceCommand({
        policyStoreId,
        configuration: { ...cognito, ...oidc } as never,
      }),
    );
    await expect(bothMembers).rejects.toBeInstanceOf(ValidationException);
    await expect(bothMembers).rejects.toMatchObject({
      message: expect.stringContaining('exactly one of'),
    });

    const tooLong = vp.send(
      new GetIdentitySourceCommand({ policyStoreId, identitySourceId: 'x'.repeat(201) }),
    );
    await expect(tooLong).rejects.toThrow(/length less than or equal to 200/);

    const missingToken = vp.send(
      new UpdateIdentitySourceCommand({
        policyStoreId,
        identitySourceId: 'IS1',
        updateConfiguration: {
          openIdConnectConfiguration: { issuer: 'http://not-https.example.com' } as never,
        },
      }),
    );
    await expect(missingToken).rejects.toMatchObject({
      name: 'ValidationException',
      fieldList: expect.arrayContaining([
        expect.objectContaining({ path: 'updateConfiguration.openIdConnectConfiguration.issuer' }),
        expect.objectContaining({
          path: 'updateConfiguration.openIdConnectConfiguration.tokenSelection',
        }),
      ]),
    });
    expect(double.identitySources()).toEqual([]);
  });

  it('throttles more than one write per second per store when asked to', async () => {
    await double.close();
    double = await startVerifiedPermissionsDouble({ throttleWritesPerSecond: 1 });
    const vp = client({ maxAttempts: 1 });
    const policyStoreId = double.addPolicyStore();
    const { identitySourceId } = await vp.send(
      new CreateIdentitySourceCommand({ policyStoreId, configuration: cognito }),
    );
    const update = new UpdateIdentitySourceCommand({
      policyStoreId,
      identitySourceId,
      updateConfiguration: oidc,
    });
    const throttled = vp.send(update);
    await expect(throttled).rejects.toBeInstanceOf(ThrottlingException);
    await expect(throttled).rejects.toMatchObject({ $metadata: { httpStatusCode: 429 } });
    // reads are not throttled
    await vp.send(new GetIdentitySourceCommand({ policyStoreId, identitySourceId }));
    // another store has its own budget
    const other = double.addPolicyStore();
    await vp.send(
      new CreateIdentitySourceCommand({ policyStoreId: other, configuration: cognito }),
    );

    await sleep(1_050);
    await expect(vp.send(update)).resolves.toMatchObject({ identitySourceId });

    double.setWriteThrottle(undefined);
    await vp.send(update);
    await expect(vp.send(update)).resolves.toMatchObject({ identitySourceId });
  });

  it('answers ResourceNotFoundException for a store that is not visible yet', async () => {
    const vp = client();
    const policyStoreId = double.addPolicyStore(undefined, { visibleAfterMs: 300 });
    const early = vp.send(
      new CreateIdentitySourceCommand({ policyStoreId, configuration: cognito }),
    );
    await expect(early).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      resourceType: 'POLICY_STORE',
    });
    await sleep(320);
    await expect(
      vp.send(new CreateIdentitySourceCommand({ policyStoreId, configuration: cognito })),
    ).resolves.toHaveProperty('identitySourceId');
  });

  it('hides a new identity source for a while when read-after-write lag is configured', async () => {
    await double.close();
    double = await startVerifiedPermissionsDouble({ identitySourceVisibleAfterMs: 200 });
    const vp = client();
    const policyStoreId = double.addPolicyStore();
    const { identitySourceId } = await vp.send(
      new CreateIdentitySourceCommand({ policyStoreId, configuration: cognito }),
    );
    await expect(
      vp.send(new GetIdentitySourceCommand({ policyStoreId, identitySourceId })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await sleep(220);
    await expect(
      vp.send(new GetIdentitySourceCommand({ policyStoreId, identitySourceId })),
    ).resolves.toMatchObject({ identitySourceId });
  });

  it('fails the next calls on demand', async () => {
    const vp = client({ maxAttempts: 1 });
    const policyStoreId = double.addPolicyStore();
    double.failNext('CreateIdentitySource', { times: 2 });
    const create = new CreateIdentitySourceCommand({ policyStoreId, configuration: cognito });
    const failed = vp.send(create);
    await expect(failed).rejects.toBeInstanceOf(InternalServerException);
    await expect(failed).rejects.toMatchObject({
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    await expect(vp.send(create)).rejects.toBeInstanceOf(InternalServerException);
    await expect(vp.send(create)).resolves.toHaveProperty('identitySourceId');

    double.failNext('*', { status: 503, errorType: 'ServiceUnavailableException' });
    await expect(vp.send(new ListIdentitySourcesCommand({ policyStoreId }))).rejects.toMatchObject({
      name: 'ServiceUnavailableException',
      $metadata: { httpStatusCode: 503 },
    });
    expect(double.requests.map((r) => r.status)).toEqual([500, 500, 200, 503]);
  });

  it('lets the SDK retry an injected 500 by default', async () => {
    const vp = client();
    const policyStoreId = double.addPolicyStore();
    double.failNext('GetIdentitySource');
    const { identitySourceId } = await vp.send(
      new CreateIdentitySourceCommand({ policyStoreId, configuration: cognito }),
    );
    await expect(
      vp.send(new GetIdentitySourceCommand({ policyStoreId, identitySourceId })),
    ).resolves.toMatchObject({ identitySourceId });
    expect(double.requests.map((r) => [r.operation, r.status])).toEqual([
      ['CreateIdentitySource', 200],
      ['GetIdentitySource', 500],
      ['GetIdentitySource', 200],
    ]);
  });

  it('leaves a request unanswered on demand, and close() ends it', async () => {
    const vp = client({ maxAttempts: 1 });
    const policyStoreId = double.addPolicyStore();
    double.hangNext('ListIdentitySources', 2);

    const aborted = vp.send(new ListIdentitySourcesCommand({ policyStoreId }), {
      abortSignal: AbortSignal.timeout(200),
    });
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });

    const pending = vp.send(new ListIdentitySourcesCommand({ policyStoreId }));
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await sleep(50);
    expect(double.requests.map((r) => r.status)).toEqual([undefined, undefined]);
    const closing = Date.now();
    await double.close();
    expect(Date.now() - closing).toBeLessThan(1_000);
    expect(await outcome).toBe('failed');
    double = await startVerifiedPermissionsDouble(); // for afterEach
  });

  it('records each request with its operation, body and signing region', async () => {
    const policyStoreId = double.addPolicyStore();
    await client({ region: 'ap-southeast-2' }).send(
      new ListIdentitySourcesCommand({ policyStoreId }),
    );
    expect(double.requests).toEqual([
      {
        operation: 'ListIdentitySources',
        body: { policyStoreId },
        region: 'ap-southeast-2',
        accessKeyId: 'AKIDEXAMPLE',
        time: expect.any(Number),
        status: 200,
      },
    ]);
  });

  it('keeps a policy store pinned to its region', async () => {
    const policyStoreId = double.addPolicyStore(undefined, { region: 'us-east-1' });
    await expect(
      client({ region: 'eu-west-1' }).send(new ListIdentitySourcesCommand({ policyStoreId })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client({ region: 'us-east-1' }).send(new ListIdentitySourcesCommand({ policyStoreId })),
    ).resolves.toEqual(expect.objectContaining({ identitySources: [] }));
  });

  it('forgets everything on reset', async () => {
    const vp = client();
    const policyStoreId = double.addPolicyStore();
    await vp.send(new CreateIdentitySourceCommand({ policyStoreId, configuration: cognito }));
    double.reset();
    expect(double.identitySources()).toEqual([]);
    expect(double.requests).toEqual([]);
    await expect(vp.send(new ListIdentitySourcesCommand({ policyStoreId }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('pages and filters the list, and validates maxResults', async () => {
    await double.close();
    double = await startVerifiedPermissionsDouble({ maxIdentitySourcesPerStore: 3 });
    const vp = client();
    const policyStoreId = double.addPolicyStore();
    for (const principalEntityType of ['App::User', 'App::Admin', 'App::User']) {
      await vp.send(
        new CreateIdentitySourceCommand({
          policyStoreId,
          configuration: cognito,
          principalEntityType,
        }),
      );
    }
    const users = [{ principalEntityType: 'App::User' }];
    const first = await vp.send(
      new ListIdentitySourcesCommand({ policyStoreId, maxResults: 1, filters: users }),
    );
    expect(first.identitySources).toHaveLength(1);
    expect(first.nextToken).toEqual(expect.any(String));
    const second = await vp.send(
      new ListIdentitySourcesCommand({
        policyStoreId,
        maxResults: 1,
        filters: users,
        nextToken: first.nextToken,
      }),
    );
    expect(second.identitySources).toHaveLength(1);
    expect(second.nextToken).toBeUndefined();
    expect(second.identitySources?.[0]?.identitySourceId).not.toBe(
      first.identitySources?.[0]?.identitySourceId,
    );
    await expect(
      vp.send(new ListIdentitySourcesCommand({ policyStoreId, maxResults: 0 })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      fieldList: [{ path: 'maxResults' }],
    });
  });

  it('derives the Cognito issuer for the China partition', () => {
    expect(
      cognitoIssuer('arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_Abc'),
    ).toBe('https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_Abc');
  });
});
