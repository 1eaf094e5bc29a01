/**
 * The fault matrix: each cell is a fault at one of the provider's dependencies. Every cell
 * must end in a correct SUCCESS or a clear FAILED, answered once, before the function's own
 * timeout — never a lost response, never a stack left waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exchange, type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { signatureLeaks } from '../support/log-scan.js';
import { type RecorderReply, startResponseRecorder } from '../support/response-recorder.js';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  expect(signatureLeaks(stack.logs)).toEqual([]);
  expect(stack.logs.length).toBeGreaterThan(0);
  await stack?.close();
});

interface Cell {
  readonly name: string;
  /** Sets up the fault; returns the policy store to use. */
  readonly arrange: (s: LocalStack) => string | Promise<string>;
  readonly timeoutMs?: number;
  /** Scripted answers of the ResponseURL (default: the S3 bucket answers). */
  readonly responseReplies?: RecorderReply[];
  readonly expectStatus: 'SUCCESS' | 'FAILED' | 'no response';
  readonly expectReason?: RegExp;
  readonly after?: (s: LocalStack, exchange: Exchange & { puts: number }, store: string) => void;
}

const store = (s: LocalStack) => s.verifiedPermissions.addPolicyStore();
const creates = (exchange: Exchange) =>
  exchange.apiCalls.filter((c) => c.operation === 'CreateIdentitySource');

const cells: Cell[] = [
  {
    name: 'a ThrottlingException storm (5 in a row)',
    arrange: (s) => {
      s.verifiedPermissions.failNext('CreateIdentitySource', {
        errorType: 'ThrottlingException',
        times: 5,
      });
      return store(s);
    },
    expectStatus: 'SUCCESS',
    after: (_s, exchange) => expect(creates(exchange)).toHaveLength(6),
  },
  {
    name: '500s from the service (3 in a row)',
    arrange: (s) => {
      s.verifiedPermissions.failNext('CreateIdentitySource', {
        errorType: 'InternalServerException',
        status: 500,
        times: 3,
      });
      return store(s);
    },
    expectStatus: 'SUCCESS',
    after: (_s, exchange) => expect(creates(exchange)).toHaveLength(4),
  },
  {
    name: 'an endpoint that hangs past the deadline',
    arrange: (s) => {
      s.verifiedPermissions.hangNext('CreateIdentitySource', 1);
      return store(s);
    },
    timeoutMs: 3_000,
    expectStatus: 'FAILED',
    expectReason: /^timed out waiting for CreateIdentitySource/,
  },
  {
    name: 'a policy store not yet visible for 10 s',
    arrange: (s) => s.verifiedPermissions.addPolicyStore(undefined, { visibleAfterMs: 10_000 }),
    timeoutMs: 30_000,
    expectStatus: 'SUCCESS',
  },
  {
    name: 'a deadline shorter than the work (store visible only after 10 s, 3 s budget)',
    arrange: (s) => s.verifiedPermissions.addPolicyStore(undefined, { visibleAfterMs: 10_000 }),
    timeoutMs: 3_000,
    expectStatus: 'FAILED',
    expectReason: /(gave up on|timed out waiting for) CreateIdentitySource/,
  },
  {
    name: 'the response PUT answered 503, then reset, then accepted',
    arrange: store,
    responseReplies: [{ status: 503 }, { reset: true }],
    expectStatus: 'SUCCESS',
    after: (_s, exchange) => expect(exchange.puts).toBe(3),
  },
  {
    name: 'the response PUT answered 403 (expired URL): not retried',
    arrange: store,
    responseReplies: [{ status: 403, body: '<Error><Code>AccessDenied</Code></Error>' }],
    expectStatus: 'no response',
    after: (_s, exchange) => {
      expect(exchange.puts).toBe(1);
      expect(exchange.invocation.logs.join('\n')).toContain('Response not delivered');
    },
  },
  {
    name: 'DynamoDB down',
    arrange: (s) => {
      s.dynamo?.setDown(true);
      return store(s);
    },
    expectStatus: 'SUCCESS',
    after: (s, exchange) => {
      s.dynamo?.setDown(false);
      expect(exchange.invocation.logs.join('\n')).toContain('Idempotency table unreachable');
    },
  },
  {
    name: 'DynamoDB slow (1 s per request)',
    arrange: (s) => {
      s.dynamo?.setDelay(1_000);
      return store(s);
    },
    expectStatus: 'SUCCESS',
    after: (s) => s.dynamo?.setDelay(0),
  },
];

describe('fault matrix', () => {
  for (const cell of cells) {
    it(cell.name, async () => {
      const policyStoreId = await cell.arrange(stack);
      const recorder = cell.responseReplies
        ? await startResponseRecorder({ script: cell.responseReplies })
        : undefined;
      try {
        const exchange = await stack.send(
          {
            RequestType: 'Create',
            LogicalResourceId: 'Cell',
            ResourceProperties: { ...cognitoProperties(), PolicyStoreId: policyStoreId },
          },
          {
            ...(cell.timeoutMs !== undefined && { timeoutMs: cell.timeoutMs }),
            ...(recorder !== undefined && {
              responseUrl: recorder.url('/cell?X-Amz-Signature=matrix'),
            }),
          },
        );
        const delivered = recorder
          ? recorder.requests.filter((r) => r.reply === 200).map((r) => r.json)
          : [exchange.response].filter(Boolean);
        const response = delivered[0] as { Status?: string; Reason?: string } | undefined;
        expect(exchange.invocation.timedOut, 'answered before the function timed out').toBe(false);
        expect(delivered.length).toBeLessThanOrEqual(1);
        if (cell.expectStatus === 'no response') expect(response).toBeUndefined();
        else expect(response?.Status, response?.Reason).toBe(cell.expectStatus);
        if (cell.expectReason) expect(response?.Reason).toMatch(cell.expectReason);
        expect(exchange.invocation.logs.join('\n')).not.toMatch(/X-Amz-Signature/);
        cell.after?.(stack, { ...exchange, puts: recorder?.requests.length ?? 0 }, policyStoreId);
      } finally {
        await recorder?.close();
      }
    });
  }
});
