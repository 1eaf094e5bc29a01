/**
 * Runs a plan against Verified Permissions (each call through `api-call.ts`), and keeps the
 * create journal: Creates recorded, Deletes that lack the id sweeping up what they made.
 */
import {
  CreateIdentitySourceCommand,
  type CreateIdentitySourceInput,
  DeleteIdentitySourceCommand,
  type DeleteIdentitySourceInput,
  GetIdentitySourceCommand,
  UpdateIdentitySourceCommand,
} from '@aws-sdk/client-verifiedpermissions';
import type { Log } from '../logger.js';
import { type CallDependencies, call, defaultSleep } from './api-call.js';
import type { ClientForRegion } from './client.js';
import type { CreateJournal, CreateResult, JournalEntry, ResourceKey } from './create-journal.js';
import { ApiCallError } from './errors.js';
import type { Plan } from './plan.js';

export interface ApplyDependencies extends CallDependencies {
  readonly clientFor: ClientForRegion;
  /** Where Creates are recorded so a Delete that lacks the id can find them; optional. */
  readonly journal?: CreateJournal;
}

/** Time after a Create's work deadline for its answer and journal settlement (reserve ≤ 8 s). */
const CREATE_SETTLE_MARGIN_MS = 10_000;

/** What applying a plan did. */
export type Applied =
  | { readonly kind: 'created'; readonly identitySourceId: string }
  | { readonly kind: 'updated' | 'unchanged'; readonly identitySourceId: string }
  | { readonly kind: 'deleted' | 'already-gone' | 'nothing-to-delete' };

type ApplicablePlan = Exclude<Plan, { action: 'reject' }>;

/**
 * @example
 * ```ts
 * const applied = await applyPlan(plan, { clientFor, workEndsAt: deadline.workEndsAt, log: logger });
 * ```
 * @throws {ApiCallError} on an error that retrying cannot fix
 * @throws {DeadlineExceededError} when the time budget ran out
 */
export async function applyPlan(plan: ApplicablePlan, deps: ApplyDependencies): Promise<Applied> {
  switch (plan.action) {
    case 'create': {
      if (
        plan.replaces !== undefined &&
        (await existsIn(plan.region, plan.replaces.ifAlreadyThere, deps))
      ) {
        // Rolling back a failed replacement: the source is already where it should be.
        deps.log.info('The replaced source already lives in the target store: updating in place');
        return applyPlan(
          {
            action: 'update',
            region: plan.region,
            input: plan.replaces.ifAlreadyThere,
            configuration: plan.configuration,
          },
          deps,
        );
      }
      return { kind: 'created', identitySourceId: await journaledCreate(plan, deps) };
    }
    case 'update': {
      const input = plan.input;
      await call('UpdateIdentitySource', plan.region, deps, (signal) =>
        deps
          .clientFor(plan.region)
          .send(new UpdateIdentitySourceCommand(input), { abortSignal: signal }),
      );
      return { kind: 'updated', identitySourceId: input.identitySourceId as string };
    }
    case 'no-op':
      return { kind: 'unchanged', identitySourceId: plan.identitySourceId };
    case 'delete': {
      const removed = await remove(plan.region, plan.input, deps);
      // Not found: the id may be one CloudFormation made up for a Create it gave up on.
      return removed.kind === 'already-gone' ? sweep(plan.resource, deps, removed) : removed;
    }
    case 'sweep':
      return sweep(plan.resource, deps, { kind: 'nothing-to-delete' });
    case 'delete-unconfirmed':
      return deleteUnconfirmed(plan.region, plan.replay, deps);
    case 'acknowledge':
      return { kind: 'nothing-to-delete' };
  }
}

