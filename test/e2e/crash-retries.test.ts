/**
 * Every request CloudFormation waits for is answered, through Lambda's retries (issue 15, part
 * 1). Lambda delivers a custom-resource event asynchronously: when an invocation ends in a
 * function error — here its process is killed (SIGKILL) while a Verified Permissions call hangs,
 * as out of memory or a runtime fault would end it — Lambda delivers the same event again, to
 * this or another execution environment. The retry finds the request "in progress" under the
 * dead holder; it must wait for that holder's record to expire, then do the work and answer.
 * And when the holder is still alive at the end of the retry's own time, the retry must end in
 * a function error, so that Lambda delivers the event once more — never a silent normal return.
 *
 * The doomed invocation runs in a Lambda process of its own (another execution environment)
 * with a short timeout, so its in-progress record expires a few seconds later; the retry runs
 * in the stack's own process. What is asserted is what the double holds and the bucket got.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type InvokeResult,
  type LambdaProcess,
  startLambdaProcess,
} from '../../local/lambda-process.js';
import { type LocalStack, type StackRequest, startLocalStack } from '../../local/local-stack.js';
import type { DoubleOperation } from '../../local/verified-permissions/double.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';

let stack: LocalStack;
/** Other execution environments started by a test, killed at the end if still alive. */
const environments: LambdaProcess[] = [];
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  expect(signatureLeaks(stack.logs)).toEqual([]);
  await Promise.all(environments.map((environment) => environment.close()));
  await stack?.close();
});

/** The doomed invocation's time limit: its in-progress record expires this long after it began. */
const DOOMED_TIMEOUT_MS = 8_000;
/** The retry's time limit: long enough to outwait the dead holder's record. */
const RETRY_TIMEOUT_MS = 40_000;

const propertiesFor = (store: string) => ({ ...cognitoProperties(), PolicyStoreId: store });
const sourcesIn = (store: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(25);
  }
}

/** Another execution environment of the same function. */
async function anotherEnvironment(): Promise<LambdaProcess> {
  const started = await startLambdaProcess({ env: { ...stack.env } });
  environments.push(started);
  return started;
}

/** Whether the double has received an `operation` request whose body has these fields. */
const received = (operation: string, fields: Record<string, unknown>) => () =>
  stack.verifiedPermissions.requests.some(
    (r) =>
      r.operation === operation &&
      Object.entries(fields).every(
        ([name, value]) => (r.body as Record<string, unknown>)?.[name] === value,
      ),
  );

/**
 * Starts `event` in a fresh environment whose `operation` call hangs, waits until the double
 * has received that call, then kills the process (SIGKILL): the invocation ends in a function
 * error without an answer, and its in-progress record stays behind.
 */
async function crashDuring(
  event: Record<string, unknown>,
  operation: DoubleOperation,
  fields: Record<string, unknown>,
): Promise<InvokeResult> {
  const doomed = await anotherEnvironment();
  stack.verifiedPermissions.hangNext(operation);
  const invocation = doomed.invoke(event, { timeoutMs: DOOMED_TIMEOUT_MS });
  await until(received(operation, fields));
  await doomed.close();
  return invocation;
}

/** Lambda's retry of the same event, in the stack's own environment. */
async function retry(event: Record<string, unknown>, timeoutMs = RETRY_TIMEOUT_MS) {
  const before = stack.verifiedPermissions.requests.length;
  const invocation = await stack.lambda.invoke(event, { timeoutMs });
  return {
    invocation,
    apiCalls: stack.verifiedPermissions.requests.slice(before),
    response: await stack.responseTo(event),
  };
}

const createOf = (logicalId: string, store: string): StackRequest => ({
  RequestType: 'Create',
  LogicalResourceId: logicalId,
  ResourceProperties: propertiesFor(store),
});

describe('a process killed during its request', () => {
  it('Create: the retry waits out the dead holder, then answers SUCCESS with exactly one source', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const event = await stack.event(createOf('CrashedCreate', store));
    const crashed = await crashDuring(event, 'CreateIdentitySource', {
      clientToken: event.RequestId,
    });
    expect(crashed.error?.errorType).toBe('Runtime.ExitError');
    expect(await stack.responseTo(event)).toBeUndefined();

    const retried = await retry(event);
    expect(retried.invocation.error).toBeUndefined();
    expect(retried.response?.Status, retried.response?.Reason).toBe('SUCCESS');
    expect(retried.apiCalls.map((c) => c.operation)).toEqual(['CreateIdentitySource']);
    expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([
      retried.response?.PhysicalResourceId,
    ]);
  }, 90_000);

  it('Delete: the retry waits out the dead holder, then deletes the source and answers SUCCESS', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const made = await stack.send(createOf('CrashedDelete', store));
    expect(made.response?.Status).toBe('SUCCESS');
    const identitySourceId = made.response?.PhysicalResourceId as string;
    const event = await stack.event({
      RequestType: 'Delete',
      LogicalResourceId: 'CrashedDelete',
      PhysicalResourceId: identitySourceId,
      ResourceProperties: propertiesFor(store),
    });
    const crashed = await crashDuring(event, 'DeleteIdentitySource', { identitySourceId });
    expect(crashed.error?.errorType).toBe('Runtime.ExitError');
    expect(await stack.responseTo(event)).toBeUndefined();
    expect(sourcesIn(store)).toHaveLength(1);

    const retried = await retry(event);
    expect(retried.invocation.error).toBeUndefined();
    expect(retried.response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: identitySourceId,
    });
    expect(retried.apiCalls.map((c) => c.operation)).toContain('DeleteIdentitySource');
    expect(sourcesIn(store)).toEqual([]);
  }, 90_000);
});

describe('a holder still at work when the retry’s time ends', () => {
  it('the retry ends in a function error (StillInProgressError), answering nothing and calling nothing', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const event = await stack.event(createOf('StillHeld', store));
    const holder = await anotherEnvironment();
    stack.verifiedPermissions.hangNext('CreateIdentitySource');
    const held = holder.invoke(event, { timeoutMs: 30_000 });
    await until(received('CreateIdentitySource', { clientToken: event.RequestId }));

    const retried = await retry(event, 8_000);
    expect(retried.invocation.timedOut).toBe(false);
    // a function error, so that Lambda delivers the event again; not a normal return
    expect(retried.invocation.error?.errorType).toBe('StillInProgressError');
    expect(retried.apiCalls).toEqual([]);
    expect(retried.response).toBeUndefined();

    await holder.close();
    expect((await held).error?.errorType).toBe('Runtime.ExitError');
    expect(sourcesIn(store)).toEqual([]);
  }, 60_000);
});
