/**
 * A resource letting go of its source — on its Delete, or when CloudFormation gave up on the
 * Create that made or took it: deleted when the resource plainly owns it (or the provider
 * knows no owner); left alone when another resource owns it now (the cleanup Delete after a
 * rename); handed back with the configuration it had before a takeover that can still be
 * undone — always for a rename whose old resource still exists, and for an adoption when the
 * stack is rolling back (or its status cannot be read).
 */
import type { CreateIdentitySourceInput } from '@aws-sdk/client-verifiedpermissions';
import type { ResourceKey } from '../persistence/create-journal.js';
import { ApiCallError } from './errors.js';
import { create, type Removal, remove, update } from './operations.js';
import { type OwnershipDependencies, sameResource, storeKeyOf } from './ownership-key.js';

export type Release =
  | Removal
  | { readonly kind: 'handed-back' }
  | { readonly kind: 'left-to-owner' }
  | { readonly kind: 'nothing-to-delete' };

/**
 * @example
 * ```ts
 * await release({ region: 'eu-west-1' }, { policyStoreId, identitySourceId }, resource, deps);
 * ```
 */
export async function release(
  target: { readonly region: string; readonly roleArn?: string },
  source: { readonly policyStoreId: string; readonly identitySourceId: string },
  resource: ResourceKey,
  deps: OwnershipDependencies,
): Promise<Release> {
  const { ownership, log } = deps;
  const { region } = target;
  const { identitySourceId } = source;
  if (ownership === undefined) return remove(region, source, deps);
  const store = await storeKeyOf(target, source.policyStoreId, deps);
  if (await ownership.releaseIfPlain(store, identitySourceId, resource)) {
    return remove(region, source, deps);
  }
  const record = await ownership.read(store);
  if (record === undefined || record.identitySourceId !== identitySourceId) {
    return remove(region, source, deps);
  }
  if (!sameResource(record.owner, resource)) {
    // Taken over by another resource (a rename): it is theirs now, and the takeover complete.
    if (record.handBack?.from !== undefined && sameResource(record.handBack.from, resource)) {
      const { handBack: _done, ...taken } = record;
      await ownership.write(store, taken, record);
    }
    log.info('The identity source belongs to another resource now: leaving it', {
      identitySourceId,
      owner: record.owner.logicalResourceId,
    });
    return { kind: 'left-to-owner' };
  }
  const handBack = record.handBack;
  if (handBack === undefined) return remove(region, source, deps);
  if (handBack.adopted) {
    // Half the time left: the hand-back after it needs time too.
    const budget = (deps.workEndsAt - Date.now()) / 2;
    const rollingBack = await deps.stackRollingBack?.(resource.stackId, budget);
    if (rollingBack === false) {
      const removed = await remove(region, source, deps);
      await ownership.write(store, undefined, record);
      return removed;
    }
    if (rollingBack === undefined) {
      log.warn(
        "Could not read the stack's status: handing the adopted source back, not deleting it",
      );
    }
  }
  log.info('Handing the identity source back with the configuration it had before', {
    identitySourceId,
    to: handBack.from?.logicalResourceId ?? 'its owner outside this provider',
  });
  await update(
    region,
    {
      ...source,
      updateConfiguration: handBack.previous.configuration,
      ...(handBack.previous.principalEntityType !== undefined && {
        principalEntityType: handBack.previous.principalEntityType,
      }),
    },
    deps,
  );
  const back = handBack.from === undefined ? undefined : { identitySourceId, owner: handBack.from };
  await ownership.write(store, back, record);
  return { kind: 'handed-back' };
}

/** Errors of a replayed Create that mean it made nothing that still exists. */
const REPLAY_FOUND_NOTHING = [
  'ServiceQuotaExceededException',
  'ConflictException',
  'ResourceNotFoundException',
  'ValidationException',
];

/**
 * A Create whose effect was unknown: replaying it with the same clientToken and parameters
 * returns the source it made (the service remembers a token for 8 hours), which is then
 * released. If the store is gone or holds another source, nothing of this resource exists —
 * unless the Create took that source over, which the ownership record tells.
 */
export async function releaseUnconfirmed(
  target: { readonly region: string; readonly roleArn?: string },
  replay: CreateIdentitySourceInput,
  resource: ResourceKey,
  deps: OwnershipDependencies,
): Promise<Release> {
  const policyStoreId = replay.policyStoreId as string;
  let identitySourceId: string;
  try {
    identitySourceId = await create(target.region, replay, deps);
  } catch (error) {
    if (!(error instanceof ApiCallError) || !REPLAY_FOUND_NOTHING.includes(error.errorName)) {
      throw error;
    }
    const taken =
      error.errorName === 'ServiceQuotaExceededException' && deps.ownership !== undefined
        ? await deps.ownership.read(await storeKeyOf(target, policyStoreId, deps))
        : undefined;
    if (taken !== undefined && sameResource(taken.owner, resource)) {
      return release(
        target,
        { policyStoreId, identitySourceId: taken.identitySourceId },
        resource,
        deps,
      );
    }
    deps.log.info('Replayed create found nothing of this resource', { errorName: error.errorName });
    return { kind: 'nothing-to-delete' };
  }
  return release(target, { policyStoreId, identitySourceId }, resource, deps);
}
