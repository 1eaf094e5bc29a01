/**
 * Duplicate deliveries: CloudFormation and Lambda's async retries may deliver one request
 * several times, also at once to several execution environments. Across processes sharing
 * one DynamoDB table: one CreateIdentitySource per request at the service, and every
 * response PUT carries the same body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaProcess, startLambdaProcess } from '../../local/lambda-process.js';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';
import { type ResponseRecorder, startResponseRecorder } from '../support/response-recorder.js';

const PROCESSES = 4;
let stack: LocalStack;
let lambdas: LambdaProcess[];
let recorder: ResponseRecorder;

beforeAll(async () => {
  stack = await startLocalStack();
  recorder = await startResponseRecorder();
  lambdas = [stack.lambda];
  for (let i = 1; i < PROCESSES; i++)
    lambdas.push(await startLambdaProcess({ env: { ...stack.env } }));
});
afterAll(async () => {
  expect(signatureLeaks(stack.logs)).toEqual([]);
  await Promise.all(lambdas.slice(1).map((l) => l.close()));
  await recorder?.close();
  await stack?.close();
});

async function createEvent(logicalId: string) {
  const store = stack.verifiedPermissions.addPolicyStore();
  const event = await stack.event({
    RequestType: 'Create',
    LogicalResourceId: logicalId,
    ResourceProperties: { ...cognitoProperties(), PolicyStoreId: store },
  });
  const delivered: Record<string, unknown> = {
    ...event,
    ResponseURL: recorder.url(`/${logicalId}?X-Amz-Signature=dup`),
  };
  return { store, event: delivered };
}

const createsWith = (token: unknown) =>
  stack.verifiedPermissions.requests.filter(
    (r) =>
      r.operation === 'CreateIdentitySource' &&
      (r.body as { clientToken?: unknown }).clientToken === token,
  );
const putsTo = (logicalId: string) =>
  recorder.requests.filter((r) => r.path.startsWith(`/${logicalId}?`));

describe('duplicate deliveries', () => {
  it('50 sequential deliveries: one Create, 50 identical answers', async () => {
    const { store, event } = await createEvent('Sequential');
    for (let i = 0; i < 50; i++) await lambdas[i % PROCESSES]!.invoke(event);
    expect(createsWith(event.RequestId)).toHaveLength(1);
    const bodies = putsTo('Sequential').map((r) => r.body);
    expect(bodies).toHaveLength(50);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ Status: 'SUCCESS' });
    expect(
      stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store),
    ).toHaveLength(1);
  });

  it('50 concurrent deliveries across processes: one Create, no FAILED, identical answers', async () => {
    const { store, event } = await createEvent('Concurrent');
    stack.verifiedPermissions.delayNext('CreateIdentitySource', 300);
    const rounds = Array.from({ length: PROCESSES }, (_, p) =>
      (async () => {
        for (let i = 0; i < 50 / PROCESSES + 1 && p + i * PROCESSES < 50; i++) {
          await lambdas[p]!.invoke(event);
        }
      })(),
    );
    await Promise.all(rounds);
    expect(createsWith(event.RequestId)).toHaveLength(1);
    const bodies = putsTo('Concurrent').map((r) => r.body);
    // duplicates that met the first still running answer nothing; all others re-send the outcome
    expect(bodies.length).toBeGreaterThan(0);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ Status: 'SUCCESS' });
    expect(
      stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store),
    ).toHaveLength(1);
  });
});
