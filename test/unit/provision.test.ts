import {
  CreateIdentitySourceCommand,
  ListIdentitySourcesCommand,
  UpdateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CreateJournal } from '../../src/persistence/create-journal.js';
import { afterAnswer, provision, resourceRequestOf } from '../../src/provision.js';
import { silentLog } from '../fixtures/log.js';
import { EXISTING_SOURCE, STORE_IS_FULL, useOwnership } from '../fixtures/ownership.js';
import {
  cognitoProperties,
  createRequest,
  deleteRequest,
  IDENTITY_SOURCE_ID,
  oidcProperties,
  STACK_ID,
  updateRequest,
} from '../fixtures/requests.js';

const vp = mockClient(VerifiedPermissionsClient);
const client = new VerifiedPermissionsClient({ region: 'eu-west-1' });
beforeEach(() => vp.reset());

const deps = (extra: { journal?: CreateJournal } = {}) => ({
  clientFor: () => client,
  workEndsAt: Date.now() + 5_000,
  log: silentLog(),
  sleep: async () => {},
  defaultRegion: 'eu-west-1',
  ...extra,
});

describe('resourceRequestOf', () => {
  it("puts a CloudFormation request in the resource's terms", () => {
    const create = createRequest(cognitoProperties());
    expect(resourceRequestOf(create)).toEqual({
      action: 'create',
      requestId: create.requestId,
      resource: { stackId: STACK_ID, logicalResourceId: 'IdentitySource' },
      properties: create.resourceProperties,
    });
    const update = updateRequest(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    expect(resourceRequestOf(update)).toMatchObject({
      action: 'update',
      physicalResourceId: IDENTITY_SOURCE_ID,
      properties: update.resourceProperties,
      oldProperties: update.oldResourceProperties,
    });
    expect(resourceRequestOf(deleteRequest('x', {}))).toMatchObject({
      action: 'delete',
      physicalResourceId: 'x',
      properties: {},
    });
  });
});

describe('provision', () => {
  it('answers a Create with the id, the Details, and ClientIds as the first data to drop', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew' } as never);
    const outcome = await provision(createRequest(cognitoProperties()), deps());
    expect(outcome).toMatchObject({
      status: 'SUCCESS',
      physicalResourceId: 'ISnew',
      data: { IdentitySourceId: 'ISnew', 'Details.OpenIdIssuer': 'COGNITO' },
      droppableData: ['Details.ClientIds'],
    });
  });

  it('answers an in-place Update with the same id', async () => {
    vp.on(UpdateIdentitySourceCommand).resolves({} as never);
    const request = updateRequest(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PrincipalEntityType: 'MyApp::Person' }),
      cognitoProperties(),
    );
    expect(await provision(request, deps())).toMatchObject({
      status: 'SUCCESS',
      physicalResourceId: IDENTITY_SOURCE_ID,
    });
  });

  it('answers a failed Update with the id CloudFormation knows and the reason', async () => {
    vp.on(UpdateIdentitySourceCommand).rejects(STORE_IS_FULL);
    const request = updateRequest(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    const outcome = await provision(request, deps());
    expect(outcome).toMatchObject({ status: 'FAILED', physicalResourceId: IDENTITY_SOURCE_ID });
    expect(outcome.reason).toMatch(/^UpdateIdentitySource failed in eu-west-1: the policy store/);
  });

  it('answers FAILED, never throws, when the SDK call throws something unexpected', async () => {
    vp.on(CreateIdentitySourceCommand).callsFake(() => {
      throw new TypeError('kaboom');
    });
    const request = createRequest(cognitoProperties());
    // Thrown before any request left: nothing was made, and the marker says so.
    expect(await provision(request, deps())).toEqual({
      status: 'FAILED',
      physicalResourceId: `NotCreated:${request.requestId}`,
      reason: 'CreateIdentitySource failed in eu-west-1: TypeError: kaboom',
    });
  });
});

