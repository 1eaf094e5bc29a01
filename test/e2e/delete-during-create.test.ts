/**
 * CloudFormation cancels slow Creates and sends a Delete, sometimes with an id it made up
 * (aws-cdk#26139). No identity source may be left behind, and nothing this resource did not
 * create may be deleted. The Delete runs in a second Lambda process, as it would in AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaProcess, startLambdaProcess } from '../../local/lambda-process.js';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';
import { startResponseRecorder } from '../support/response-recorder.js';

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

const propertiesFor = (store: string) => ({ ...cognitoProperties(), PolicyStoreId: store });
const sourcesIn = (store: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store);
const madeUpId = (logicalId: string) =>
  `local-stack-${logicalId}-${Math.random().toString(36).slice(2, 14).toUpperCase()}`;

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function deleteVia(
  lambda: LambdaProcess,
  logicalId: string,
  physicalId: string,
  store: string,
) {
  const event = await stack.event({
    RequestType: 'Delete',
    LogicalResourceId: logicalId,
    PhysicalResourceId: physicalId,
    ResourceProperties: propertiesFor(store),
  });
  await lambda.invoke(event, { timeoutMs: 20_000 });
  return stack.responseTo(event);
}

describe('a Delete during its Create', () => {
  it('leaves no orphan when the Delete (made-up id) arrives while the Create is still running', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    stack.verifiedPermissions.delayNext('CreateIdentitySource', 2_000);
    const create = stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'Slow',
      ResourceProperties: propertiesFor(store),
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const deleted = await deleteVia(second, 'Slow', madeUpId('Slow'), store);
    const created = await create;
    expect(deleted?.Status).toBe('SUCCESS');
    // CloudFormation gave up on this Create before sending the Delete, so its answer is moot;
    // what counts is that the source it made was removed again
    expect(created.invocation.logs.join('\n')).toContain(
      'CloudFormation gave up on this request while it ran',
    );
    expect(sourcesIn(store)).toEqual([]);
  });

  it('finds and removes what a Create made after it gave up at its deadline', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    stack.verifiedPermissions.delayNext('CreateIdentitySource', 2_500);
    const create = await stack.send(
      {
        RequestType: 'Create',
        LogicalResourceId: 'GaveUp',
        ResourceProperties: propertiesFor(store),
      },
      { timeoutMs: 1_500 },
    );
    expect(create.response?.Status).toBe('FAILED');
    expect(create.response?.Reason).toMatch(/timed out/);
    const marker = create.response?.PhysicalResourceId as string;
    expect(marker).toMatch(/^CreateUnconfirmed:/);
    // the service makes it after all, once its slow request completes
    await until(() => sourcesIn(store).length === 1);
    const deleted = await deleteVia(stack.lambda, 'GaveUp', marker, store);
    expect(deleted?.Status).toBe('SUCCESS');
    expect(sourcesIn(store)).toEqual([]);
  });

  it('removes what a Create made when its SUCCESS never reached CloudFormation', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const recorder = await startResponseRecorder({ script: [{ status: 403 }] });
    try {
      await stack.send(
        {
          RequestType: 'Create',
          LogicalResourceId: 'Unanswered',
          ResourceProperties: propertiesFor(store),
        },
        { responseUrl: recorder.url('/expired?X-Amz-Signature=x') },
      );
    } finally {
      await recorder.close();
    }
    expect(sourcesIn(store)).toHaveLength(1);
    const deleted = await deleteVia(stack.lambda, 'Unanswered', madeUpId('Unanswered'), store);
    expect(deleted?.Status).toBe('SUCCESS');
    expect(sourcesIn(store)).toEqual([]);
  });

  it('never deletes the live source of an answered Create for a made-up id', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const { response } = await stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'Live',
      ResourceProperties: propertiesFor(store),
    });
    expect(response?.Status).toBe('SUCCESS');
    const deleted = await deleteVia(stack.lambda, 'Live', madeUpId('Live'), store);
    expect(deleted?.Status).toBe('SUCCESS');
    expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([response?.PhysicalResourceId]);
  });

  it('never deletes another source in the store when replaying a failed Create', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    // The store's source belongs to another stack (one of this stack would be a rename).
    const event = await stack.event({
      RequestType: 'Create',
      LogicalResourceId: 'Other',
      ResourceProperties: propertiesFor(store),
    });
    await stack.lambda.invoke({ ...event, StackId: `${stack.stackId}-other` });
    const other = { response: await stack.responseTo(event) };
    const failed = await stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'Second',
      ResourceProperties: propertiesFor(store),
    });
    expect(failed.response?.Status).toBe('FAILED');
    expect(failed.response?.Reason).toMatch(/holds only one/);
    const deleted = await deleteVia(
      stack.lambda,
      'Second',
      failed.response?.PhysicalResourceId as string,
      store,
    );
    expect(deleted?.Status).toBe('SUCCESS');
    expect(sourcesIn(store).map((s) => s.identitySourceId)).toEqual([
      other.response?.PhysicalResourceId,
    ]);
  });
});
