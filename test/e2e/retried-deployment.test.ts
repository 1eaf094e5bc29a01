/**
 * A FAILED outcome is never replayed (issue 11, part 2). CloudFormation reuses a RequestId when a
 * deployment is retried (aws-cdk#35957): the same event comes again with a fresh ResponseURL.
 * A Create that failed for a passing reason must then run again and succeed — with exactly one
 * source, since the clientToken (the RequestId) keeps a second attempt from making another —
 * while a SUCCESS is stored and re-sent without calling the API again.
 */
import { describe, expect, it } from 'vitest';
import type { Exchange, LocalStack, StackRequest } from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { useLocalStack } from '../support/local-stack-hooks.js';

let stack: LocalStack;
useLocalStack((started) => {
  stack = started;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sourcesIn = (store: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store);
const createsIn = (exchange: Exchange) =>
  exchange.apiCalls.filter((c) => c.operation === 'CreateIdentitySource');
const createOf = (logicalId: string, store: string): StackRequest => ({
  RequestType: 'Create',
  LogicalResourceId: logicalId,
  ResourceProperties: { ...cognitoProperties(), PolicyStoreId: store },
});

/**
 * Sends the Create with a short time limit (it fails), lets `removeCause` take the cause away,
 * then sends the same event again — same RequestId, a freshly signed ResponseURL — and once more.
 */
async function failThenRetry(
  request: StackRequest,
  firstTimeoutMs: number,
  removeCause: () => Promise<void>,
) {
  const failed = await stack.send(request, { timeoutMs: firstTimeoutMs });
  await removeCause();
  // a retried deployment comes later: its URL is signed in a later second (a fresh signature)
  await sleep(1000 - (Date.now() % 1000) + 20);
  const again = { ...request, RequestId: String(failed.event.RequestId) };
  const retried = await stack.send(again);
  const repeated = await stack.send(again);
  expect(retried.event.ResponseURL).not.toBe(failed.event.ResponseURL);
  return { failed, retried, repeated };
}

/** What every case must end in: the retry ran and succeeded, once, and is then stored. */
function expectRetrySucceeded(
  { failed, retried, repeated }: Awaited<ReturnType<typeof failThenRetry>>,
  store: string,
) {
  expect(failed.invocation.timedOut).toBe(false);
  expect(failed.response?.Status).toBe('FAILED');
  // the retry is not answered from a stored FAILED: it calls the API again, with the same token
  expect(retried.invocation.logs.join('\n')).not.toContain('Repeated delivery');
  expect(createsIn(retried).length).toBeGreaterThan(0);
  for (const call of createsIn(retried)) {
    expect((call.body as { clientToken?: unknown }).clientToken).toBe(failed.event.RequestId);
  }
  expect(retried.response?.Status).toBe('SUCCESS');
  expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([
    retried.response?.PhysicalResourceId,
  ]);
  // a SUCCESS is stored: delivered once more, it is re-sent as it was, without an API call
  expect(repeated.apiCalls).toEqual([]);
  expect(repeated.invocation.logs.join('\n')).toContain('Repeated delivery');
  expect(repeated.response).toEqual(retried.response);
}

describe('a retried deployment (same RequestId) after a FAILED Create', () => {
  it('a policy store not visible until after the deadline: FAILED, then SUCCESS once it is', async () => {
    const store = stack.verifiedPermissions.addPolicyStore(undefined, { visibleAfterMs: 3_000 });
    const outcome = await failThenRetry(createOf('NotVisible', store), 2_000, async () => {
      await sleep(3_000 - 2_000 + 200);
    });
    expect(outcome.failed.response?.Reason).toMatch(/CreateIdentitySource/);
    expect(
      createsIn(outcome.failed).every((c) => c.errorType === 'ResourceNotFoundException'),
    ).toBe(true);
    expectRetrySucceeded(outcome, store);
  });

  it('throttled until the deadline: FAILED, then SUCCESS once the throttling stops', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    // the short first run uses them up (one left over would only make the retry wait once)
    stack.verifiedPermissions.failNext('CreateIdentitySource', {
      errorType: 'ThrottlingException',
      times: 2,
    });
    const outcome = await failThenRetry(createOf('Throttled', store), 3_000, async () => {});
    expect(outcome.failed.response?.Reason).toMatch(/ThrottlingException/);
    expect(createsIn(outcome.failed).every((c) => c.errorType === 'ThrottlingException')).toBe(
      true,
    );
    expectRetrySucceeded(outcome, store);
  });

  it('timed out while the service made the source after all: the retry answers with that one source', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    stack.verifiedPermissions.delayNext('CreateIdentitySource', 3_000);
    const outcome = await failThenRetry(createOf('MadeLate', store), 2_000, async () => {
      while (sourcesIn(store).length === 0) await sleep(50);
    });
    expect(outcome.failed.response?.PhysicalResourceId).toMatch(/^CreateUnconfirmed:/);
    const madeLate = sourcesIn(store)[0]?.identitySourceId;
    expectRetrySucceeded(outcome, store);
    expect(outcome.retried.response?.PhysicalResourceId).toBe(madeLate);
  });

  it('an error the retry policy does not retry (access denied): FAILED at once, then SUCCESS', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    stack.verifiedPermissions.failNext('CreateIdentitySource', {
      errorType: 'AccessDeniedException',
    });
    const outcome = await failThenRetry(createOf('Denied', store), 30_000, async () => {});
    expect(outcome.failed.response?.Reason).toMatch(/was denied/);
    expect(outcome.failed.response?.PhysicalResourceId).toBe(
      `NotCreated:${outcome.failed.event.RequestId}`,
    );
    expectRetrySucceeded(outcome, store);
  });
});
