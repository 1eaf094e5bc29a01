/**
 * Creates CloudFormation already gave up on (issue 11, part 1). CloudFormation invokes the
 * function asynchronously; under Lambda throttling a Create can wait in the queue longer than
 * CloudFormation waits. It then sends a Delete with a physical id it made up
 * (`<stack>-<LogicalId>-<12 random characters>`), and the delayed Create may still run — after
 * the Delete, or after its ResponseURL expired. Nothing such a Create does can ever be learned
 * by a stack, so it must make nothing (or remove what it made), and the next legitimate Create
 * of the resource must work as usual.
 *
 * Which of two requests CloudFormation issued first is read from their ResponseURLs' signing
 * times (X-Amz-Date, one-second resolution): the events below are built — their URLs signed by
 * the response bucket — in the order CloudFormation would have issued them, and handed to the
 * function in the order the queue delivers them. The Delete runs in a second Lambda process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaProcess, startLambdaProcess } from '../../local/lambda-process.js';
import {
  type CloudFormationResponse,
  type LocalStack,
  type StackRequest,
  startLocalStack,
} from '../../local/local-stack.js';
import { cloudFormationResponseKey } from '../../local/response-bucket.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';

let stack: LocalStack;
let second: LambdaProcess;
beforeAll(async () => {
  stack = await startLocalStack();
  second = await startLambdaProcess({ env: { ...stack.env } });
});
afterAll(async () => {
  expect(signatureLeaks(stack.logs)).toEqual([]);
  await second?.close();
  await stack?.close();
});

/** The sources the legitimate Creates made, deleted at the end. */
const legitimateSources: { logicalId: string; store: string; identitySourceId: string }[] = [];

type CfnEvent = Record<string, unknown> & {
  StackId: string;
  LogicalResourceId: string;
  RequestId: string;
  ResponseURL: string;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits into the next whole second: a URL signed after this has a later X-Amz-Date. */
const nextSecond = () => sleep(1000 - (Date.now() % 1000) + 20);
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(50);
  }
}
const stackName = () => stack.stackId.split('/')[1] as string;
/** A physical id as CloudFormation makes one up for a Create it gave up on. */
const madeUpId = (logicalId: string) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const random = Array.from({ length: 12 }, () => alphabet[Math.floor(Math.random() * 36)]);
  return `${stackName()}-${logicalId}-${random.join('')}`;
};
const sourcesIn = (store: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store);
const propertiesFor = (store: string) => ({ ...cognitoProperties(), PolicyStoreId: store });
const createOf = (logicalId: string, store: string): StackRequest => ({
  RequestType: 'Create',
  LogicalResourceId: logicalId,
  ResourceProperties: propertiesFor(store),
});
const deleteOf = (logicalId: string, store: string): StackRequest => ({
  RequestType: 'Delete',
  LogicalResourceId: logicalId,
  PhysicalResourceId: madeUpId(logicalId),
  ResourceProperties: propertiesFor(store),
});
const signedSecond = (event: CfnEvent) => new URL(event.ResponseURL).searchParams.get('X-Amz-Date');
const built = async (request: StackRequest) => (await stack.event(request)) as CfnEvent;

/** Notes the source a legitimate Create answered with, for the last test to delete. */
const keep = (store: string, response: CloudFormationResponse | undefined) => {
  const { LogicalResourceId: logicalId, PhysicalResourceId: identitySourceId } = response ?? {};
  legitimateSources.push({
    store,
    logicalId: String(logicalId),
    identitySourceId: String(identitySourceId),
  });
};

/** Hands a built event to a Lambda process; what it answered and called, and its log. */
async function deliver(event: CfnEvent, lambda: LambdaProcess = stack.lambda) {
  const before = {
    api: stack.verifiedPermissions.requests.length,
    dynamo: stack.dynamo?.requests.length ?? 0,
    bucket: stack.bucket.requests.length,
  };
  const invocation = await lambda.invoke(event, { timeoutMs: 20_000 });
  const calls = {
    api: stack.verifiedPermissions.requests.slice(before.api),
    dynamo: stack.dynamo?.requests.slice(before.dynamo) ?? [],
    bucket: stack.bucket.requests.slice(before.bucket),
  };
  const log = invocation.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return []; // a line of Node's own (a warning), not the function's log
    }
  });
  return { invocation, calls, log, response: await stack.responseTo(event) };
}

/** In a later second than what was signed so far: CloudFormation's Delete with a made-up id. */
async function cancelLater(logicalId: string, store: string) {
  await nextSecond();
  const cancel = await deliver(await built(deleteOf(logicalId, store)), second);
  expect(cancel.response?.Status).toBe('SUCCESS');
}

