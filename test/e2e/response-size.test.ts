/**
 * A response that always keeps what stacks need (issue 11, part 5). The API allows 1 000 client
 * ids of up to 255 characters; `Details.ClientIds` then makes the body far larger than the
 * 4096 bytes CloudFormation accepts. It is the one attribute dropped (and the log says so):
 * `IdentitySourceId` — what `!GetAtt X.IdentitySourceId` reads — and the short `Details.*` stay.
 */
import { describe, expect, it } from 'vitest';
import type { Exchange, LocalStack } from '../../local/local-stack.js';
import { cloudFormationResponseKey } from '../../local/response-bucket.js';
import { cognitoProperties, USER_POOL_ARN } from '../fixtures/requests.js';
import { useLocalStack } from '../support/local-stack-hooks.js';

let stack: LocalStack;
useLocalStack((started) => {
  stack = started;
});

/** The API's limits: at most 1 000 client ids, each at most 255 characters. */
const CLIENT_IDS = Array.from({ length: 1000 }, (_, i) => `client-${i}-`.padEnd(255, 'x'));
const manyClientIds = (store: string, overrides: Record<string, unknown> = {}) =>
  cognitoProperties({
    PolicyStoreId: store,
    Configuration: {
      CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, ClientIds: CLIENT_IDS },
    },
    ...overrides,
  });

const sourcesIn = (store: string) =>
  stack.verifiedPermissions.identitySources().filter((s) => s.policyStoreId === store);

/** The body as stored in the bucket, and the function's log line about shortening it. */
async function answerOf(exchange: Exchange) {
  const stored = await stack.bucket.readResponse(
    cloudFormationResponseKey(
      exchange.event as { StackId: string; LogicalResourceId: string; RequestId: string },
    ),
  );
  const shortened = exchange.invocation.logs
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((line) => line.message === 'Response shortened to fit 4096 bytes');
  return { bytes: Buffer.byteLength(stored?.text ?? ''), shortened };
}

function expectWhatStacksNeed(exchange: Exchange, identitySourceId: string) {
  expect(exchange.response?.Status).toBe('SUCCESS');
  expect(exchange.response?.Data).toEqual({
    IdentitySourceId: identitySourceId,
    'Details.UserPoolArn': USER_POOL_ARN,
    'Details.DiscoveryUrl': 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
    'Details.OpenIdIssuer': 'COGNITO',
  });
  expect(exchange.response?.Reason).toBeUndefined();
}

describe('a Cognito source with 1 000 client ids of 255 characters', () => {
  it('Create and Update answer with IdentitySourceId and the short Details, within 4096 bytes', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const created = await stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'ManyClients',
      ResourceProperties: manyClientIds(store),
    });
    const identitySourceId = String(created.response?.PhysicalResourceId);
    expectWhatStacksNeed(created, identitySourceId);
    // the service got every client id; only the answer leaves them out
    const [source] = sourcesIn(store);
    expect(source?.identitySourceId).toBe(identitySourceId);
    expect(source?.configuration.cognitoUserPoolConfiguration?.clientIds).toEqual(CLIENT_IDS);
    const answer = await answerOf(created);
    expect(answer.bytes).toBeLessThanOrEqual(4096);
    expect(answer.shortened).toMatchObject({
      level: 'WARN',
      shortened: 'nothing',
      droppedData: ['Details.ClientIds'],
      RequestId: created.event.RequestId,
    });

    const updated = await stack.send({
      RequestType: 'Update',
      LogicalResourceId: 'ManyClients',
      PhysicalResourceId: identitySourceId,
      ResourceProperties: manyClientIds(store, { PrincipalEntityType: 'MyApp::Member' }),
      OldResourceProperties: manyClientIds(store),
    });
    expect(updated.apiCalls.map((c) => c.operation)).toEqual(['UpdateIdentitySource']);
    expectWhatStacksNeed(updated, identitySourceId);
    expect((await answerOf(updated)).bytes).toBeLessThanOrEqual(4096);
    expect((await answerOf(updated)).shortened?.droppedData).toEqual(['Details.ClientIds']);

    const deleted = await stack.send({
      RequestType: 'Delete',
      LogicalResourceId: 'ManyClients',
      PhysicalResourceId: identitySourceId,
      ResourceProperties: manyClientIds(store),
    });
    expect(deleted.response?.Status).toBe('SUCCESS');
    expect(sourcesIn(store)).toEqual([]);
  });

  it('keeps Details.ClientIds when they fit', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const few = CLIENT_IDS.slice(0, 3);
    const created = await stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'FewClients',
      ResourceProperties: cognitoProperties({
        PolicyStoreId: store,
        Configuration: {
          CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, ClientIds: few },
        },
      }),
    });
    expect(created.response?.Data?.['Details.ClientIds']).toEqual(few);
    expect((await answerOf(created)).shortened).toBeUndefined();
  });
});
