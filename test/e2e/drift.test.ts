/**
 * The drift check end to end: the built `dist/drift.mjs` in a Lambda-like process reads the
 * resource records from dynalite, reads each source from the Verified Permissions double (with
 * the STS stand-in's credentials for a `RoleArn`), and puts its events on the EventBridge
 * stand-in, all over the real SDK's wire protocols. The sources are made by the provider's own
 * bundle (Create requests through the local stack); their records are written here, as the
 * provider's lifecycle keeps them.
 */
import {
  DeleteIdentitySourceCommand,
  UpdateIdentitySourceCommand,
  VerifiedPermissionsClient,
} from '@aws-sdk/client-verifiedpermissions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appliedProperties,
  putLiveRecord,
  startDriftFunction,
} from '../../local/drift-function.js';
import type { LambdaProcess } from '../../local/lambda-process.js';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { cognitoProperties, oidcProperties, USER_POOL_ARN } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';

const ROLE = 'arn:aws:iam::111111111111:role/IdentitySources';
const DENIED_ROLE = 'arn:aws:iam::333333333333:role/NotTrustingTheProvider';
/** Not the function's region (eu-west-1). */
const OTHER_REGION = 'us-west-2';

let stack: LocalStack;
let direct: VerifiedPermissionsClient;
const processes: LambdaProcess[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ withSts: true, withEventBridge: true });
  direct = new VerifiedPermissionsClient({
    region: stack.region,
    endpoint: stack.verifiedPermissions.endpoint,
    credentials: { accessKeyId: 'AKIDCONSOLEUSER', secretAccessKey: 'console' },
  });
});
afterAll(async () => {
  direct?.destroy();
  for (const p of processes) await p.close();
  if (stack) expect(signatureLeaks(stack.logs)).toEqual([]);
  await stack?.close();
});

interface Managed {
  readonly logicalResourceId: string;
  readonly identitySourceId: string;
  readonly policyStoreId: string;
  readonly region: string;
  readonly properties: Record<string, unknown>;
}

/** A Create through the provider, and the resource's record as the lifecycle keeps it. */
async function manage(
  logicalResourceId: string,
  properties: Record<string, unknown>,
): Promise<Managed> {
  const { response } = await stack.send({
    RequestType: 'Create',
    LogicalResourceId: logicalResourceId,
    ResourceProperties: properties,
  });
  expect(response?.Status, response?.Reason).toBe('SUCCESS');
  const managed = {
    logicalResourceId,
    identitySourceId: response!.PhysicalResourceId,
    policyStoreId: properties.PolicyStoreId as string,
    region: (properties.Region as string | undefined) ?? stack.region,
    properties,
  };
  await record(managed);
  return managed;
}

async function record(managed: Managed): Promise<void> {
  await putLiveRecord(
    stack.dynamo!,
    { stackId: stack.stackId, logicalResourceId: managed.logicalResourceId },
    {
      identitySourceId: managed.identitySourceId,
      policyStoreId: managed.policyStoreId,
      region: managed.region,
      ...(typeof managed.properties.RoleArn === 'string' && {
        roleArn: managed.properties.RoleArn,
      }),
      properties: appliedProperties(managed.properties),
      appliedAt: new Date().toISOString(),
    },
  );
}

async function runCheck(env: Record<string, string> = {}, timeoutMs = 60_000) {
  const drift = await startDriftFunction(stack, { env });
  processes.push(drift);
  const eventsBefore = stack.eventBridge!.events.length;
  const callsBefore = stack.verifiedPermissions.requests.length;
  const run = await drift.invoke({ source: 'aws.scheduler' }, { timeoutMs });
  expect(run.error).toBeUndefined();
  expect(run.timedOut).toBe(false);
  return {
    result: run.result as Record<string, number>,
    logs: run.logs,
    events: stack.eventBridge!.events.slice(eventsBefore),
    calls: stack.verifiedPermissions.requests.slice(callsBefore),
  };
}

const store = (options?: Parameters<LocalStack['verifiedPermissions']['addPolicyStore']>[1]) =>
  stack.verifiedPermissions.addPolicyStore(undefined, options);

