/**
 * The drift check's Lambda entry point (`drift.handler`, bundled to `dist/drift.mjs`): wires
 * the check's parts together from the environment. No decisions of its own.
 *
 * Environment: `IDEMPOTENCY_TABLE_NAME` (the provider's table, whose resource records name the
 * sources), `DRIFT_EVENT_BUS_NAME` (default `default`), `DRIFT_REPAIR` (`true`: update modified
 * sources back), and the SDK's own settings.
 */
import { randomUUID } from 'node:crypto';
import { checkDrift, type DriftCheckResult } from './drift/check.js';
import { eventBridgePublisher } from './drift/events.js';
import { invocationClients, ownClients, sessionNameFor } from './identity-source/service.js';
import type { InvocationContext } from './lambda-context.js';
import { logger } from './logger.js';
import { managedSources } from './persistence/managed-sources.js';
import { tableClient } from './persistence/table-client.js';

/** Time kept back from the function's timeout for the result and the last log lines. */
const RESERVE_MS = 3_000;

const tableName = process.env.IDEMPOTENCY_TABLE_NAME || undefined;
const pages =
  tableName === undefined ? undefined : managedSources({ tableName, client: tableClient() });
const publish = eventBridgePublisher({ busName: process.env.DRIFT_EVENT_BUS_NAME || 'default' });
const own = ownClients();
const repair = process.env.DRIFT_REPAIR === 'true';

/**
 * Checks every identity source the provider manages; any event (a schedule's, or none).
 *
 * @example
 * ```ts
 * await handler({}, context); // { Checked: 2, InSync: 1, Modified: 1, Deleted: 0, Repaired: 0, Failed: 0 }
 * ```
 */
export const handler = async (
  _event: unknown,
  context: InvocationContext,
): Promise<DriftCheckResult> => {
  if (typeof (context as { functionName?: unknown })?.functionName === 'string') {
    logger.addContext(context as Parameters<typeof logger.addContext>[0]);
  }
  if (pages === undefined) {
    throw new Error('IDEMPOTENCY_TABLE_NAME is not set: the drift check reads its sources there');
  }
  const workEndsAt = Date.now() + context.getRemainingTimeInMillis() - RESERVE_MS;
  const sessionName = sessionNameFor('DriftCheck', context.awsRequestId ?? randomUUID());
  // One client cache for the whole check: a role is assumed once per region.
  const clients = invocationClients({ own, sessionName, deps: { workEndsAt, log: logger } });
  return checkDrift({ pages, clients, publish, log: logger, repair, workEndsAt });
};
