/**
 * Runs a plan against Verified Permissions: the operations of `operations.ts`, with the create
 * journal's steps (`journal-steps.ts`) around Creates and Deletes that lack the id, and the
 * ownership of each store's one source (`takeover.ts`, `release.ts`).
 */
import { type JournalDependencies, journaledCreate, sweep } from './journal-steps.js';
import { exists, storeIdOf, update } from './operations.js';
import type { Plan } from './plan.js';
import { type Release, release, releaseUnconfirmed } from './release.js';

export type ApplyDependencies = JournalDependencies;

/** What applying a plan did. */
export type Applied =
  | { readonly kind: 'created'; readonly identitySourceId: string }
  | { readonly kind: 'updated' | 'unchanged'; readonly identitySourceId: string }
  | Release;

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
      const { replaces } = plan;
      if (replaces !== undefined && (await alreadyThere(plan.region, replaces, deps))) {
        deps.log.info('The replaced source already lives in the target store: updating in place');
        await update(plan.region, replaces.ifAlreadyThere, deps);
        return { kind: 'updated', identitySourceId: replaces.identitySourceId };
      }
      return { kind: 'created', identitySourceId: await journaledCreate(plan, deps) };
    }
    case 'update':
      await update(plan.region, plan.input, deps);
      return { kind: 'updated', identitySourceId: plan.input.identitySourceId as string };
    case 'no-op':
      return { kind: 'unchanged', identitySourceId: plan.identitySourceId };
    case 'delete': {
      const source = plan.input as { policyStoreId: string; identitySourceId: string };
      const released = await release(plan, source, plan.resource, deps);
      // Not found: the id may be one CloudFormation made up for a Create it gave up on.
      return released.kind === 'already-gone' ? sweep(plan, deps, released) : released;
    }
    case 'sweep':
      return sweep(plan, deps, { kind: 'nothing-to-delete' });
    case 'delete-unconfirmed':
      return releaseUnconfirmed(plan, plan.replay, plan.resource, deps);
    case 'acknowledge':
      return { kind: 'nothing-to-delete' };
  }
}

/**
 * Whether a replacement's source already lives in the target store: the old and new
 * `PolicyStoreId` are an alias and the id of one store (resolved), or — the rollback of a failed
 * replacement, where CloudFormation swaps old and new — the source is found there.
 */
async function alreadyThere(
  region: string,
  replaces: NonNullable<Extract<Plan, { action: 'create' }>['replaces']>,
  deps: ApplyDependencies,
): Promise<boolean> {
  const { sameStoreIf } = replaces;
  if (sameStoreIf !== undefined) {
    const resolved = await Promise.all([
      storeIdOf(region, sameStoreIf.old, deps),
      storeIdOf(region, sameStoreIf.next, deps),
    ]).catch((error: Error) => {
      deps.log.warn('Could not resolve the policy store aliases; looking for the source instead', {
        error: error.message,
      });
      return undefined;
    });
    if (resolved !== undefined && resolved[0] === resolved[1]) return true;
  }
  return exists(region, replaces.ifAlreadyThere, deps);
}
