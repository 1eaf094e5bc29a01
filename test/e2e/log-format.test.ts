/**
 * Logs as Lambda keeps them with the template's LoggingConfig (LogFormat JSON; Lambda sets
 * `AWS_LAMBDA_LOG_FORMAT=JSON` and `AWS_LAMBDA_LOG_LEVEL`, as the local stack does): under AWS's
 * runtime interface client, every line the function writes is one JSON object. Powertools writes
 * its own JSON straight to stdout, so it is not wrapped a second time (no JSON inside a
 * `message`), and the client's own lines (an error a handler would throw) are JSON too.
 */
import { describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.js';
import { cognitoProperties } from '../fixtures/requests.js';
import { useLocalStack } from '../support/local-stack-hooks.js';

let stack: LocalStack;
useLocalStack((started) => {
  stack = started;
});

describe('log lines with LogFormat JSON', () => {
  it('are one JSON object each, Powertools lines not wrapped again, with the request id', async () => {
    const store = stack.verifiedPermissions.addPolicyStore();
    const created = await stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'Source',
      ResourceProperties: { ...cognitoProperties(), PolicyStoreId: store },
    });
    const failed = await stack.send({
      RequestType: 'Create',
      LogicalResourceId: 'Broken',
      ResourceProperties: { ...cognitoProperties(), PolicyStoreId: store, Bogus: 1 },
    });
    for (const exchange of [created, failed]) {
      const lines = exchange.invocation.logs;
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        expect(typeof parsed).toBe('object');
        // Powertools' own keys at the top level, not inside a message the runtime wrapped
        if (typeof parsed.message === 'string') {
          expect(parsed.message.trimStart().startsWith('{'), line).toBe(false);
        }
      }
      const powertools = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.service === 'verified-permissions-identity-source-provider');
      expect(powertools.length).toBeGreaterThan(0);
      for (const entry of powertools) {
        expect(entry).toMatchObject({ level: expect.any(String), message: expect.any(String) });
      }
    }
  });
});
