/**
 * Two Creates that want the one source of a store at the same time, in two Lambda-like
 * processes sharing one DynamoDB table: exactly one takes it over, the other answers FAILED.
 * DynamoDB is made slow for the race, so both read the store's ownership record before
 * either writes it — which the test checks in dynalite's records — and only the conditional
 * write decides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaProcess, startLambdaProcess } from '../../local/lambda-process.js';
import {
  type CloudFormationResponse,
  type LocalStack,
  startLocalStack,
} from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';

/** How late each DynamoDB request arrives during a race: longer than the processes' skew. */
const DYNAMODB_DELAY_MS = 300;

let stack: LocalStack;
let lambdas: [LambdaProcess, LambdaProcess];
beforeAll(async () => {
  stack = await startLocalStack({ withCloudFormation: true });
  lambdas = [stack.lambda, await startLambdaProcess({ env: { ...stack.env } })];
  // warm both, so that neither starts the race with a cold start
  for (const lambda of lambdas) {
    const warmUp = await stack.event({
      RequestType: 'Delete',
      LogicalResourceId: 'RaceWarmUp',
      PhysicalResourceId: 'NotCreated:warm-up',
      ResourceProperties: cognitoProperties(),
    });
    await lambda.invoke(warmUp);
  }
});
afterAll(async () => {
  expect(signatureLeaks(stack.logs)).toEqual([]);
  await lambdas?.[1].close();
  await stack?.close();
});

const sourcesIn = (store: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store);

/** Two Creates of the store's source at once, one per process; their responses. */
async function race(
  store: string,
  contenders: readonly [string, string],
  extra: Record<string, unknown> = {},
): Promise<{ responses: CloudFormationResponse[]; ownershipOps: string[]; updates: number }> {
  const events = await Promise.all(
    contenders.map((logicalId) =>
      stack.event({
        RequestType: 'Create',
        LogicalResourceId: logicalId,
        ResourceProperties: cognitoProperties({
          PolicyStoreId: store,
          PrincipalEntityType: `Race::${logicalId}`,
          ...extra,
        }),
      }),
    ),
  );
  const dynamo = stack.dynamo!;
  const before = { dynamo: dynamo.requests.length, vp: stack.verifiedPermissions.requests.length };
  dynamo.setDelay(DYNAMODB_DELAY_MS);
  try {
    await Promise.all(events.map((event, i) => lambdas[i]!.invoke(event)));
  } finally {
    dynamo.setDelay(0);
  }
  const responses = await Promise.all(events.map((event) => stack.responseTo(event)));
  const ownershipOps = dynamo.requests
    .slice(before.dynamo)
    .filter((r) => r.itemId?.startsWith('ownership#') && r.itemId.endsWith(`#${store}`))
    .map((r) => r.operation ?? '?');
  const updates = stack.verifiedPermissions.requests
    .slice(before.vp)
    .filter((r) => r.operation === 'UpdateIdentitySource').length;
  return { responses: responses as CloudFormationResponse[], ownershipOps, updates };
}

/** Exactly one SUCCESS, whose properties the source now has; the other FAILED, saying why. */
function expectOneWinner(
  store: string,
  { responses, ownershipOps, updates }: Awaited<ReturnType<typeof race>>,
) {
  // both read the record before either wrote it: a real race
  expect(ownershipOps.slice(0, 2)).toEqual(['GetItem', 'GetItem']);
  expect(responses.map((r) => r?.Status).sort()).toEqual(['FAILED', 'SUCCESS']);
  const winner = responses.find((r) => r.Status === 'SUCCESS')!;
  const loser = responses.find((r) => r.Status === 'FAILED')!;
  expect(loser.Reason).toContain('at the same time');
  expect(updates).toBe(1);
  expect(sourcesIn(store)).toEqual([
    expect.objectContaining({
      identitySourceId: winner.PhysicalResourceId,
      principalEntityType: `Race::${winner.LogicalResourceId}`,
    }),
  ]);
}

describe('concurrent takeovers of one source', () => {
  it('two renamed resources of the stack: exactly one takes it over', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const old = await stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'RaceOriginal',
      ResourceProperties: cognitoProperties({ PolicyStoreId: store }),
    });
    expect(old.response?.Status, old.response?.Reason).toBe('SUCCESS');
    expectOneWinner(store, await race(store, ['RaceRenameA', 'RaceRenameB']));
  });

  it('two adoptions of another stack’s source: exactly one takes it over', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const theirs = await stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'RaceTheirs',
      StackId: stack.stackId.replace('/local-stack/', '/other-stack/'),
      ResourceProperties: cognitoProperties({ PolicyStoreId: store }),
    });
    expect(theirs.response?.Status, theirs.response?.Reason).toBe('SUCCESS');
    const result = await race(store, ['RaceAdoptA', 'RaceAdoptB'], { AdoptExisting: 'true' });
    expectOneWinner(store, result);
  });
});
