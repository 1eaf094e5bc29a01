/**
 * Pure: the account an identity source lives in, and the role that reaches it. Without
 * `RoleArn` it is the function's own account; with one, the role's account — whose change
 * replaces the source (a new one in the other account), while another role of the same
 * account, or adding or removing a role of the function's own account, is an in-place change.
 */
import { parseArn, partitionOfRegion } from '../partitions.js';
import type { PropertyProblem } from './property-reader.js';

/**
 * The effective account of properties with or without a role; `undefined` when unknown (no
 * role, and the function's own account is not known).
 *
 * @example
 * ```ts
 * effectiveAccount({ roleArn: 'arn:aws:iam::111122223333:role/R' }, '444455556666'); // '111122223333'
 * effectiveAccount({}, '444455556666');                                             // '444455556666'
 * ```
 */
export function effectiveAccount(
  properties: { readonly roleArn?: string },
  functionAccountId: string | undefined,
): string | undefined {
  if (properties.roleArn === undefined) return functionAccountId;
  return parseArn(properties.roleArn)?.accountId;
}

/** Whether two sets of properties reach the same account (unknown counts as the same). */
export function sameAccount(
  old: { readonly roleArn?: string },
  next: { readonly roleArn?: string },
  functionAccountId: string | undefined,
): boolean {
  const a = effectiveAccount(old, functionAccountId);
  const b = effectiveAccount(next, functionAccountId);
  return a === undefined || b === undefined || a === b;
}

/**
 * A role must be of the partition of the region it is used in (STS there cannot hand out
 * another partition's credentials).
 */
export function rolePartitionProblem(
  roleArn: string | undefined,
  region: string,
): PropertyProblem | undefined {
  if (roleArn === undefined) return undefined;
  const partition = partitionOfRegion(region)?.id;
  const rolePartition = parseArn(roleArn)?.partition;
  if (partition === undefined || rolePartition === partition) return undefined;
  return {
    path: 'RoleArn',
    message: `must be a role of the ${partition} partition, the partition of region ${region} (got ${rolePartition})`,
  };
}
