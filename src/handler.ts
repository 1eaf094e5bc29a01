/**
 * The Lambda entry point (`handler.handler`): wires the provider's parts together from the
 * environment. No decisions of its own.
 */
import { allowedHostsFromEnv } from './cloudformation/response-url.js';
import { stackReader } from './cloudformation/stack.js';
import { ownClients } from './identity-source/service.js';
import type { InvocationContext } from './lambda-context.js';
import { logger } from './logger.js';
import { idempotencyGuard } from './persistence/idempotency.js';
import { ownershipTable } from './persistence/ownership-table.js';
import { resourceTable } from './persistence/resource-table.js';
import { tableClient } from './persistence/table-client.js';
import { customResourceProvider } from './provider.js';

const tableName = process.env.IDEMPOTENCY_TABLE_NAME || undefined;
/** The table holds idempotency records, resource records and ownership; without it, none. */
const table = tableName === undefined ? undefined : { tableName, client: tableClient() };

const handle = customResourceProvider({
  clientFor: ownClients(),
  guard: idempotencyGuard({ tableName, log: logger, ...(table && { client: table.client }) }),
  ...(table && { records: resourceTable(table), ownership: ownershipTable(table) }),
  stack: stackReader({ log: logger }),
  log: logger,
  defaultRegion: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  allowedResponseHosts: allowedHostsFromEnv(process.env.RESPONSE_URL_ALLOWED_HOSTS),
});

/**
 * Handles one CloudFormation custom-resource request; the answer goes to its ResponseURL.
 */
export const handler = async (event: unknown, context: InvocationContext): Promise<void> => {
  if (typeof (context as { functionName?: unknown })?.functionName === 'string') {
    logger.addContext(context as Parameters<typeof logger.addContext>[0]);
  }
  await handle(event, context);
};
