/**
 * THE ONE ADAPTER between the exploration and `src/`: everything the exploration knows of how
 * the provider is wired lives here. When `src/`'s dependencies change shape, only this file
 * changes.
 *
 * Today: `customResourceProvider(deps)` with the idempotency guard, the resource records and the
 * ownership records on the provider's table, the stack reader (`DescribeStacks` of the stack and
 * its root, `GetTemplate`) on the exploration's CloudFormation model, the response PUT, and
 * `sleep` for every wait (API retries, polls for a holder or a given-up request).
 */
import type { PutResponse } from '../../../src/cloudformation/outbound.js';
import { stackReader } from '../../../src/cloudformation/stack.js';
import { idempotencyGuard } from '../../../src/persistence/idempotency.js';
import { ownershipTable } from '../../../src/persistence/ownership-table.js';
import { resourceTable } from '../../../src/persistence/resource-table.js';
import { customResourceProvider } from '../../../src/provider.js';
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
  const stack = stackReader({
    log,
    describe: async (stackId) => {
      const d = await ports.describeStack(stackId);
      return {
        StackStatus: d.stackStatus,
        ...(d.stackStatusReason !== undefined && { StackStatusReason: d.stackStatusReason }),
        ...(d.rootId !== undefined && { RootId: d.rootId }),
      };
    },
    template: async (stackId) => {
      const { resources } = await ports.getTemplate(stackId);
      const declared = Object.fromEntries(
        Object.entries(resources).map(([id, r]) => [id, { Type: r.type }]),
      );
      return JSON.stringify({ Resources: declared });
    },
  });
  const put: PutResponse = async (url, body) => {
    const { statusCode } = await ports.putResponse(url.href, body);
    return { statusCode, body: '' };
  };
  const handle = customResourceProvider({
    clientFor: ports.verifiedPermissions,
    guard: idempotencyGuard({
      tableName: ports.tableName,
      log,
      client: ports.dynamodb,
      sleep: ports.sleep,
    }),
    records: resourceTable(table),
    ownership: ownershipTable(table),
    stack,
    log,
    defaultRegion: ports.functionRegion,
    allowedResponseHosts: [],
    put,
    sleep: ports.sleep,
  });
  return async (event, context) => {
    await handle(event, context);
  };
}
