/**
 * The drift check over every identity source the provider manages: the table read page by
 * page, a bounded number of sources checked at once (each by `source-check.ts`), a time budget
 * that the check stays within, and the counts it returns.
 *
 * A source is started only while the budget leaves it {@link MIN_SOURCE_TIME_MS}; each one's
 * calls end by its own budget ({@link SOURCE_BUDGET_MS}, or the check's end if sooner), so a
 * throttled or hanging source costs one slot for a bounded time and then counts as `Failed`.
 * Sources the budget did not reach are named in the result (`Unreached`, `UnreachedResources`),
 * and `TableNotFullyRead` says that pages of the table were never read.
 */
import type { Log } from '../logger.js';
import type { ManagedSourcePages, ManagedSourceRecord } from '../persistence/managed-sources.js';
import { checkSource, type SourceCheckDependencies, type SourceOutcome } from './source-check.js';

/** Sources checked at once by default: a few reads in flight per second of each one's latency. */
export const DEFAULT_CONCURRENCY = 8;
/** The most one source may take (its retries included) before it counts as `Failed`. */
export const SOURCE_BUDGET_MS = 20_000;
/** A source is not started with less time than this left. */
export const MIN_SOURCE_TIME_MS = 2_000;

/** The handler's result. `Checked` = `InSync` + `Modified` + `Deleted` + `Failed`. */
export interface DriftCheckResult {
  Checked: number;
  InSync: number;
  Modified: number;
  Deleted: number;
  /** Modified sources updated back to the properties last applied. */
  Repaired: number;
  /** Sources that could not be read (role, access, throttling past the budget, a bad record). */
  Failed: number;
  /** Present when the time budget ran out: sources read from the table but not checked. */
  Unreached?: number;
  /** Present with `Unreached`: which resources those are. */
  UnreachedResources?: { StackId: string; LogicalResourceId: string }[];
  /** Present when the time budget ran out before the whole table was read. */
  TableNotFullyRead?: true;
  /** Present when drift events could not be put on the bus (each is logged). */
  EventsNotPublished?: number;
}

export interface DriftCheckDependencies extends SourceCheckDependencies {
  readonly pages: ManagedSourcePages;
  /** Epoch ms by which the check must be done. */
  readonly workEndsAt: number;
  /** Default {@link DEFAULT_CONCURRENCY}. */
  readonly concurrency?: number;
  /** Default {@link SOURCE_BUDGET_MS}. */
  readonly sourceBudgetMs?: number;
  readonly log: Log;
}

/**
 * @example
 * ```ts
 * const result = await checkDrift({ pages: managedSources(table), clientsFor, publish, log, repair: false,
 *   workEndsAt: Date.now() + context.getRemainingTimeInMillis() - 5_000 });
 * // { Checked: 3, InSync: 1, Modified: 1, Deleted: 1, Repaired: 0, Failed: 0 }
 * ```
 */
export async function checkDrift(deps: DriftCheckDependencies): Promise<DriftCheckResult> {
  const result: DriftCheckResult = {
    Checked: 0,
    InSync: 0,
    Modified: 0,
    Deleted: 0,
    Repaired: 0,
    Failed: 0,
  };
  let eventsNotPublished = 0;
  const sourceBudget = deps.sourceBudgetMs ?? SOURCE_BUDGET_MS;
  const timeLeft = () => deps.workEndsAt - Date.now();
  const queue = recordQueue(deps.pages, timeLeft);

  const count = (outcome: SourceOutcome) => {
    result.Checked++;
    switch (outcome.status) {
      case 'IN_SYNC':
        result.InSync++;
        break;
      case 'MODIFIED':
        result.Modified++;
        if (outcome.repaired) result.Repaired++;
        if (!outcome.published) eventsNotPublished++;
        break;
      case 'DELETED':
        result.Deleted++;
        if (!outcome.published) eventsNotPublished++;
        break;
      case 'FAILED':
        result.Failed++;
        break;
    }
  };

  const worker = async () => {
    while (timeLeft() >= MIN_SOURCE_TIME_MS) {
      const record = await queue.next();
      if (record === undefined) return;
      const endsAt = Math.min(deps.workEndsAt, Date.now() + sourceBudget);
      count(await checkSource(record, endsAt, deps));
    }
  };
  const concurrency = Math.max(1, Math.floor(deps.concurrency ?? DEFAULT_CONCURRENCY));
  await Promise.all(Array.from({ length: concurrency }, worker));

  const unreached = queue.left();
  if (unreached.length > 0) {
    result.Unreached = unreached.length;
    result.UnreachedResources = unreached.map((r) => ({
      StackId: r.ok ? r.source.stackId : r.stackId,
      LogicalResourceId: r.ok ? r.source.logicalResourceId : r.logicalResourceId,
    }));
  }
  if (!queue.exhausted()) result.TableNotFullyRead = true;
  if (eventsNotPublished > 0) result.EventsNotPublished = eventsNotPublished;
  if (unreached.length > 0 || !queue.exhausted()) {
    deps.log.warn('Drift check ran out of time before it reached every identity source', {
      unreached: unreached.length,
      tableNotFullyRead: !queue.exhausted(),
    });
  }
  deps.log.info('Drift check done', { ...result, UnreachedResources: undefined });
  return result;
}

/**
 * The table's records, one at a time to many workers: a page is read when the previous one is
 * used up (one Scan at a time), and none once the budget is spent.
 */
function recordQueue(pages: ManagedSourcePages, timeLeft: () => number) {
  const iterator = pages()[Symbol.asyncIterator]();
  const buffer: ManagedSourceRecord[] = [];
  let done = false;
  let reading: Promise<void> | undefined;
  const readPage = async () => {
    const page = await iterator.next();
    if (page.done || page.value.last) done = true;
    if (!page.done) buffer.push(...page.value.records);
  };
  return {
    async next(): Promise<ManagedSourceRecord | undefined> {
      while (buffer.length === 0 && !done) {
        if (timeLeft() < MIN_SOURCE_TIME_MS) return undefined;
        reading ??= readPage().finally(() => {
          reading = undefined;
        });
        await reading;
      }
      return buffer.shift();
    },
    left: (): readonly ManagedSourceRecord[] => buffer,
    exhausted: () => done,
  };
}