/** In a later second: a legitimate Create, which must succeed and be the store's one source. */
async function legitimateCreateLater(logicalId: string, store: string) {
  await nextSecond();
  const legitimate = await deliver(await built(createOf(logicalId, store)));
  expect(legitimate.response?.Status).toBe('SUCCESS');
  keep(store, legitimate.response);
  expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([
    legitimate.response?.PhysicalResourceId,
  ]);
  return legitimate;
}

describe('a Create whose ResponseURL has expired', () => {
  it('SigV4 (X-Amz-Date + X-Amz-Expires): makes nothing, calls nothing, answers nothing, logs why', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const event = await built(createOf('ExpiredV4', store));
    const url = await stack.bucket.responseUrl(cloudFormationResponseKey(event), { expiresIn: 1 });
    const expired = { ...event, ResponseURL: url };
    await sleep(2_100);
    // the bucket itself refuses the URL now: nobody could ever read an answer
    expect((await fetch(url, { method: 'PUT', body: '{}' })).status).toBe(403);

    const { invocation, calls, log, response } = await deliver(expired);
    expect(invocation.error).toBeUndefined();
    expect(calls.api).toEqual([]);
    expect(calls.dynamo).toEqual([]);
    expect(calls.bucket).toEqual([]);
    expect(response).toBeUndefined();
    expect(sourcesIn(store)).toEqual([]);
    const why = log.find(
      (l) => l.message === 'ResponseURL has expired: the request is not acted on, no API called',
    );
    expect(why).toMatchObject({
      level: 'ERROR',
      RequestId: event.RequestId,
      RequestType: 'Create',
    });
    expect(Date.parse(String(why?.expiredAt))).toBeLessThan(Date.now());
  });

  it('SigV2 (Expires): makes nothing, calls nothing, answers nothing, logs why', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const event = await built(createOf('ExpiredV2', store));
    const key = `sigv2/${event.RequestId}`;
    const expired = {
      ...event,
      ResponseURL: stack.bucket.sigV2ResponseUrl(key, { expiresIn: -60 }),
    };

    const { invocation, calls, log } = await deliver(expired);
    expect(invocation.error).toBeUndefined();
    expect(calls).toEqual({ api: [], dynamo: [], bucket: [] });
    expect(await stack.bucket.readResponse(key)).toBeUndefined();
    expect(sourcesIn(store)).toEqual([]);
    expect(log.map((l) => l.message)).toContain(
      'ResponseURL has expired: the request is not acted on, no API called',
    );
  });
});

describe('a Create that arrives after the Delete CloudFormation sent when it gave up', () => {
  it('Delete first, then the stale Create, then a legitimate Create: the stale one makes nothing', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const stale = await built(createOf('Stale', store));
    await cancelLater('Stale', store);

    const late = await deliver(stale);
    expect(late.response).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: `NotCreated:${stale.RequestId}`,
    });
    expect(late.response?.Reason).toMatch(/CloudFormation had already given up on this Create/);
    expect(late.calls.api).toEqual([]);
    expect(late.log.map((l) => l.message)).toContain(
      'CloudFormation gave up on this Create before it began: making nothing',
    );
    expect(sourcesIn(store)).toEqual([]);

    await legitimateCreateLater('Stale', store);
  });

  it('a stale Create signed in the same second as the Delete makes nothing either', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    let stale: CfnEvent;
    let cancel: CfnEvent;
    do {
      await nextSecond();
      stale = await built(createOf('SameSecond', store));
      cancel = await built(deleteOf('SameSecond', store));
    } while (signedSecond(stale) !== signedSecond(cancel));
    expect((await deliver(cancel, second)).response?.Status).toBe('SUCCESS');
    const late = await deliver(stale);
    expect(late.response?.Status).toBe('FAILED');
    expect(late.response?.PhysicalResourceId).toBe(`NotCreated:${stale.RequestId}`);
    expect(late.calls.api).toEqual([]);
    expect(sourcesIn(store)).toEqual([]);
  });

  it('Delete, legitimate Create, then the stale Create: the live source is left alone', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const stale = await built(createOf('StaleLast', store));
    await cancelLater('StaleLast', store);
    const legitimate = await legitimateCreateLater('StaleLast', store);
    const late = await deliver(stale, second);
    expect(late.response?.Status).toBe('FAILED');
    expect(late.calls.api).toEqual([]);
    expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([
      legitimate.response?.PhysicalResourceId,
    ]);
  });

  it('the stale and the legitimate Create at once, after the Delete: only the legitimate one makes a source', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const stale = await built(createOf('Race', store));
    await cancelLater('Race', store);
    await nextSecond();
    const fresh = await built(createOf('Race', store));
    stack.verifiedPermissions.delayNext('CreateIdentitySource', 500);
    const [legitimate, late] = await Promise.all([deliver(fresh), deliver(stale, second)]);
    expect(legitimate.response?.Status).toBe('SUCCESS');
    keep(store, legitimate.response);
    expect(late.response?.Status).toBe('FAILED');
    // both ran at once: the stale one's calls are those with its clientToken
    const staleCalls = late.calls.api.filter(
      (c) => (c.body as { clientToken?: unknown }).clientToken === stale.RequestId,
    );
    expect(staleCalls).toEqual([]);
    expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([
      legitimate.response?.PhysicalResourceId,
    ]);
  });
});

