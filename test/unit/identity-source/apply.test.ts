import {
  CreateIdentitySourceCommand,
  DeleteIdentitySourceCommand,
  GetIdentitySourceCommand,
  GetPolicyStoreAliasCommand,
  InternalServerException,
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
import { applyPlan } from '../../../src/identity-source/apply.js';
import {
  ApiCallError,
  CreateGivenUpError,
  DeadlineExceededError,
} from '../../../src/identity-source/errors.js';
import { createUnconfirmedId } from '../../../src/identity-source/physical-id.js';
import { planFor } from '../../../src/identity-source/plan.js';
import type { CreateJournal, JournalEntry } from '../../../src/persistence/create-journal.js';
import { silentLog } from '../../fixtures/log.js';
import {
  cognitoProperties,
  createResource,
  deleteResource,
  IDENTITY_SOURCE_ID,
  POLICY_STORE_ID,
  updateResource,
} from '../../fixtures/requests.js';

const vp = mockClient(VerifiedPermissionsClient);
const client = new VerifiedPermissionsClient({ region: 'eu-west-1' });
const meta = { $metadata: {} };

function deps(workMs = 10_000) {
  const waits: number[] = [];
  const regions: string[] = [];
  return {
    waits,
    regions,
    clientFor: (region: string) => {
      regions.push(region);
      return client;
    },
    workEndsAt: Date.now() + workMs,
    log: silentLog(),
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
}

function applicable(plan: ReturnType<typeof planFor>) {
  if (plan.action === 'reject') throw new Error('fixture rejected');
  return plan;
}

beforeEach(() => vp.reset());

describe('applyPlan', () => {
  it('creates once with the plan input, in the plan region', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({
      identitySourceId: 'ISnew',
      policyStoreId: POLICY_STORE_ID,
      ...meta,
    } as never);
    const request = createResource(cognitoProperties({ Region: 'ca-central-1' }));
    const d = deps();
    const applied = await applyPlan(
      applicable(planFor(request, { defaultRegion: 'eu-west-1' })),
      d,
    );
    expect(applied).toEqual({ kind: 'created', identitySourceId: 'ISnew' });
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 1);
    expect(vp).toHaveReceivedCommandWith(CreateIdentitySourceCommand, {
      clientToken: request.requestId,
      policyStoreId: POLICY_STORE_ID,
    });
    expect(d.regions).toEqual(['ca-central-1']);
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
    const applied = await applyPlan(
      applicable(planFor(createResource(cognitoProperties()), { defaultRegion: 'eu-west-1' })),
      d,
    );
    expect(applied).toEqual({ kind: 'created', identitySourceId: 'ISnew' });
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 4);
    expect(d.waits).toHaveLength(3);
    expect(d.waits[1]).toBeGreaterThanOrEqual(1_000);
  });

  it('fails at once on a validation error, naming the fields', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(
      new ValidationException({
        message: 'bad input',
        fieldList: [{ path: 'configuration.x', message: 'nope' }],
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await applyPlan(
      applicable(planFor(createResource(cognitoProperties()), { defaultRegion: 'eu-west-1' })),
      deps(),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ApiCallError);
    expect(error.message).toBe(
      'CreateIdentitySource rejected the input: bad input (configuration.x: nope)',
    );
    expect(error.mayHaveTakenEffect).toBe(false);
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
    const error = await applyPlan(
      applicable(planFor(createResource(cognitoProperties()), { defaultRegion: 'eu-west-1' })),
      deps(),
    ).catch((e) => e);
    expect(error.message).toMatch(
      /already has an identity source, and a policy store holds only one/,
    );
  });

  it('gives up with a timeout when the budget leaves no room for another attempt', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(
      new ThrottlingException({ message: 'slow down', $metadata: {} }),
    );
    const error = await applyPlan(
      applicable(planFor(createResource(cognitoProperties()), { defaultRegion: 'eu-west-1' })),
      deps(500),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error.message).toMatch(/gave up on CreateIdentitySource in eu-west-1 after 1 attempt/);
  });

  it('aborts a call that outlives the deadline and says the outcome is unknown', async () => {
    vp.on(CreateIdentitySourceCommand).callsFake(
      (_input, getClient) =>
        new Promise((_resolve, reject) => {
          void getClient;
          setTimeout(
            () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
            300,
          );
        }),
    );
    const error = await applyPlan(
      applicable(planFor(createResource(cognitoProperties()), { defaultRegion: 'eu-west-1' })),
      deps(200),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error.mayHaveTakenEffect).toBe(true);
    expect(error.message).toMatch(/^timed out waiting for CreateIdentitySource/);
  });

  it('replaces by creating when the source is not in the target store', async () => {
    vp.on(GetIdentitySourceCommand).rejects(
      new ResourceNotFoundException({
        message: 'no',
        resourceType: 'IDENTITY_SOURCE',
        resourceId: 'x',
        $metadata: {},
      }),
    );
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew', ...meta } as never);
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: 'PSnew' }),
      cognitoProperties(),
    );
    expect(
      await applyPlan(applicable(planFor(request, { defaultRegion: 'eu-west-1' })), deps()),
    ).toEqual({
      kind: 'created',
      identitySourceId: 'ISnew',
    });
    expect(vp).toHaveReceivedCommandWith(GetIdentitySourceCommand, {
      policyStoreId: 'PSnew',
      identitySourceId: IDENTITY_SOURCE_ID,
    });
  });

  it('updates in place when rolling back a failed replacement (the source is already there)', async () => {
    vp.on(GetIdentitySourceCommand).resolves({
      identitySourceId: IDENTITY_SOURCE_ID,
      ...meta,
    } as never);
    vp.on(UpdateIdentitySourceCommand).resolves({
      identitySourceId: IDENTITY_SOURCE_ID,
      ...meta,
    } as never);
    // CloudFormation's rollback: new = the original properties, old = the failed target
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties(),
      cognitoProperties({ PolicyStoreId: 'PSnew' }),
    );
    expect(
      await applyPlan(applicable(planFor(request, { defaultRegion: 'eu-west-1' })), deps()),
    ).toEqual({
      kind: 'updated',
      identitySourceId: IDENTITY_SOURCE_ID,
    });
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 0);
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      policyStoreId: POLICY_STORE_ID,
      identitySourceId: IDENTITY_SOURCE_ID,
    });
  });

  it('updates in place when the old and new PolicyStoreId are an alias and the id of one store', async () => {
    const alias = 'policy-store-alias/payments';
    vp.on(GetPolicyStoreAliasCommand, { aliasName: alias }).resolves({
      aliasName: alias,
      policyStoreId: POLICY_STORE_ID,
      ...meta,
    } as never);
    vp.on(UpdateIdentitySourceCommand).resolves(meta as never);
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: alias, PrincipalEntityType: 'MyApp::Person' }),
      cognitoProperties(),
    );
    expect(
      await applyPlan(applicable(planFor(request, { defaultRegion: 'eu-west-1' })), deps()),
    ).toEqual({
      kind: 'updated',
      identitySourceId: IDENTITY_SOURCE_ID,
    });
    expect(vp).toHaveReceivedCommandTimes(GetPolicyStoreAliasCommand, 1);
    expect(vp).toHaveReceivedCommandTimes(GetIdentitySourceCommand, 0);
    expect(vp).toHaveReceivedCommandTimes(CreateIdentitySourceCommand, 0);
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      policyStoreId: alias,
      identitySourceId: IDENTITY_SOURCE_ID,
      principalEntityType: 'MyApp::Person',
    });
  });

  it('replaces when an alias names another store', async () => {
    const alias = 'policy-store-alias/other';
    vp.on(GetPolicyStoreAliasCommand).resolves({ policyStoreId: 'PSother', ...meta } as never);
    vp.on(GetIdentitySourceCommand).rejects(
      new ResourceNotFoundException({
        message: 'no',
        resourceId: IDENTITY_SOURCE_ID,
        resourceType: 'IDENTITY_SOURCE',
        $metadata: {},
      }),
    );
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISnew', ...meta } as never);
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PolicyStoreId: alias }),
      cognitoProperties(),
    );
    expect(
      await applyPlan(applicable(planFor(request, { defaultRegion: 'eu-west-1' })), deps()),
    ).toEqual({
      kind: 'created',
      identitySourceId: 'ISnew',
    });
    expect(vp).toHaveReceivedCommandWith(CreateIdentitySourceCommand, { policyStoreId: alias });
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
      const error = await applyPlan(
        applicable(planFor(createResource(cognitoProperties()), { defaultRegion: 'eu-west-1' })),
        d,
      ).catch((e) => e);
      expect(error).toBeInstanceOf(ApiCallError);
      expect(error.message).toMatch(
        /POLICY_STORE PSEXAMPLEabcdefg111111 was not found .*\(waited 3\d s for it to become visible\)$/,
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it('updates in place', async () => {
    vp.on(UpdateIdentitySourceCommand).resolves({
      identitySourceId: IDENTITY_SOURCE_ID,
      ...meta,
    } as never);
    const request = updateResource(
      IDENTITY_SOURCE_ID,
      cognitoProperties({ PrincipalEntityType: 'A::B' }),
      cognitoProperties(),
    );
    expect(
      await applyPlan(applicable(planFor(request, { defaultRegion: 'eu-west-1' })), deps()),
    ).toEqual({
      kind: 'updated',
      identitySourceId: IDENTITY_SOURCE_ID,
    });
    expect(vp).toHaveReceivedCommandWith(UpdateIdentitySourceCommand, {
      identitySourceId: IDENTITY_SOURCE_ID,
      principalEntityType: 'A::B',
    });
  });

  it('calls nothing for a no-op update', async () => {
    const request = updateResource(IDENTITY_SOURCE_ID, cognitoProperties(), cognitoProperties());
    expect(
      await applyPlan(applicable(planFor(request, { defaultRegion: 'eu-west-1' })), deps()),
    ).toEqual({
      kind: 'unchanged',
      identitySourceId: IDENTITY_SOURCE_ID,
    });
    expect(vp.calls()).toHaveLength(0);
  });

  it('deletes, and counts not-found as done', async () => {
    vp.on(DeleteIdentitySourceCommand)
      .resolvesOnce(meta as never)
      .rejects(
        new ResourceNotFoundException({
          message: 'gone',
          resourceType: 'IDENTITY_SOURCE',
          resourceId: 'x',
          $metadata: {},
        }),
      );
    const plan = applicable(
      planFor(deleteResource(IDENTITY_SOURCE_ID, cognitoProperties()), {
        defaultRegion: 'eu-west-1',
      }),
    );
    expect(await applyPlan(plan, deps())).toEqual({ kind: 'deleted' });
    expect(await applyPlan(plan, deps())).toEqual({ kind: 'already-gone' });
  });

  it('finds what an unconfirmed Create made by replaying its token, and deletes only that', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({
      identitySourceId: 'ISmadeByTimedOutCreate',
      ...meta,
    } as never);
    vp.on(DeleteIdentitySourceCommand).resolves(meta as never);
    const plan = applicable(
      planFor(deleteResource(createUnconfirmedId('tok-9'), cognitoProperties()), {
        defaultRegion: 'eu-west-1',
      }),
    );
    expect(await applyPlan(plan, deps())).toEqual({ kind: 'deleted' });
    expect(vp).toHaveReceivedCommandWith(CreateIdentitySourceCommand, { clientToken: 'tok-9' });
    expect(vp).toHaveReceivedCommandWith(DeleteIdentitySourceCommand, {
      identitySourceId: 'ISmadeByTimedOutCreate',
      policyStoreId: POLICY_STORE_ID,
    });
  });

  it('deletes nothing when the replay meets another source in the store', async () => {
    vp.on(CreateIdentitySourceCommand).rejects(
      new ServiceQuotaExceededException({
        message: 'quota',
        resourceType: 'IDENTITY_SOURCE',
        resourceId: 'x',
        $metadata: {},
      }),
    );
    const plan = applicable(
      planFor(deleteResource(createUnconfirmedId('tok-9'), cognitoProperties()), {
        defaultRegion: 'eu-west-1',
      }),
    );
    expect(await applyPlan(plan, deps())).toEqual({ kind: 'nothing-to-delete' });
    expect(vp).toHaveReceivedCommandTimes(DeleteIdentitySourceCommand, 0);
  });
});

