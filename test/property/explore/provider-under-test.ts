/**
 * THE ONE ADAPTER between the exploration and `src/`: everything the exploration knows of how
 * the provider is wired lives here. When `src/`'s dependencies change shape, only this file
 * changes.
 *
 * Today: `customResourceProvider(deps)` with the idempotency guard, the create journal and the
 * ownership records on the provider's table, `stackRollingBack` from `DescribeStacks`, the
 * response PUT, and `sleep` for the waits of API retries and the journal's polling.
 */
import type { PutResponse } from '../../../src/cloudformation/outbound.js';
import type { StackRollingBack } from '../../../src/cloudformation/stack-status.js';
import { createJournalTable } from '../../../src/persistence/create-journal-table.js';
import { idempotencyGuard } from '../../../src/persistence/idempotency.js';
import { ownershipTable } from '../../../src/persistence/ownership-table.js';
import { customResourceProvider, type ProviderDependencies } from '../../../src/provider.js';
import { silentLog } from '../../fixtures/log.js';
import type { Invocation, InvocationPorts } from './ports.js';

/**
 * Builds one invocation of the provider on the given ports (a fresh provider per invocation:
 * the ports belong to that invocation alone).
 *
 * @example
 * ```ts
 * await makeInvocation(ports)(event, context);
 * ```
 */
export function makeInvocation(ports: InvocationPorts): Invocation {
  const log = silentLog();
  const table = { tableName: ports.tableName, client: ports.dynamodb };
  const stackRollingBack: StackRollingBack = async (stackId) => {
    try {
      const { stackStatus } = await ports.describeStack(stackId);
      return stackStatus.includes('ROLLBACK');
    } catch {
      return undefined;
    }
  };
  const put: PutResponse = async (url, body) => {
    const { statusCode } = await ports.putResponse(url.href, body);
    return { statusCode, body: '' };
  };
  const deps: ProviderDependencies & { readonly sleep: (ms: number) => Promise<void> } = {
    clientFor: ports.verifiedPermissions,
    guard: idempotencyGuard({ tableName: ports.tableName, log, client: ports.dynamodb }),
    journal: createJournalTable(table),
    ownership: ownershipTable(table),
    stackRollingBack,
    log,
    defaultRegion: ports.functionRegion,
    allowedResponseHosts: [],
    put,
    // Not in ProviderDependencies' type, but handed down to every API call and poll.
    sleep: ports.sleep,
  };
  const handle = customResourceProvider(deps);
  return async (event, context) => {
    await handle(event, context);
  };
}