describe('the drift check', () => {
  let inSync: Managed;
  let reordered: Managed;
  let modified: Managed;
  let deleted: Managed;
  let elsewhere: Managed;
  let first: Awaited<ReturnType<typeof runCheck>>;

  beforeAll(async () => {
    inSync = await manage('InSync', oidcProperties({ PolicyStoreId: store() }));
    reordered = await manage('Reordered', cognitoProperties({ PolicyStoreId: store() }));
    modified = await manage('Modified', cognitoProperties({ PolicyStoreId: store() }));
    deleted = await manage('Deleted', cognitoProperties({ PolicyStoreId: store() }));
    elsewhere = await manage(
      'OtherAccount',
      cognitoProperties({
        PolicyStoreId: store({ accountId: '111111111111', region: OTHER_REGION }),
        Region: OTHER_REGION,
        RoleArn: ROLE,
      }),
    );
    // A source the check cannot read: its role does not trust the provider (any more).
    stack.sts!.deny(DENIED_ROLE);
    await record({
      logicalResourceId: 'Unreadable',
      identitySourceId: 'ISEXAMPLEunreadable0001',
      policyStoreId: 'PSEXAMPLEunreadable0001',
      region: OTHER_REGION,
      properties: cognitoProperties({
        PolicyStoreId: 'PSEXAMPLEunreadable0001',
        Region: OTHER_REGION,
        RoleArn: DENIED_ROLE,
      }),
    });

    // Behind the stack's back, as someone in the console or with the CLI would.
    await direct.send(
      new UpdateIdentitySourceCommand({
        policyStoreId: reordered.policyStoreId,
        identitySourceId: reordered.identitySourceId,
        updateConfiguration: {
          cognitoUserPoolConfiguration: {
            userPoolArn: USER_POOL_ARN,
            clientIds: ['client-b', 'client-a'],
            groupConfiguration: { groupEntityType: 'MyApp::Group' },
          },
        },
      }),
    );
    await direct.send(
      new UpdateIdentitySourceCommand({
        policyStoreId: modified.policyStoreId,
        identitySourceId: modified.identitySourceId,
        updateConfiguration: {
          cognitoUserPoolConfiguration: {
            userPoolArn: USER_POOL_ARN,
            clientIds: ['client-a', 'client-c'],
            groupConfiguration: { groupEntityType: 'MyApp::Group' },
          },
        },
        principalEntityType: 'MyApp::Person',
      }),
    );
    await direct.send(
      new DeleteIdentitySourceCommand({
        policyStoreId: deleted.policyStoreId,
        identitySourceId: deleted.identitySourceId,
      }),
    );
    first = await runCheck();
  }, 120_000);

  it('returns the counts: every source checked, the unreadable one failed', () => {
    expect(first.result).toEqual({
      Checked: 6,
      InSync: 3,
      Modified: 1,
      Deleted: 1,
      Repaired: 0,
      Failed: 1,
    });
  });

  it('reports a modified source with exactly its differences (reordered client ids are no drift)', () => {
    const event = first.events.find((e) => e.detail.LogicalResourceId === 'Modified');
    expect(event).toMatchObject({
      source: 'verified-permissions-identity-source',
      detailType: 'Identity Source Drift',
      eventBusName: 'default',
      region: stack.region,
    });
    expect(event?.detail).toEqual({
      StackId: stack.stackId,
      LogicalResourceId: 'Modified',
      IdentitySourceId: modified.identitySourceId,
      PolicyStoreId: modified.policyStoreId,
      Region: stack.region,
      Status: 'MODIFIED',
      Differences: [
        {
          Path: 'Configuration.CognitoUserPoolConfiguration.ClientIds',
          Expected: ['client-a', 'client-b'],
          Actual: ['client-a', 'client-c'],
        },
        { Path: 'PrincipalEntityType', Expected: 'MyApp::User', Actual: 'MyApp::Person' },
      ],
      Repaired: false,
    });
  });

  it('reports a deleted source as deleted, and nothing for the sources in sync', () => {
    expect(first.events.map((e) => [e.detail.LogicalResourceId, e.detail.Status]).sort()).toEqual([
      ['Deleted', 'DELETED'],
      ['Modified', 'MODIFIED'],
    ]);
    expect(first.events.find((e) => e.detail.Status === 'DELETED')?.detail).toMatchObject({
      IdentitySourceId: deleted.identitySourceId,
      Differences: [],
      Repaired: false,
    });
    expect(inSync.identitySourceId).toBeTruthy();
  });

  it('logs one line per drifted source, and one per source it could not check', () => {
    const lines = first.logs.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
    const drifted = lines.filter((l) => String(l.message).startsWith('Identity source drifted'));
    expect(drifted.map((l) => l.LogicalResourceId).sort()).toEqual(['Deleted', 'Modified']);
    const failed = lines.filter((l) => l.level === 'ERROR');
    expect(failed.map((l) => l.LogicalResourceId)).toEqual(['Unreadable']);
    expect(String(failed[0]?.reason)).toContain(DENIED_ROLE);
  });

  it("reads a source of another account in its region, with its role's credentials", () => {
    const issued = stack.sts!.issued.filter((c) => c.roleArn === ROLE);
    const forDrift = issued.at(-1);
    expect(forDrift?.sessionName).toMatch(/^cfn-DriftCheck-/);
    expect(forDrift?.region).toBe(OTHER_REGION);
    const reads = first.calls.filter(
      (c) =>
        c.operation === 'GetIdentitySource' &&
        (c.body as { identitySourceId?: string }).identitySourceId === elsewhere.identitySourceId,
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      accessKeyId: forDrift?.accessKeyId,
      region: OTHER_REGION,
      status: 200,
    });
    const own = first.calls.filter(
      (c) => (c.body as { identitySourceId?: string }).identitySourceId === inSync.identitySourceId,
    );
    expect(own[0]).toMatchObject({
      accessKeyId: stack.env.AWS_ACCESS_KEY_ID,
      region: stack.region,
    });
  });

  it('with DriftRepair, updates a modified source back to what was last applied', async () => {
    const repair = await runCheck({ DRIFT_REPAIR: 'true' });
    expect(repair.result).toMatchObject({ Modified: 1, Repaired: 1, Deleted: 1, Failed: 1 });
    const event = repair.events.find((e) => e.detail.LogicalResourceId === 'Modified');
    expect(event?.detail).toMatchObject({ Status: 'MODIFIED', Repaired: true });
    const source = stack.verifiedPermissions
      .identitySources()
      .find((s) => s.identitySourceId === modified.identitySourceId);
    expect(source?.principalEntityType).toBe('MyApp::User');
    expect(source?.configuration.cognitoUserPoolConfiguration?.clientIds).toEqual([
      'client-a',
      'client-b',
    ]);
    // A deleted source is only reported: re-creating it would change its id under the stack.
    expect(repair.calls.map((c) => c.operation)).not.toContain('CreateIdentitySource');

    const after = await runCheck();
    expect(after.result).toEqual({
      Checked: 6,
      InSync: 4,
      Modified: 0,
      Deleted: 1,
      Repaired: 0,
      Failed: 1,
    });
  }, 120_000);

  it('puts its events on the bus DRIFT_EVENT_BUS_NAME names', async () => {
    const run = await runCheck({ DRIFT_EVENT_BUS_NAME: 'platform-alerts' });
    expect(run.events.map((e) => e.eventBusName)).toEqual(['platform-alerts']);
    expect(run.events[0]?.detail.Status).toBe('DELETED');
  }, 60_000);

  it("stays within the function's time, and says which sources it did not reach", async () => {
    for (let n = 0; n < 20; n++) {
      await record({
        logicalResourceId: `Slow${n}`,
        identitySourceId: inSync.identitySourceId,
        policyStoreId: inSync.policyStoreId,
        region: stack.region,
        properties: inSync.properties,
      });
    }
    // Every read takes 1.5 s; the function has 6 s (3 s kept back, no start with < 2 s left).
    stack.verifiedPermissions.delayNext('GetIdentitySource', 1_500, 26);
    const run = await runCheck({}, 6_000);
    const result = run.result as Record<string, unknown>;
    expect(result.Checked).toBeGreaterThan(0);
    expect(result.Unreached).toBeGreaterThan(0);
    expect((result.Checked as number) + (result.Unreached as number)).toBe(26);
    expect(result.UnreachedResources).toHaveLength(result.Unreached as number);
    expect(result).not.toHaveProperty('TableNotFullyRead'); // one page held them all
    // The sources it did not reach were not read (a read may be retried after a reset socket).
    const reads = run.calls.filter((c) => c.operation === 'GetIdentitySource');
    expect(reads.length).toBeLessThan(26);
  }, 60_000);
});
