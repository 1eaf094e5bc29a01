import {
  CreateIdentitySourceCommand,
  DeleteIdentitySourceCommand,
  GetPolicyStoreAliasCommand,
  InternalServerException,
  ListIdentitySourcesCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  UpdateIdentitySourceCommand,
  ValidationException,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  afterCreate,
  applied,
  create,
  type MakePlan,
  makePlan,
  makeSource,
  problemsOf,
  succeeded,
} from '../../../src/identity-source/create.js';
import { ApiCallError, RefusedError } from '../../../src/identity-source/errors.js';
import { parseProperties } from '../../../src/identity-source/properties.js';
import type { ResourceDependencies, StackReader } from '../../../src/identity-source/resource.js';
import type { Target } from '../../../src/identity-source/service.js';
import {
  clientTokenFor,
  createUnconfirmedId,
  notCreatedId,
} from '../../../src/identity-source/translate.js';
import type { Making } from '../../../src/persistence/resource-record.js';
import { silentLog } from '../../fixtures/log.js';
import {
  EXISTING_PREVIOUS,
  EXISTING_SOURCE,
  resourceNamed,
  STORE,
  STORE_IS_FULL,
  useOwnership,
} from '../../fixtures/ownership.js';
import { recordsLike } from '../../fixtures/records.js';
import {
  cognitoProperties,
  createResource,
  POLICY_STORE_ID,
  USER_POOL_ARN,
  updateResource,
} from '../../fixtures/requests.js';

const vp = mockClient(VerifiedPermissionsClient);
const client = new VerifiedPermissionsClient({ region: 'eu-west-1' });
const meta = { $metadata: {} };
const REGION = 'eu-west-1';
beforeEach(() => vp.reset());

function deps(workMs = 10_000, extra: Partial<Omit<ResourceDependencies, 'log'>> = {}) {
  const waits: number[] = [];
  const regions: string[] = [];
  return {
    waits,
    regions,
    clients: async (target: Target) => {
      regions.push(target.region);
      return client;
    },
    workEndsAt: Date.now() + workMs,
    log: silentLog(),
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    defaultRegion: REGION,
    functionAccountId: '123456789012',
    ...extra,
  };
}

const planOf = (properties = cognitoProperties(), logicalResourceId = 'IdentitySource') => {
  const request = createResource(properties, { logicalResourceId });
  if (!request.parsed.ok) throw new Error('fixture invalid');
  return makePlan(request, request.parsed.properties, 'create', REGION);
};

describe('makePlan and problemsOf', () => {
  it('creates with the RequestId as clientToken, in the function region', () => {
    const request = createResource(cognitoProperties());
    const plan = planOf(cognitoProperties());
    const own = request.parsed.ok
      ? makePlan(request, request.parsed.properties, 'create', REGION)
      : undefined;
    expect(own).toMatchObject({
      kind: 'create',
      target: { region: REGION },
      requestId: request.requestId,
      resource: request.resource,
      adoptExisting: false,
      input: {
        clientToken: request.requestId,
        policyStoreId: POLICY_STORE_ID,
        principalEntityType: 'MyApp::User',
        configuration: { cognitoUserPoolConfiguration: { userPoolArn: USER_POOL_ARN } },
      },
    });
    expect(plan.target).not.toHaveProperty('roleArn');
  });

  it('creates in the Region property when set, with the role of the properties', () => {
    const RoleArn = 'arn:aws:iam::111122223333:role/Manager';
    expect(planOf(cognitoProperties({ Region: 'ap-southeast-2', RoleArn })).target).toEqual({
      region: 'ap-southeast-2',
      roleArn: RoleArn,
    });
  });

  it('turns a RequestId that breaks the token rule into a deterministic token', () => {
    const request = createResource(cognitoProperties(), {
      requestId: 'request id with spaces and more than sixty-four characters in total!!',
    });
    if (!request.parsed.ok) throw new Error('fixture invalid');
    const token = makePlan(request, request.parsed.properties, 'create', REGION).input.clientToken;
    expect(token).toMatch(/^[a-zA-Z0-9-]{1,64}$/);
    expect(token).toBe(clientTokenFor(request.requestId));
  });

  it('keeps the issue time and the properties as CloudFormation sent them', () => {
    const request = createResource(cognitoProperties(), { issuedAt: 1_000 });
    if (!request.parsed.ok) throw new Error('fixture invalid');
    const plan = makePlan(request, request.parsed.properties, 'replacement', REGION);
    expect(plan).toMatchObject({ kind: 'replacement', issuedAt: 1_000 });
    expect(plan.properties).toBe(request.properties);
  });

  it('names every problem, and a role of another partition than the region', () => {
    expect(problemsOf(parseProperties({ PolicyStoreId: POLICY_STORE_ID }), REGION)).toBe(
      'Invalid properties: Configuration: is required',
    );
    const RoleArn = 'arn:aws:iam::111122223333:role/Manager';
    expect(
      problemsOf(parseProperties(cognitoProperties({ RoleArn, Region: 'cn-north-1' })), REGION),
    ).toBe(
      'Invalid properties: RoleArn: must be a role of the aws-cn partition, the partition of region cn-north-1 (got aws)',
    );
    expect(problemsOf(parseProperties(cognitoProperties({ RoleArn })), REGION)).toBeUndefined();
  });
});