describe('applyPlan: sweeping with the create journal', () => {
  const journalWith = (entry: JournalEntry | undefined): CreateJournal => ({
    begin: async () => 'begun',
    settle: async () => 'recorded',
    closeCancelled: async () => {},
    cancel: async () => entry,
    read: async () => (entry === undefined ? undefined : { ...entry, state: 'cancelled' }),
  });
  const inFlight = (endsBy: number): JournalEntry => ({
    state: 'in-flight',
    requestId: 'create-1',
    region: 'eu-west-1',
    input: { clientToken: 'create-1', policyStoreId: POLICY_STORE_ID, configuration: undefined },
    endsBy,
  });
  const sweepPlan = () =>
    applicable(
      planFor(deleteResource('made|up|IdentitySource', cognitoProperties()), {
        defaultRegion: 'eu-west-1',
      }),
    );

  it('does not wait for a Create whose invocation has ended, and replays its token', async () => {
    vp.on(CreateIdentitySourceCommand).resolves({ identitySourceId: 'ISorphan', ...meta } as never);
    vp.on(DeleteIdentitySourceCommand).resolves(meta as never);
    const d = { ...deps(), journal: journalWith(inFlight(Date.now() - 1)) };
    expect(await applyPlan(sweepPlan(), d)).toEqual({ kind: 'deleted' });
    expect(d.waits).toEqual([]);
    expect(vp).toHaveReceivedCommandWith(CreateIdentitySourceCommand, { clientToken: 'create-1' });
    expect(vp).toHaveReceivedCommandWith(DeleteIdentitySourceCommand, {
      identitySourceId: 'ISorphan',
    });
  });

  it('waits for a Create that may still be running, until it has cleaned up', async () => {
    let reads = 0;
    const journal: CreateJournal = {
      ...journalWith(inFlight(Date.now() + 60_000)),
      read: async () => ({
        ...inFlight(Date.now() + 60_000),
        state: ++reads < 3 ? 'cancelled' : 'cleaned',
      }),
    };
    const d = { ...deps(10_000), journal };
    expect(await applyPlan(sweepPlan(), d)).toEqual({ kind: 'deleted' });
    expect(d.waits).toEqual([500, 500]);
    expect(vp.calls()).toHaveLength(0);
  });

  it("records the Delete's own issue time as when CloudFormation gave up", async () => {
    const cancelled: number[] = [];
    const journal: CreateJournal = {
      ...journalWith(undefined),
      cancel: async (_key, gaveUpAt) => {
        cancelled.push(gaveUpAt);
        return undefined;
      },
    };
    const issuedAt = Date.parse('2026-12-01T10:00:00Z');
    const plan = applicable(
      planFor(
        { ...deleteResource('made|up|IdentitySource', cognitoProperties()), issuedAt },
        { defaultRegion: 'eu-west-1' },
      ),
    );
    await applyPlan(plan, { ...deps(), journal });
    expect(cancelled).toEqual([issuedAt]);
  });

  it('makes nothing for a Create CloudFormation gave up on before it began', async () => {
    const journal: CreateJournal = { ...journalWith(undefined), begin: async () => 'given-up' };
    const plan = applicable(
      planFor(createResource(cognitoProperties()), { defaultRegion: 'eu-west-1' }),
    );
    const error = await applyPlan(plan, { ...deps(), journal }).catch((e) => e);
    expect(error).toBeInstanceOf(CreateGivenUpError);
    expect(error.mayHaveTakenEffect).toBe(false);
    expect(vp.calls()).toHaveLength(0);
  });

  it('deletes nothing without a journal entry', async () => {
    const d = { ...deps(), journal: journalWith(undefined) };
    expect(await applyPlan(sweepPlan(), d)).toEqual({ kind: 'nothing-to-delete' });
    expect(vp.calls()).toHaveLength(0);
  });
});
