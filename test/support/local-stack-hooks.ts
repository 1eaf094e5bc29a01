/**
 * One local stack for an end-to-end test file: started before its tests, checked for leaked
 * ResponseURL signatures in every log line and closed after them.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../local/local-stack.js';
import { signatureLeaks } from './log-scan.js';

/**
 * @example
 * ```ts
 * let stack: LocalStack;
 * useLocalStack((started) => { stack = started; });
 * ```
 */
export function useLocalStack(
  started: (stack: LocalStack) => void,
  options?: LocalStackOptions,
): void {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startLocalStack(options);
    started(stack);
  });
  afterAll(async () => {
    if (stack !== undefined) expect(signatureLeaks(stack.logs)).toEqual([]);
    await stack?.close();
  });
}