describe('a request that waited in the queue past ServiceTimeout', () => {
  // CloudFormation waits ServiceTimeout seconds (default 3600) for an answer, counted from when it
  // issued the request, then gives up; the ResponseURL itself stays valid for two hours.
  const overdue = (request: StackRequest): StackRequest => ({
    ...request,
    ResourceProperties: { ...request.ResourceProperties, ServiceTimeout: '1' },
  });
  const STOPPED_WAITING =
    'CloudFormation stopped waiting for this request (ServiceTimeout after it was issued): it is not acted on, no API called';

  it('a Create run before its Delete makes nothing; the Delete, then a legitimate Create work', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const stale = await built(overdue(createOf('Overdue', store)));
    await sleep(1_500);
    const late = await deliver(stale);
    expect(late.calls).toEqual({ api: [], dynamo: [], bucket: [] });
    expect(late.response).toBeUndefined();
    expect(late.log.find((l) => l.message === STOPPED_WAITING)).toMatchObject({
      RequestId: stale.RequestId,
    });
    await cancelLater('Overdue', store);
    expect(sourcesIn(store)).toEqual([]);
    await legitimateCreateLater('Overdue', store);
  });

  it('an Update changes nothing', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const created = await deliver(await built(createOf('OverdueUpdate', store)));
    const identitySourceId = String(created.response?.PhysicalResourceId);
    keep(store, created.response);
    const update = await built(
      overdue({
        RequestType: 'Update',
        LogicalResourceId: 'OverdueUpdate',
        PhysicalResourceId: identitySourceId,
        ResourceProperties: { ...propertiesFor(store), PrincipalEntityType: 'MyApp::Other' },
        OldResourceProperties: propertiesFor(store),
      }),
    );
    await sleep(1_500);
    const late = await deliver(update);
    expect(late.calls.api).toEqual([]);
    expect(late.response).toBeUndefined();
    expect(late.log.map((l) => l.message)).toContain(STOPPED_WAITING);
    expect(sourcesIn(store)).toMatchObject([
      { identitySourceId, principalEntityType: 'MyApp::User' },
    ]);
  });

  it('a Create that begins late answers before CloudFormation stops waiting, and leaves nothing', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const event = await built({
      ...createOf('LateStart', store),
      ResourceProperties: { ...propertiesFor(store), ServiceTimeout: '3' },
    });
    const signedAt = Date.parse(
      String(signedSecond(event)).replace(
        /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/,
        '$1-$2-$3T$4:$5:$6Z',
      ),
    );
    await sleep(1_000);
    // the service makes the source, but answers only after CloudFormation stopped waiting
    stack.verifiedPermissions.delayNext('CreateIdentitySource', 3_000);
    const ran = await deliver(event);
    expect(ran.invocation.error).toBeUndefined();
    const put = ran.calls.bucket.find((r) => r.method === 'PUT');
    expect(put?.answeredAt).toBeLessThan(signedAt + 3_000);
    expect(ran.response?.Status).toBe('FAILED');
    expect(ran.response?.PhysicalResourceId).toMatch(/^CreateUnconfirmed:/);
    await until(() => sourcesIn(store).length === 1);
    const cleanup = await deliver(
      await built({
        ...deleteOf('LateStart', store),
        PhysicalResourceId: ran.response?.PhysicalResourceId,
      }),
    );
    expect(cleanup.response?.Status).toBe('SUCCESS');
    expect(sourcesIn(store)).toEqual([]);
  });
});

describe('the orders above', () => {
  it('leave no orphan once the legitimate resources are deleted', async () => {
    expect(legitimateSources.length).toBeGreaterThan(0);
    for (const { logicalId, store, identitySourceId } of legitimateSources) {
      const { response } = await deliver(
        await built({ ...deleteOf(logicalId, store), PhysicalResourceId: identitySourceId }),
      );
      expect(response?.Status).toBe('SUCCESS');
    }
    expect(stack.verifiedPermissions.identitySources()).toEqual([]);
  });
});
