/**
 * The create journal's part in applying a plan: a Create recorded before its call and settled
 * after its answer, and a Delete that lacks the id finding — and removing — what an unanswered
 * Create of its resource made. Journal trouble never fails a request: it is logged and the
 * work goes on without it.
 */
import { sleep as realSleep } from '../backoff.js';
import type { Log } from '../logger.js';
import type {
  CreateJournal,
  CreateResult,
  JournalEntry,
  ResourceKey,
} from '../persistence/create-journal.js';
import { CreateGivenUpError, ResourceError } from './errors.js';
import type { OwnershipDependencies } from './ownership-key.js';
import type { Plan } from './plan.js';
import { type Release, release, releaseUnconfirmed } from './release.js';
import { makeSource } from './takeover.js';

export interface JournalDependencies extends OwnershipDependencies {
  /** Where Creates are recorded so a Delete that lacks the id can find them; optional. */
  readonly journal?: CreateJournal;
}

type CreatePlan = Extract<Plan, { action: 'create' }>;

/** What a sweep did. */
export type SweepResult = Release;

/** Time after a Create's work deadline for its answer and journal settlement (reserve ≤ 8 s). */
const CREATE_SETTLE_MARGIN_MS = 10_000;
/** How often a Delete looks whether a cancelled Create has finished. */
const POLL_MS = 500;

/**
 * A Create recorded in the journal: begun before the call; a failure is settled at once, a
 * success by {@link settleCreated} once its answer was sent (one write for both).
 */
export async function journaledCreate(
  plan: CreatePlan,
  deps: JournalDependencies,
): Promise<string> {
  const { journal, log } = deps;
  const key = plan.resource;
  const { requestId, region, input, issuedAt } = plan;
  if (journal === undefined) return makeSource(plan, deps);
  // The Create's answer and settlement follow its API call within the response reserve.
  const endsBy = deps.workEndsAt + CREATE_SETTLE_MARGIN_MS;
  const entry = { requestId, region, input, endsBy, ...(issuedAt !== undefined && { issuedAt }) };
  const begun = await bestEffort(log, 'begin', () => journal.begin(key, entry), 'begun');
  if (begun === 'given-up') {
    log.warn('CloudFormation gave up on this Create before it began: making nothing', {
      issuedAt: issuedAt === undefined ? undefined : new Date(issuedAt).toISOString(),
    });
    throw new CreateGivenUpError();
  }
  try {
    return await makeSource(plan, deps);
  } catch (error) {
    const mayHaveTakenEffect = !(error instanceof ResourceError) || error.mayHaveTakenEffect;
    const failed: CreateResult = { failed: true, mayHaveTakenEffect };
    const verdict = await bestEffort(
      log,
      'settle',
      () => journal.settle(key, requestId, failed),
      'recorded',
    );
    if (verdict === 'cancelled') {
      const how = mayHaveTakenEffect ? 'finished' : 'cleaned';
      await bestEffort(log, 'close', () => journal.closeCancelled(key, requestId, how), undefined);
    }
    throw error;
  }
}

/**
 * Settles a successful Create after its SUCCESS was sent: `answered` marks the source live.
 * When a Delete cancelled the Create meanwhile — CloudFormation gave up on it, so the
 * SUCCESS is ignored — the source it made is removed again, leaving nothing behind.
 *
 * @example
 * ```ts
 * await settleCreated(plan, outcome.physicalResourceId, delivery.delivered, deps);
 * ```
 */
export async function settleCreated(
  plan: CreatePlan,
  identitySourceId: string,
  answered: boolean,
  deps: JournalDependencies,
): Promise<'recorded' | 'removed'> {
  const { journal, log } = deps;
  if (journal === undefined) return 'recorded';
  const key = plan.resource;
  const close = (how: 'cleaned' | 'finished') =>
    bestEffort(log, 'close', () => journal.closeCancelled(key, plan.requestId, how), undefined);
  const result = { identitySourceId, answered };
  const verdict = await bestEffort(
    log,
    'settle',
    () => journal.settle(key, plan.requestId, result),
    'recorded',
  );
  if (verdict === 'recorded') return 'recorded';
  log.warn('A Delete arrived while this Create ran: removing what it made', { identitySourceId });
  try {
    const source = { policyStoreId: plan.input.policyStoreId as string, identitySourceId };
    await release(plan, source, key, deps);
  } catch (error) {
    log.error("Could not remove the cancelled Create's identity source; the Delete will", {
      error: (error as Error)?.message,
    });
    await close('finished');
    return 'recorded';
  }
  await close('cleaned');
  return 'removed';
}

