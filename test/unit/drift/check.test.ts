import type { VerifiedPermissionsClient } from '@aws-sdk/client-verifiedpermissions';
import { describe, expect, it } from 'vitest';
import { checkDrift, type DriftCheckDependencies } from '../../../src/drift/check.js';
import type { DriftDetail } from '../../../src/drift/events.js';
import type { Log } from '../../../src/logger.js';
import type { ManagedSourceRecord } from '../../../src/persistence/managed-sources.js';
import { cognitoProperties, USER_POOL_ARN } from '../../fixtures/requests.js';

const silent: Log = { debug() {}, info() {}, warn() {}, error() {} };
const STACK = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/app/1';

const recordFor = (n: number, roleArn?: string): ManagedSourceRecord => ({
  ok: true,
  source: {
    stackId: STACK,
    logicalResourceId: `Source${n}`,
    identitySourceId: `IS${n}`,
    policyStoreId: `PS${n}`,
    region: 'eu-west-1',
    ...(roleArn && { roleArn }),
    properties: cognitoProperties({ PolicyStoreId: `PS${n}`, ServiceToken: undefined }),
    appliedAt: '2026-01-01T00:00:00.000Z',
  },
});
const inSyncOutput = {
  configuration: {
    cognitoUserPoolConfiguration: {
      userPoolArn: USER_POOL_ARN,
      clientIds: ['client-a', 'client-b'],
      groupConfiguration: { groupEntityType: 'MyApp::Group' },
    },
  },
  principalEntityType: 'MyApp::User',
};

/** A table of `records` in pages of `pageSize`, counting the pages read. */
function table(records: ManagedSourceRecord[], pageSize: number) {
  const read = { pages: 0 };
  return {
    read,
    pages: async function* () {
      for (let i = 0; i < records.length; i += pageSize) {
        read.pages++;
        yield { records: records.slice(i, i + pageSize), last: i + pageSize >= records.length };
      }
    },
  };
}

/** A client whose reads take `ms` and answer `answer(input)`; counts reads in flight. */
function fakeClients(ms: number, answer: (input: { identitySourceId: string }) => unknown) {
  const stats = { inFlight: 0, maxInFlight: 0, reads: 0 };
  const client = {
    async send(command: { input: { identitySourceId: string } }) {
      stats.reads++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, ms));
        const output = answer(command.input);
        if (output instanceof Error) throw output;
        return output;
      } finally {
        stats.inFlight--;
      }
    },
  } as unknown as VerifiedPermissionsClient;
  return { stats, clients: async () => client };
}

const deps = (overrides: Partial<DriftCheckDependencies>): DriftCheckDependencies => ({
  pages: table([], 10).pages,
  clients: fakeClients(0, () => inSyncOutput).clients,
  publish: async () => {},
  log: silent,
  repair: false,
  workEndsAt: Date.now() + 60_000,
  ...overrides,
});

describe('checkDrift', () => {
  it('reads every page and never more than `concurrency` sources at once', async () => {
    const records = Array.from({ length: 25 }, (_, i) => recordFor(i));
    const source = table(records, 4);
    const { stats, clients } = fakeClients(5, () => inSyncOutput);
    const result = await checkDrift(deps({ pages: source.pages, clients, concurrency: 3 }));
    expect(result).toEqual({
      Checked: 25,
      InSync: 25,
      Modified: 0,
      Deleted: 0,
      Repaired: 0,
      Failed: 0,
    });
    expect(stats.reads).toBe(25);
    expect(stats.maxInFlight).toBe(3);
    expect(source.read.pages).toBe(7);
  });

  it('counts a source it cannot read as Failed and checks the rest', async () => {
    const records = [recordFor(1), recordFor(2), recordFor(3)];
    const denied = Object.assign(new Error('no'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    });
    const notFound = Object.assign(new Error('gone'), {
      name: 'ResourceNotFoundException',
      $fault: 'client',
      $metadata: { httpStatusCode: 404 },
    });
    const { clients } = fakeClients(0, ({ identitySourceId }) =>
      identitySourceId === 'IS1' ? denied : identitySourceId === 'IS2' ? notFound : inSyncOutput,
    );
    const events: DriftDetail[] = [];
    const result = await checkDrift(
      deps({
        pages: table(records, 10).pages,
        clients,
        publish: async (detail) => void events.push(detail),
      }),
    );
    expect(result).toEqual({
      Checked: 3,
      InSync: 1,
      Modified: 0,
      Deleted: 1,
      Repaired: 0,
      Failed: 1,
    });
    expect(events.map((e) => [e.LogicalResourceId, e.Status])).toEqual([['Source2', 'DELETED']]);
  });

  it('counts a record it cannot use, or a role it cannot assume, as Failed', async () => {
    const broken: ManagedSourceRecord = {
      ok: false,
      stackId: STACK,
      logicalResourceId: 'Broken',
      problem: 'live.region is missing or not a string',
    };
    const result = await checkDrift(
      deps({
        pages: table([broken, recordFor(1, 'arn:aws:iam::111111111111:role/R'), recordFor(2)], 10)
          .pages,
        clients: async (target) => {
          if (target.roleArn) throw new Error('could not assume RoleArn');
          return fakeClients(0, () => inSyncOutput).clients();
        },
      }),
    );
    expect(result).toEqual({
      Checked: 3,
      InSync: 1,
      Modified: 0,
      Deleted: 0,
      Repaired: 0,
      Failed: 2,
    });
  });

  it('says what it could not reach when the time budget runs out, and reads no further page', async () => {
    const records = Array.from({ length: 20 }, (_, i) => recordFor(i));
    const source = table(records, 5);
    const { clients } = fakeClients(50, () => inSyncOutput);
    const result = await checkDrift(
      deps({ pages: source.pages, clients, concurrency: 1, workEndsAt: Date.now() + 2_120 }),
    );
    // 2 s are kept free of new starts: about two 50 ms reads fit before that line.
    expect(result.Checked).toBeGreaterThanOrEqual(1);
    expect(result.Checked).toBeLessThan(5);
    expect(result.Unreached).toBe(5 - result.Checked);
    expect(result.UnreachedResources).toHaveLength(5 - result.Checked);
    expect(result.TableNotFullyRead).toBe(true);
    expect(source.read.pages).toBe(1);
  });

  it('publishes a modified source, repairs it on request, and reports events it could not put', async () => {
    const modifiedOutput = { ...inSyncOutput, principalEntityType: 'MyApp::Person' };
    const sent: string[] = [];
    const client = {
      async send(command: { constructor: { name: string } }) {
        sent.push(command.constructor.name);
        return command.constructor.name === 'GetIdentitySourceCommand' ? modifiedOutput : {};
      },
    } as unknown as VerifiedPermissionsClient;
    const result = await checkDrift(
      deps({
        pages: table([recordFor(1)], 10).pages,
        clients: async () => client,
        repair: true,
        publish: async () => {
          throw new Error('bus does not exist');
        },
      }),
    );
    expect(sent).toEqual(['GetIdentitySourceCommand', 'UpdateIdentitySourceCommand']);
    expect(result).toEqual({
      Checked: 1,
      InSync: 0,
      Modified: 1,
      Deleted: 0,
      Repaired: 1,
      Failed: 0,
      EventsNotPublished: 1,
    });
  });
});
