/**
 * Whether a stack's current operation is a rollback, from CloudFormation `DescribeStacks` on
 * the request's own `StackId`, in the stack's region, with the function's own credentials.
 * `undefined` when the status cannot be read in the time given.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Log } from '../logger.js';
import { parseArn } from '../partitions.js';

/** Reads whether a stack is rolling back within `timeoutMs`; `undefined`: could not tell. */
export type StackRollingBack = (stackId: string, timeoutMs: number) => Promise<boolean | undefined>;

/**
 * @example
 * ```ts
 * const rollingBack = stackRollingBack({ log: logger });
 * await rollingBack(request.stackId, 5_000); // true while UPDATE_ROLLBACK_IN_PROGRESS
 * ```
 */
export function stackRollingBack(options: { readonly log: Log }): StackRollingBack {
  const clients = new Map<string, CloudFormationClient>();
  return async (stackId, timeoutMs) => {
    const region = parseArn(stackId)?.region;
    if (!region) return undefined;
    // Loaded on first use (a chunk of its own in the bundle): only the Delete of an adopted
    // source reads a stack's status.
    const { CloudFormationClient, DescribeStacksCommand } = await import(
      '@aws-sdk/client-cloudformation'
    );
    let client = clients.get(region);
    if (client === undefined) {
      client = new CloudFormationClient({ region, maxAttempts: 2 });
      clients.set(region, client);
    }
    try {
      const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackId }), {
        // AbortSignal.timeout takes whole milliseconds only (a fraction throws a RangeError).
        abortSignal: AbortSignal.timeout(Math.max(100, Math.floor(timeoutMs))),
      });
      const status = Stacks?.[0]?.StackStatus;
      options.log.info('Stack status', { stackStatus: status });
      return status === undefined ? undefined : status.includes('ROLLBACK');
    } catch (error) {
      options.log.warn('Could not read the stack status', { error: (error as Error).name });
      return undefined;
    }
  };
}