/**
 * For a Delete that does not name a live identity source: finds the latest Create of this
 * resource in the journal and removes what it made, unless its SUCCESS was answered (then
 * that source is live and CloudFormation would name it). A Create still running is waited
 * for; if it does not finish in time, its clientToken is replayed to learn what it made.
 */
export async function sweep(
  plan: { readonly resource: ResourceKey; readonly issuedAt?: number; readonly roleArn?: string },
  deps: JournalDependencies,
  otherwise: SweepResult,
): Promise<SweepResult> {
  const { journal, log } = deps;
  if (journal === undefined) return otherwise;
  const { resource } = plan;
  // When CloudFormation gave up on the resource's Creates: this Delete's own issue time.
  const gaveUpAt = plan.issuedAt ?? Date.now();
  const found = await bestEffort(
    log,
    'cancel',
    () => journal.cancel(resource, gaveUpAt),
    undefined,
  );
  if (found === undefined) return otherwise;
  log.info('Create journal', { state: found.state, createRequestId: found.requestId });
  switch (found.state) {
    case 'answered':
    case 'cleaned':
      return otherwise;
    case 'created':
      return releaseMade(found, plan, deps);
    case 'failed':
      return found.mayHaveTakenEffect ? releaseUnconfirmedOf(found, plan, deps) : otherwise;
    case 'in-flight':
    case 'cancelled': {
      const settled = await waitForCancelledCreate(resource, journal, deps);
      if (settled?.state === 'cleaned') return { kind: 'deleted' };
      return releaseUnconfirmedOf(found, plan, deps);
    }
  }
}

type SweepPlan = Parameters<typeof sweep>[0];

/** Releases the source a journal entry says its Create made, in the Create's region. */
async function releaseMade(
  entry: JournalEntry,
  plan: SweepPlan,
  deps: JournalDependencies,
): Promise<SweepResult> {
  const { identitySourceId } = entry;
  const policyStoreId = entry.input.policyStoreId;
  if (identitySourceId === undefined || policyStoreId === undefined) {
    return { kind: 'nothing-to-delete' };
  }
  const target = { ...plan, region: entry.region };
  return release(target, { policyStoreId, identitySourceId }, plan.resource, deps);
}

function releaseUnconfirmedOf(entry: JournalEntry, plan: SweepPlan, deps: JournalDependencies) {
  return releaseUnconfirmed({ ...plan, region: entry.region }, entry.input, plan.resource, deps);
}

/** Polls until the cancelled Create has cleaned up or finished, keeping time to act after. */
async function waitForCancelledCreate(
  resource: ResourceKey,
  journal: CreateJournal,
  deps: JournalDependencies,
): Promise<JournalEntry | undefined> {
  const sleep = deps.sleep ?? realSleep;
  const keep = Math.max(3_000, (deps.workEndsAt - Date.now()) * 0.3);
  for (;;) {
    const entry = await bestEffort(deps.log, 'read', () => journal.read(resource), undefined);
    if (entry === undefined || entry.state === 'cleaned' || entry.createFinished === true) {
      return entry;
    }
    const createGone = entry.endsBy !== undefined && Date.now() > entry.endsBy;
    if (createGone || deps.workEndsAt - Date.now() - POLL_MS < keep) return entry;
    await sleep(POLL_MS);
  }
}

/** Journal trouble never fails the request: it is logged and the work goes on without it. */
async function bestEffort<T>(
  log: Log,
  step: string,
  run: () => Promise<T>,
  fallback: T,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    log.warn('Create journal unavailable; going on without it', {
      step,
      error: (error as Error)?.name,
    });
    return fallback;
  }
}