describe('create', () => {
  it('creates once with the plan input, in the plan region, and answers with the id and Details', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({
      identitySourceId: 'ISnew',
      policyStoreId: POLICY_STORE_ID,
      ...meta,
    } as never);
    const request = createResource(cognitoProperties({ Region: 'ca-central-1' }));
    const d = deps();
    const answer = await create(request, d);
    expect(answer).toEqual({
      status: 'SUCCESS',
      physicalResourceId: 'ISnew',
      data: expect.objectContaining({
        IdentitySourceId: 'ISnew',
        'Details.OpenIdIssuer': 'COGNITO',
      }),
      droppableData: ['Details.ClientIds'],
    });
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 1);
    expect(vp).toHaveReceivedCommandWith(CreateIdentitySourceCommand, {
      clientToken: request.requestId,
      policyStoreId: POLICY_STORE_ID,
    });
    expect(d.regions).toEqual(['ca-central-1']);
  });

  it('rejects invalid properties with a not-created marker, calling nothing', async () => {
    const request = createResource({ PolicyStoreId: POLICY_STORE_ID });
    expect(await create(request, deps())).toEqual({
      status: 'FAILED',
      physicalResourceId: notCreatedId(request.requestId),
      reason: 'Invalid properties: Configuration: is required',
    });
    expect(vp.calls()).toHaveLength(0);
  });

  it('rides out throttling and a policy store that is not visible yet', async () => {
    vp.on(CreateIdentitySourceCommand)
      .rejectsOnce(
        new ResourceNotFoundException({
          message: 'no store',
          resourceId: POLICY_STORE_ID,
          resourceType: 'POLICY_STORE',
          $metadata: {},
        }),
      )
      .rejectsOnce(new ThrottlingException({ message: 'slow down', $metadata: {} }))
      .rejectsOnce(
        new InternalServerException({ message: 'oops', $metadata: { httpStatusCode: 500 } }),
      )
      .resolves({ identitySourceId: 'ISnew', ...meta } as never);
    const d = deps();
    const answer = await create(createResource(cognitoProperties()), d);
    expect(answer).toMatchObject({ status: 'SUCCESS', physicalResourceId: 'ISnew' });
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 4);
    expect(d.waits).toHaveLength(3);
    expect(d.waits[1]).toBeGreaterThanOrEqual(1_000);
  });

  it('fails at once on a validation error, naming the fields: nothing was created', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(
      new ValidationException({
        message: 'bad input',
        fieldList: [{ path: 'configuration.x', message: 'nope' }],
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const request = createResource(cognitoProperties());
    expect(await create(request, deps())).toEqual({
      status: 'FAILED',
      physicalResourceId: notCreatedId(request.requestId),
      reason: 'CreateIdentitySource rejected the input: bad input (configuration.x: nope)',
    });
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 1);
  });

  it('explains the one-source-per-store quota', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(
      new ServiceQuotaExceededException({
        message: 'quota',
        resourceType: 'IDENTITY_SOURCE',
        $metadata: {},
      }),
    );
    const answer = await create(createResource(cognitoProperties()), deps());
    expect(answer.reason).toMatch(
      /already has an identity source, and a policy store holds only one/,
    );
  });

  it('gives up when the budget leaves no room for another attempt: a throttled Create made nothing', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(
      new ThrottlingException({ message: 'slow down', $metadata: {} }),
    );
    const request = createResource(cognitoProperties());
    const answer = await create(request, deps(500));
    expect(answer.physicalResourceId).toBe(notCreatedId(request.requestId));
    expect(answer.reason).toMatch(/gave up on CreateIdentitySource in eu-west-1 after 1 attempt/);
  });

  it('aborts a call that outlives the deadline: its marker carries the clientToken', async () => {
    vp.on(CreateIdentitySourceCommand).callsFake(
      () =>
        new Promise((_resolve, reject) => {
          setTimeout(
            () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
            300,
          );
        }),
    );
    const request = createResource(cognitoProperties());
    const answer = await create(request, deps(200));
    expect(answer.status).toBe('FAILED');
    expect(answer.physicalResourceId).toBe(createUnconfirmedId(request.requestId));
    expect(answer.reason).toMatch(/^timed out waiting for CreateIdentitySource/);
  });

  it('fails as not created when the endpoint cannot be reached for about 8 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vp.on(CreateIdentitySourceCommand).rejects(
        Object.assign(
          new Error('getaddrinfo ENOTFOUND verifiedpermissions.xx-nowhere-1.amazonaws.com'),
          {
            code: 'ENOTFOUND',
          },
        ),
      );
      const request = createResource(cognitoProperties({ Region: 'xx-nowhere-1' }));
      const d = {
        ...deps(600_000),
        sleep: async (ms: number) => void vi.setSystemTime(Date.now() + ms),
      };
      const started = Date.now();
      const answer = await create(request, d);
      expect(answer.physicalResourceId).toBe(notCreatedId(request.requestId));
      expect(answer.reason).toMatch(
        /could not reach Verified Permissions in xx-nowhere-1 .*nothing was sent/,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops waiting for an invisible policy store after 30 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vp.on(CreateIdentitySourceCommand).rejects(
        new ResourceNotFoundException({
          message: 'no store',
          resourceId: POLICY_STORE_ID,
          resourceType: 'POLICY_STORE',
          $metadata: {},
        }),
      );
      const d = {
        ...deps(600_000),
        sleep: async (ms: number) => void vi.setSystemTime(Date.now() + ms),
      };
      const answer = await create(createResource(cognitoProperties()), d);
      expect(answer.reason).toMatch(
        /POLICY_STORE PSEXAMPLEabcdefg111111 was not found .*\(waited 3\d s for it to become visible\)$/,
      );
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('create: the resource record', () => {
  it('makes nothing for a Create CloudFormation gave up on before it began', async () => {
    const { records } = recordsLike({ begin: () => 'given-up' });
    const request = createResource(cognitoProperties(), { issuedAt: 5_000 });
    const answer = await create(request, deps(10_000, { records }));
    expect(answer).toMatchObject({
      status: 'FAILED',
      physicalResourceId: notCreatedId(request.requestId),
    });
    expect(answer.reason).toMatch(
      /^CloudFormation had already given up on this Create: .*nothing was created$/,
    );
    expect(vp.calls()).toHaveLength(0);
  });

  it('begins before the call, with what a replay needs; a success settles only after the answer', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew', ...meta } as never);
    const { records, calls, steps } = recordsLike();
    const request = createResource(cognitoProperties(), { issuedAt: 5_000 });
    const d = deps(10_000, { records });
    await create(request, d);
    expect(steps()).toEqual(['begin']);
    expect(calls[0]?.args).toEqual([
      request.resource,
      {
        kind: 'create',
        requestId: request.requestId,
        region: REGION,
        input: expect.objectContaining({ clientToken: request.requestId }),
        endsBy: expect.any(Number),
        issuedAt: 5_000,
      },
    ]);
    const { endsBy } = (calls[0]?.args[1] ?? {}) as Making;
    expect(endsBy).toBeGreaterThan(d.workEndsAt);
  });

  it('settles a failure at once, saying whether it may have made something', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(
      new ValidationException({ message: 'bad', $metadata: { httpStatusCode: 400 } }),
    );
    const { records, calls } = recordsLike();
    const request = createResource(cognitoProperties());
    await create(request, deps(10_000, { records }));
    expect(calls[1]).toEqual({
      step: 'settle',
      args: [request.resource, request.requestId, { failed: true, mayHaveTakenEffect: false }],
    });
  });

  it('closes a failure CloudFormation gave up on meanwhile: cleaned when it made nothing, finished when it may have', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(
      new ValidationException({ message: 'bad', $metadata: { httpStatusCode: 400 } }),
    );
    const cleaned = recordsLike({ settle: () => 'cancelled' });
    await create(createResource(cognitoProperties()), deps(10_000, { records: cleaned.records }));
    expect(cleaned.calls.at(-1)).toMatchObject({
      step: 'closeCancelled',
      args: [expect.anything(), expect.any(String), 'cleaned'],
    });

    vp.on(CreateIdentitySourceCommand).callsFake(
      () =>
        new Promise((_resolve, reject) => {
          setTimeout(
            () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
            300,
          );
        }),
    );
    const finished = recordsLike({ settle: () => 'cancelled' });
    await create(createResource(cognitoProperties()), deps(200, { records: finished.records }));
    expect(finished.calls.at(-1)).toMatchObject({
      step: 'closeCancelled',
      args: [expect.anything(), expect.any(String), 'finished'],
    });
  });

  it('goes on without a record that cannot be written, with a warning', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew', ...meta } as never);
    const { records } = recordsLike({
      begin: () => {
        throw Object.assign(new Error('down'), { name: 'ResourceNotFoundException' });
      },
    });
    const d = deps(10_000, { records });
    expect(await create(createResource(cognitoProperties()), d)).toMatchObject({
      status: 'SUCCESS',
    });
    expect(d.log.lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        step: 'begin',
        message: 'Resource record unavailable; going on without it',
      }),
    );
  });
});