/** Whether the identity source exists in that store and region (errors count as no). */
async function existsIn(
  region: string,
  input: { policyStoreId: string | undefined; identitySourceId: string | undefined },
  deps: ApplyDependencies,
): Promise<boolean> {
  try {
    await call('GetIdentitySource', region, deps, (signal) =>
      deps.clientFor(region).send(
        new GetIdentitySourceCommand({
          policyStoreId: input.policyStoreId,
          identitySourceId: input.identitySourceId,
        }),
        { abortSignal: signal },
      ),
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * A Create recorded in the journal: begun before the call; a failure is settled at once, a
 * success by {@link settleCreated} once its answer was sent (one write for both).
 */
async function journaledCreate(
  plan: Extract<Plan, { action: 'create' }>,
  deps: ApplyDependencies,
): Promise<string> {
  const { journal, log } = deps;
  const key = plan.resource;
  const { requestId, region, input } = plan;
  if (journal === undefined) return create(region, input, deps);
  // The Create's answer and settlement follow its API call within the response reserve.
  const endsBy = deps.workEndsAt + CREATE_SETTLE_MARGIN_MS;
  await bestEffort(
    log,
    'begin',
    () => journal.begin(key, { requestId, region, input, endsBy }),
    undefined,
  );
  try {
    return await create(region, input, deps);
  } catch (error) {
    const mayHaveTakenEffect = !(error instanceof ApiCallError) || error.mayHaveTakenEffect;
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
 */
export async function settleCreated(
  plan: Extract<Plan, { action: 'create' }>,
  identitySourceId: string,
  answered: boolean,
  deps: ApplyDependencies,
): Promise<'recorded' | 'removed'> {
  const { journal, log } = deps;
  if (journal === undefined) return 'recorded';
  const key = plan.resource;
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
    await remove(plan.region, { policyStoreId: plan.input.policyStoreId, identitySourceId }, deps);
  } catch (error) {
    log.error("Could not remove the cancelled Create's identity source; the Delete will", {
      error: (error as Error)?.message,
    });
    await bestEffort(
      log,
      'close',
      () => journal.closeCancelled(key, plan.requestId, 'finished'),
      undefined,
    );
    return 'recorded';
  }
  await bestEffort(
    log,
    'close',
    () => journal.closeCancelled(key, plan.requestId, 'cleaned'),
    undefined,
  );
  return 'removed';
}

/**
 * For a Delete that does not name a live identity source: finds the latest Create of this
 * resource in the journal and removes what it made, unless its SUCCESS was answered (then
 * that source is live and CloudFormation would name it). A Create still running is waited
 * for; if it does not finish in time, its clientToken is replayed to learn what it made.
 */
async function sweep(
  resource: ResourceKey,
  deps: ApplyDependencies,
  otherwise: Applied,
): Promise<Applied> {
  const { journal, log } = deps;
  if (journal === undefined) return otherwise;
  const found = await bestEffort(log, 'cancel', () => journal.cancel(resource), undefined);
  if (found === undefined) return otherwise;
  log.info('Create journal', { state: found.state, createRequestId: found.requestId });
  switch (found.state) {
    case 'answered':
    case 'cleaned':
      return otherwise;
    case 'created':
      return removeMade(found, deps);
    case 'failed':
      return found.mayHaveTakenEffect
        ? deleteUnconfirmed(found.region, found.input, deps)
        : otherwise;
    case 'in-flight':
    case 'cancelled': {
      const settled = await waitForCancelledCreate(resource, journal, deps);
      if (settled?.state === 'cleaned') return { kind: 'deleted' };
      return deleteUnconfirmed(found.region, found.input, deps);
    }
  }
}

/** Deletes the source a journal entry says its Create made. */
async function removeMade(entry: JournalEntry, deps: ApplyDependencies): Promise<Applied> {
  const { identitySourceId } = entry;
  if (identitySourceId === undefined || entry.input.policyStoreId === undefined) {
    return { kind: 'nothing-to-delete' };
  }
  return remove(entry.region, { policyStoreId: entry.input.policyStoreId, identitySourceId }, deps);
}

/** Polls until the cancelled Create has cleaned up or finished, keeping time to act after. */
async function waitForCancelledCreate(
  resource: ResourceKey,
  journal: CreateJournal,
  deps: ApplyDependencies,
): Promise<JournalEntry | undefined> {
  const sleep = deps.sleep ?? defaultSleep;
  const keep = Math.max(3_000, (deps.workEndsAt - Date.now()) * 0.3);
  for (;;) {
    const entry = await bestEffort(deps.log, 'read', () => journal.read(resource), undefined);
    if (entry === undefined || entry.state === 'cleaned' || entry.createFinished === true) {
      return entry;
    }
    const createGone = entry.endsBy !== undefined && Date.now() > entry.endsBy;
    if (createGone || deps.workEndsAt - Date.now() - 500 < keep) return entry;
    await sleep(500);
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

async function create(
  region: string,
  input: CreateIdentitySourceInput,
  deps: ApplyDependencies,
): Promise<string> {
  const output = await call('CreateIdentitySource', region, deps, (signal) =>
    deps.clientFor(region).send(new CreateIdentitySourceCommand(input), { abortSignal: signal }),
  );
  if (typeof output.identitySourceId !== 'string' || output.identitySourceId === '') {
    throw new ApiCallError(
      'CreateIdentitySource answered without an identitySourceId',
      'CreateIdentitySource',
      'InvalidResponse',
      true,
    );
  }
  return output.identitySourceId;
}

async function remove(
  region: string,
  input: DeleteIdentitySourceInput,
  deps: ApplyDependencies,
): Promise<Applied> {
  try {
    await call('DeleteIdentitySource', region, deps, (signal) =>
      deps.clientFor(region).send(new DeleteIdentitySourceCommand(input), { abortSignal: signal }),
    );
    return { kind: 'deleted' };
  } catch (error) {
    // Not found (the source or its whole store) means there is nothing left to delete.
    if (error instanceof ApiCallError && error.errorName === 'ResourceNotFoundException')
      return { kind: 'already-gone' };
    throw error;
  }
}

/**
 * A Create whose effect was unknown: replaying it with the same clientToken and parameters
 * returns the source it made (the service remembers a token for 8 hours), which is then
 * deleted. If the store is gone or holds another source, nothing of this resource exists.
 */
async function deleteUnconfirmed(
  region: string,
  replay: CreateIdentitySourceInput,
  deps: ApplyDependencies,
): Promise<Applied> {
  let identitySourceId: string;
  try {
    identitySourceId = await create(region, replay, deps);
  } catch (error) {
    const definitive = [
      'ServiceQuotaExceededException',
      'ConflictException',
      'ResourceNotFoundException',
      'ValidationException',
    ];
    if (error instanceof ApiCallError && definitive.includes(error.errorName)) {
      deps.log.info('Replayed create found nothing of this resource', {
        errorName: error.errorName,
      });
      return { kind: 'nothing-to-delete' };
    }
    throw error;
  }
  if (replay.policyStoreId === undefined) return { kind: 'nothing-to-delete' };
  return remove(region, { policyStoreId: replay.policyStoreId, identitySourceId }, deps);
}