describe('provision into a full store', () => {
  const table = useOwnership();

  it('answers FAILED naming AdoptExisting, with the marker of a Create that made nothing', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(STORE_IS_FULL);
    vp.on(ListIdentitySourcesCommand).resolves({ identitySources: [EXISTING_SOURCE] } as never);
    const request = createRequest(cognitoProperties());
    const outcome = await provision(request, { ...deps(), ownership: table.ownership });
    expect(outcome).toMatchObject({
      status: 'FAILED',
      physicalResourceId: `NotCreated:${request.requestId}`,
    });
    expect(outcome.reason).toMatch(
      /already holds its one identity source .*Set AdoptExisting: true/,
    );
    expect(vp).toHaveReceivedCommandTimes(UpdateIdentitySourceCommand, 0);
  });

  it('journals that Create as one that made nothing (a later sweep replays nothing)', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(STORE_IS_FULL);
    vp.on(ListIdentitySourcesCommand).resolves({ identitySources: [EXISTING_SOURCE] } as never);
    const settled: unknown[] = [];
    const journal = {
      begin: async () => 'begun',
      settle: async (_key: unknown, _requestId: unknown, result: unknown) => {
        settled.push(result);
        return 'recorded';
      },
    } as unknown as CreateJournal;
    const request = createRequest(cognitoProperties());
    await provision(request, { ...deps({ journal }), ownership: table.ownership });
    expect(settled).toEqual([{ failed: true, mayHaveTakenEffect: false }]);
  });
});

describe('provision with RoleArn', () => {
  const RoleArn = 'arn:aws:iam::111122223333:role/IdentitySourceManager';

  it('answers FAILED naming the role, with no Verified Permissions call, when it is denied', async () => {
    const request = createRequest(cognitoProperties({ RoleArn }));
    const outcome = await provision(request, {
      ...deps(),
      assumeRole: async () => {
        throw Object.assign(new Error('not authorized'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
      },
    });
    expect(outcome).toMatchObject({
      status: 'FAILED',
      physicalResourceId: `NotCreated:${request.requestId}`,
    });
    expect(outcome.reason).toMatch(new RegExp(`^could not assume RoleArn ${RoleArn} in eu-west-1`));
    expect(vp.calls()).toHaveLength(0);
  });

  it('assumes the role once per invocation, for the work and its settlement', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew' } as never);
    const sessions: string[] = [];
    const invocation = {
      ...deps({ journal: { settle: async () => 'recorded' } as unknown as CreateJournal }),
      roleClients: new Map(),
      assumeRole: async ({ sessionName }: { sessionName: string }) => {
        sessions.push(sessionName);
        return { accessKeyId: 'ASIAROLE', secretAccessKey: 's' };
      },
    };
    const request = createRequest(cognitoProperties({ RoleArn }));
    const outcome = await provision(request, invocation);
    await afterAnswer(request, outcome, true, invocation);
    expect(outcome).toMatchObject({ status: 'SUCCESS', physicalResourceId: 'ISnew' });
    expect(sessions).toEqual([`cfn-IdentitySource-${request.requestId}`]);
  });
});

describe('afterAnswer', () => {
  const journal = () => {
    const settled: unknown[] = [];
    const recording = {
      settle: async (...args: unknown[]) => {
        settled.push(args);
        return 'recorded' as const;
      },
    } as unknown as CreateJournal;
    return { settled, recording };
  };

  it('settles a successful Create in the journal, answered or not', async () => {
    const { settled, recording } = journal();
    const request = createRequest(cognitoProperties());
    const outcome = { status: 'SUCCESS' as const, physicalResourceId: 'ISnew' };
    await afterAnswer(request, outcome, false, deps({ journal: recording }));
    expect(settled).toEqual([
      [
        { stackId: STACK_ID, logicalResourceId: 'IdentitySource' },
        request.requestId,
        { identitySourceId: 'ISnew', answered: false },
      ],
    ]);
  });

  it('leaves in-place Updates, Deletes and FAILED outcomes alone', async () => {
    const { settled, recording } = journal();
    const d = deps({ journal: recording });
    const update = updateRequest(IDENTITY_SOURCE_ID, oidcProperties(), cognitoProperties());
    await afterAnswer(
      update,
      { status: 'SUCCESS', physicalResourceId: IDENTITY_SOURCE_ID },
      true,
      d,
    );
    await afterAnswer(
      deleteRequest(IDENTITY_SOURCE_ID, cognitoProperties()),
      { status: 'SUCCESS', physicalResourceId: IDENTITY_SOURCE_ID },
      true,
      d,
    );
    await afterAnswer(
      createRequest(cognitoProperties()),
      { status: 'FAILED', physicalResourceId: 'NotCreated:r' },
      true,
      d,
    );
    expect(settled).toEqual([]);
  });
});
