/**
 * Which ownership record is about a resource's store: its effective account (the role's, or
 * the function's own), its region, and the store's id — an alias resolved, so that an alias
 * and the id of one store share one record.
 */
import type { Ownership, StoreKey } from '../persistence/ownership.js';
import { effectiveAccount } from './account.js';
import { type OperationDependencies, storeIdOf } from './operations.js';

export interface OwnershipDependencies extends OperationDependencies {
  /** Where ownership is recorded; without it, sources are made and deleted as before. */
  readonly ownership?: Ownership;
  /** Whether the stack's current operation is a rollback, read within `timeoutMs`; `undefined`: could not tell. */
  readonly stackRollingBack?: (stackId: string, timeoutMs: number) => Promise<boolean | undefined>;
  /** The function's own account, for resources without `RoleArn`. */
  readonly functionAccountId?: string;
}

/** Account used in the key when the function's own is not known (outside Lambda). */
const UNKNOWN_ACCOUNT = 'self';

/**
 * @example
 * ```ts
 * await storeKeyOf({ region: 'eu-west-1' }, 'policy-store-alias/payments', deps);
 * // { accountId: '123456789012', region: 'eu-west-1', policyStoreId: 'PSEXAMPLEabcdefg111111' }
 * ```
 */
export async function storeKeyOf(
  target: { readonly region: string; readonly roleArn?: string },
  policyStoreId: string,
  deps: OwnershipDependencies,
): Promise<StoreKey> {
  return {
    accountId: effectiveAccount(target, deps.functionAccountId) ?? UNKNOWN_ACCOUNT,
    region: target.region,
    policyStoreId: await storeIdOf(target.region, policyStoreId, deps),
  };
}

/** The same resource: stack and logical id. */
export function sameResource(
  a: { readonly stackId: string; readonly logicalResourceId: string },
  b: { readonly stackId: string; readonly logicalResourceId: string },
): boolean {
  return a.stackId === b.stackId && a.logicalResourceId === b.logicalResourceId;
}
