/**
 * One managed identity source checked: read with `GetIdentitySource` in its region (with its
 * role), compared with the properties last applied, repaired on request, and, when it drifted,
 * reported as one event and one log line. Never throws: whatever goes wrong is the source's
 * outcome (`failed`), so that one source cannot stop the others.
 */
import type { GetIdentitySourceOutput } from '@aws-sdk/client-verifiedpermissions';
import type { Sleep } from '../backoff.js';
import { type Difference, driftOf, repairInput } from '../identity-source/drift.js';
import { parseProperties } from '../identity-source/properties.js';
import { type Clients, getSource, updateSource } from '../identity-source/service.js';
import type { Log } from '../logger.js';
import type { ManagedSourceRecord } from '../persistence/managed-sources.js';
import type { DriftDetail, PublishDrift } from './events.js';

/** What became of one source. */
export type SourceOutcome =
  | { readonly status: 'IN_SYNC' }
  | {
      readonly status: 'MODIFIED';
      readonly differences: readonly Difference[];
      readonly repaired: boolean;
      readonly published: boolean;
    }
  | { readonly status: 'DELETED'; readonly published: boolean }
  | { readonly status: 'FAILED'; readonly reason: string };

export interface SourceCheckDependencies {
  /** Clients for each source's region and role (a role assumed once for the whole check). */
  readonly clients: Clients;
  readonly publish: PublishDrift;
  readonly log: Log;
  /** Update a modified source back to the properties last applied. */
  readonly repair: boolean;
  readonly sleep?: Sleep;
}

/**
 * @example
 * ```ts
 * const outcome = await checkSource(record, Date.now() + 20_000, deps);
 * if (outcome.status === 'MODIFIED') console.log(outcome.differences);
 * ```
 */
export async function checkSource(
  record: ManagedSourceRecord,
  workEndsAt: number,
  deps: SourceCheckDependencies,
): Promise<SourceOutcome> {
  const resource = {
    StackId: record.ok ? record.source.stackId : record.stackId,
    LogicalResourceId: record.ok ? record.source.logicalResourceId : record.logicalResourceId,
  };
  const failed = (reason: string, error?: unknown): SourceOutcome => {
    deps.log.error('Drift check could not check an identity source', {
      ...resource,
      reason,
      ...(error !== undefined && { error }),
    });
    return { status: 'FAILED', reason };
  };
  if (!record.ok) return failed(`its record cannot be used: ${record.problem}`);
  const { source } = record;
  const parsed = parseProperties(source.properties as Record<string, unknown>);
  if (!parsed.ok) {
    return failed(
      `its properties last applied are not valid: ${parsed.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    );
  }
  const calls = {
    clients: deps.clients,
    workEndsAt,
    log: deps.log,
    ...(deps.sleep && { sleep: deps.sleep }),
  };
  const detailOf = (
    status: DriftDetail['Status'],
    differences: readonly Difference[],
    repaired: boolean,
  ): DriftDetail => ({
    ...resource,
    IdentitySourceId: source.identitySourceId,
    PolicyStoreId: source.policyStoreId,
    Region: source.region,
    Status: status,
    Differences: differences,
    Repaired: repaired,
  });

  let actual: GetIdentitySourceOutput | undefined;
  try {
    actual = await getSource(source, source, calls);
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
  if (actual === undefined) {
    const detail = detailOf('DELETED', [], false);
    deps.log.warn('Identity source drifted: deleted', { ...detail });
    return { status: 'DELETED', published: await published(detail, deps) };
  }
  const differences = driftOf(parsed.properties, actual);
  if (differences.length === 0) return { status: 'IN_SYNC' };

  let repaired = false;
  if (deps.repair) {
    try {
      await updateSource(source, repairInput(parsed.properties, source), calls);
      repaired = true;
    } catch (error) {
      deps.log.error('Drift repair failed: the identity source stays modified', {
        ...resource,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const detail = detailOf('MODIFIED', differences, repaired);
  deps.log.warn('Identity source drifted: modified', { ...detail });
  return { status: 'MODIFIED', differences, repaired, published: await published(detail, deps) };
}

/** Puts the event; a refusal is logged, not thrown (the source was checked). */
async function published(detail: DriftDetail, deps: SourceCheckDependencies): Promise<boolean> {
  try {
    await deps.publish(detail);
    return true;
  } catch (error) {
    deps.log.error('Drift event could not be published', {
      StackId: detail.StackId,
      LogicalResourceId: detail.LogicalResourceId,
      reason: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
}