describe('afterCreate', () => {
  it('settles the source answered and live, with the properties applied, once the SUCCESS was delivered', async () => {
    const { records, calls, steps } = recordsLike();
    const plan = planOf(cognitoProperties({ ServiceTimeout: '600' }));
    await afterCreate(plan, 'ISnew', true, deps(10_000, { records }));
    expect(steps()).toEqual(['settle']);
    expect(calls[0]?.args).toEqual([
      plan.resource,
      plan.requestId,
      {
        identitySourceId: 'ISnew',
        answered: true,
        live: {
          identitySourceId: 'ISnew',
          policyStoreId: POLICY_STORE_ID,
          region: REGION,
          properties: expect.any(Object),
          appliedAt: expect.any(String),
        },
      },
    ]);
    const { live } = (calls[0]?.args[2] ?? {}) as { live: { properties: Record<string, unknown> } };
    expect(live.properties).not.toHaveProperty('ServiceToken');
    expect(live.properties).not.toHaveProperty('ServiceTimeout');
    expect(live.properties).toHaveProperty('PolicyStoreId', POLICY_STORE_ID);
  });

  it('settles the source created but not live when the answer was not delivered', async () => {
    const { records, steps, calls } = recordsLike();
    await afterCreate(planOf(), 'ISnew', false, deps(10_000, { records }));
    expect(steps()).toEqual(['settle']);
    expect(calls[0]?.args[2]).toEqual({ identitySourceId: 'ISnew', answered: false });
  });

  it('removes what it made when CloudFormation gave up meanwhile, and closes the record', async () => {
    vp.on(DeleteIdentitySourceCommand).resolves({});
    const { records, calls } = recordsLike({ settle: () => 'cancelled' });
    const d = deps(10_000, { records });
    await afterCreate(planOf(), 'ISlate', true, d);
    expect(vp).toHaveReceivedCommandWith(DeleteIdentitySourceCommand, {
      policyStoreId: POLICY_STORE_ID,
      identitySourceId: 'ISlate',
    });
    expect(calls.at(-1)).toMatchObject({
      step: 'closeCancelled',
      args: [expect.anything(), expect.any(String), 'cleaned'],
    });
  });

  it('leaves cleaning up to the Delete when it cannot remove it', async () => {
    vp.on(DeleteIdentitySourceCommand).rejects(
      Object.assign(new Error('no'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const { records, calls } = recordsLike({ settle: () => 'cancelled' });
    const d = deps(10_000, { records });
    await afterCreate(planOf(), 'ISlate', true, d);
    expect(calls.at(-1)).toMatchObject({
      step: 'closeCancelled',
      args: [expect.anything(), expect.any(String), 'finished'],
    });
    expect(d.log.lines.map((l) => l.level)).toContain('ERROR');
  });

  it('does nothing without records', async () => {
    await afterCreate(planOf(), 'ISnew', true, deps());
    expect(vp.calls()).toHaveLength(0);
  });
});

describe('succeeded and applied', () => {
  it('answers with the id and Details, ClientIds the first to drop', () => {
    const plan = planOf();
    expect(succeeded('IS1', plan.configuration)).toMatchObject({
      status: 'SUCCESS',
      physicalResourceId: 'IS1',
      droppableData: ['Details.ClientIds'],
      data: { 'Details.ClientIds': ['client-a', 'client-b'] },
    });
  });

  it("leaves CloudFormation's own keys out of what was applied", () => {
    expect(applied({ ServiceToken: 'x', ServiceTimeout: '60', PolicyStoreId: 'PS' })).toEqual({
      PolicyStoreId: 'PS',
    });
  });
});

describe('makeSource: taking over a full store', () => {
  const table = useOwnership();
  const stackSays = (declared: boolean | undefined): StackReader => ({
    rollingBack: async () => false,
    declares: async () => declared,
  });
  const ownDeps = (extra: Partial<Omit<ResourceDependencies, 'log'>> = {}) =>
    deps(5_000, { ownership: table.ownership, stack: stackSays(false), ...extra });
  const storeIsFull = () => {
    vp.on(CreateIdentitySourceCommand).rejects(STORE_IS_FULL);
    vp.on(ListIdentitySourcesCommand).resolves({ identitySources: [EXISTING_SOURCE] } as never);
    vp.on(UpdateIdentitySourceCommand).resolves({} as never);
  };
  const recordedOldName = () =>
    table.ownership.recordMade(STORE, EXISTING_SOURCE.identitySourceId, resourceNamed('OldName'));

  it("creates, and records the source as this resource's under the resolved store id", async () => {
    const alias = 'policy-store-alias/payments';
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew' } as never);
    vp.on(GetPolicyStoreAliasCommand).resolves({ policyStoreId: POLICY_STORE_ID } as never);
    const plan = planOf(cognitoProperties({ PolicyStoreId: alias }));
    expect(await makeSource(plan, ownDeps())).toBe('ISnew');
    expect(await table.ownership.read(STORE)).toMatchObject({
      identitySourceId: 'ISnew',
      owner: plan.resource,
    });
  });

  it('takes over the source of a renamed resource (its old name gone from the template), without AdoptExisting', async () => {
    storeIsFull();
    await recordedOldName();
    const asked: string[] = [];
    const stack: StackReader = {
      rollingBack: async () => false,
      declares: async (_stackId, logicalResourceId) => {
        asked.push(logicalResourceId);
        return false;
      },
    };
    const plan = planOf(cognitoProperties(), 'NewName');
    expect(await makeSource(plan, ownDeps({ stack }))).toBe(EXISTING_SOURCE.identitySourceId);
    expect(asked).toEqual(['OldName']);
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      policyStoreId: POLICY_STORE_ID,
      identitySourceId: EXISTING_SOURCE.identitySourceId,
      updateConfiguration: plan.input.configuration,
      principalEntityType: 'MyApp::User',
    });
    expect(await table.ownership.read(STORE)).toMatchObject({
      owner: resourceNamed('NewName'),
      handBack: { from: resourceNamed('OldName'), adopted: false, previous: EXISTING_PREVIOUS },
    });
  });

  it('refuses, changing nothing, when the owner is still declared: two resources cannot share a source', async () => {
    storeIsFull();
    await recordedOldName();
    const error = await makeSource(
      planOf(cognitoProperties(), 'NewName'),
      ownDeps({ stack: stackSays(true) }),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toBe(
      `policy store ${POLICY_STORE_ID} already holds its one identity source (${EXISTING_SOURCE.identitySourceId}), which resource OldName of this stack owns; two resources cannot share a store's one identity source (a quota that cannot be raised). Use another policy store, or remove OldName.`,
    );
    expect(vp).toHaveReceivedCommandTimes(UpdateIdentitySourceCommand, 0);
    expect((await table.ownership.read(STORE))?.owner).toEqual(resourceNamed('OldName'));
  });

  it("refuses when the stack's template cannot be read, and without a stack reader", async () => {
    storeIsFull();
    await recordedOldName();
    for (const stack of [stackSays(undefined), undefined]) {
      const d = ownDeps();
      const error = await makeSource(planOf(cognitoProperties(), 'NewName'), {
        ...d,
        stack,
      }).catch((e) => e);
      expect(error).toBeInstanceOf(RefusedError);
      expect(error.message).toMatch(
        /the stack's template could not be read .* Retry the deployment\.$/,
      );
    }
    expect(vp).toHaveReceivedCommandTimes(UpdateIdentitySourceCommand, 0);
  });

  it('fails, naming AdoptExisting and writing nothing, for a source it did not make', async () => {
    storeIsFull();
    const error = await makeSource(planOf(), ownDeps()).catch((e) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.mayHaveTakenEffect).toBe(false);
    expect(error.message).toBe(
      `policy store ${POLICY_STORE_ID} already holds its one identity source (${EXISTING_SOURCE.identitySourceId}), which this provider did not make for this stack; a policy store holds only one (a quota that cannot be raised). Set AdoptExisting: true to take it over, or use another policy store.`,
    );
    expect(vp).toHaveReceivedCommandTimes(UpdateIdentitySourceCommand, 0);
    expect(await table.ownership.read(STORE)).toBeUndefined();
  });

  it("names the owner when the source is another stack's", async () => {
    storeIsFull();
    const other = resourceNamed('Theirs', 'arn:aws:cloudformation:eu-west-1:1:stack/other/2');
    await table.ownership.recordMade(STORE, EXISTING_SOURCE.identitySourceId, other);
    const error = await makeSource(planOf(), ownDeps()).catch((e) => e);
    expect(error.message).toMatch(
      /which resource Theirs of stack arn:aws:cloudformation:eu-west-1:1:stack\/other\/2 owns/,
    );
  });

  it('adopts a source with AdoptExisting, remembering how it was configured', async () => {
    storeIsFull();
    const plan = planOf(cognitoProperties({ AdoptExisting: 'true' }));
    expect(await makeSource(plan, ownDeps())).toBe(EXISTING_SOURCE.identitySourceId);
    const record = await table.ownership.read(STORE);
    expect(record).toMatchObject({
      owner: plan.resource,
      handBack: { adopted: true, previous: EXISTING_PREVIOUS },
    });
    expect(record?.handBack).not.toHaveProperty('from');
  });

  it('puts the record back when the update after a takeover fails without effect', async () => {
    storeIsFull();
    vp.on(UpdateIdentitySourceCommand).rejects(
      new ThrottlingException({ message: 'slow', $metadata: { httpStatusCode: 429 } }),
    );
    await recordedOldName();
    const error = await makeSource(planOf(cognitoProperties(), 'NewName'), {
      ...ownDeps(),
      workEndsAt: Date.now() + 300,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error.mayHaveTakenEffect).toBe(false);
    const record = await table.ownership.read(STORE);
    expect(record).toMatchObject({ owner: resourceNamed('OldName') });
    expect(record?.handBack).toBeUndefined();
  });

  it('keeps the record when the update after a takeover may have taken effect', async () => {
    storeIsFull();
    vp.on(UpdateIdentitySourceCommand).rejects(
      new InternalServerException({ message: 'oops', $metadata: { httpStatusCode: 500 } }),
    );
    await recordedOldName();
    const error = await makeSource(planOf(cognitoProperties(), 'NewName'), {
      ...ownDeps(),
      workEndsAt: Date.now() + 300,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error.mayHaveTakenEffect).toBe(true);
    // The rollback's Delete hands the source back as its owner had it.
    expect(await table.ownership.read(STORE)).toMatchObject({
      owner: resourceNamed('NewName'),
      handBack: { from: resourceNamed('OldName'), adopted: false, previous: EXISTING_PREVIOUS },
    });
  });

  it('takes nothing over for a replacement (an Update): it fails on the full store', async () => {
    storeIsFull();
    await table.ownership.recordMade(
      STORE,
      EXISTING_SOURCE.identitySourceId,
      resourceNamed('Other'),
    );
    const request = updateResource(
      'ISold',
      cognitoProperties({ AdoptExisting: true }),
      cognitoProperties({ PolicyStoreId: 'PSold' }),
    );
    if (!request.parsed.ok) throw new Error('fixture invalid');
    const plan = makePlan(request, request.parsed.properties, 'replacement', REGION);
    const error = await makeSource(plan, ownDeps()).catch((e) => e);
    expect(error).toMatchObject({ refusal: 'store-full' });
    expect(vp).toHaveReceivedCommandTimes(ListIdentitySourcesCommand, 0);
    expect(await table.ownership.read(STORE)).toMatchObject({ owner: resourceNamed('Other') });
  });

  it('lets only one of two concurrent Creates take the source over', async () => {
    storeIsFull();
    const adopt = (name: string) =>
      makeSource(planOf(cognitoProperties({ AdoptExisting: true }), name), ownDeps()).then(
        () => name,
        (e: Error) => e.message,
      );
    const results = await Promise.all([adopt('A'), adopt('B')]);
    const owner = (await table.ownership.read(STORE))?.owner.logicalResourceId;
    expect(results).toContain(owner);
    expect(results.filter((r) => r === 'A' || r === 'B')).toHaveLength(1);
  });

  it('a repeated Create after its takeover finds the source its own, and applies it again', async () => {
    storeIsFull();
    const plan = planOf(cognitoProperties({ AdoptExisting: true }));
    await makeSource(plan, ownDeps());
    const before = await table.ownership.read(STORE);
    expect(await makeSource(plan, ownDeps())).toBe(EXISTING_SOURCE.identitySourceId);
    expect(await table.ownership.read(STORE)).toEqual(before);
    expect(vp).toHaveReceivedCommandTimes(UpdateIdentitySourceCommand, 2);
  });

  it('writes the record, with what to hand back, before it updates the source', async () => {
    storeIsFull();
    const seen: unknown[] = [];
    vp.on(UpdateIdentitySourceCommand).callsFake(async () => {
      seen.push((await table.ownership.read(STORE))?.handBack);
      return {};
    });
    const plan: MakePlan = planOf(cognitoProperties({ AdoptExisting: true }));
    await makeSource(plan, ownDeps());
    expect(seen).toEqual([{ adopted: true, previous: EXISTING_PREVIOUS }]);
  });

  it('hands an adopted source back, never deletes it, when CloudFormation gave up on the Create that took it over', async () => {
    // The takeover's update took effect, but CloudFormation had given up on the Create
    // meanwhile (its SUCCESS came too late): CloudFormation never took the source, so it goes
    // back to its owner as it was — whatever the stack's status (here: not rolling back, as
    // when a stack created with rollback disabled is deleted).
    storeIsFull();
    vp.on(DeleteIdentitySourceCommand).resolves({});
    const plan: MakePlan = planOf(cognitoProperties({ AdoptExisting: true }));
    await makeSource(plan, ownDeps());
    const { records } = recordsLike({ settle: () => 'cancelled' });
    await afterCreate(plan, EXISTING_SOURCE.identitySourceId, true, ownDeps({ records }));
    expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 0);
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      identitySourceId: EXISTING_SOURCE.identitySourceId,
      updateConfiguration: EXISTING_PREVIOUS.configuration,
      principalEntityType: EXISTING_PREVIOUS.principalEntityType,
    });
  });
});
