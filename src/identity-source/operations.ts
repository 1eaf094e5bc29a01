/**
 * The Verified Permissions operations a plan is made of, each one call through `api-call.ts`
 * (retries, deadline, failure reasons) on the region's client.
 */
import {
  CreateIdentitySourceCommand,
  type CreateIdentitySourceInput,
  DeleteIdentitySourceCommand,
  type DeleteIdentitySourceInput,
  GetIdentitySourceCommand,
  GetPolicyStoreAliasCommand,
  type IdentitySourceItem,
  ListIdentitySourcesCommand,
  UpdateIdentitySourceCommand,
  type UpdateIdentitySourceInput,
} from '@aws-sdk/client-verifiedpermissions';
import { type CallDependencies, call } from './api-call.js';
import type { ClientForRegion } from './client.js';
import { ApiCallError } from './errors.js';
import { POLICY_STORE_ALIAS } from './property-rules.js';

export interface OperationDependencies extends CallDependencies {
  readonly clientFor: ClientForRegion;
}

/** What a Delete found. */
export type Removal = { readonly kind: 'deleted' } | { readonly kind: 'already-gone' };

/**
 * Creates a source; the answer's id.
 *
 * @example
 * ```ts
 * const id = await create('eu-west-1', plan.input, deps);
 * ```
 */
export async function create(
  region: string,
  input: CreateIdentitySourceInput,
  deps: OperationDependencies,
): Promise<string> {
  const output = await call('CreateIdentitySource', region, deps, (abortSignal) =>
    deps.clientFor(region).send(new CreateIdentitySourceCommand(input), { abortSignal }),
  );
  if (typeof output.identitySourceId !== 'string' || output.identitySourceId === '') {
    throw new ApiCallError('CreateIdentitySource answered without an identitySourceId', {
      operation: 'CreateIdentitySource',
      errorName: 'InvalidResponse',
      mayHaveTakenEffect: true,
    });
  }
  return output.identitySourceId;
}

/** Updates a source in place. */
export async function update(
  region: string,
  input: UpdateIdentitySourceInput,
  deps: OperationDependencies,
): Promise<void> {
  await call('UpdateIdentitySource', region, deps, (abortSignal) =>
    deps.clientFor(region).send(new UpdateIdentitySourceCommand(input), { abortSignal }),
  );
}

/** Deletes a source; not found (the source or its whole store) means nothing is left to delete. */
export async function remove(
  region: string,
  input: DeleteIdentitySourceInput,
  deps: OperationDependencies,
): Promise<Removal> {
  try {
    await call('DeleteIdentitySource', region, deps, (abortSignal) =>
      deps.clientFor(region).send(new DeleteIdentitySourceCommand(input), { abortSignal }),
    );
    return { kind: 'deleted' };
  } catch (error) {
    if (error instanceof ApiCallError && error.errorName === 'ResourceNotFoundException')
      return { kind: 'already-gone' };
    throw error;
  }
}

/** The store's identity source (a store holds at most one), or `undefined` when it has none. */
export async function sourceIn(
  region: string,
  policyStoreId: string,
  deps: OperationDependencies,
): Promise<IdentitySourceItem | undefined> {
  const output = await call('ListIdentitySources', region, deps, (abortSignal) =>
    deps
      .clientFor(region)
      .send(new ListIdentitySourcesCommand({ policyStoreId, maxResults: 1 }), { abortSignal }),
  );
  return output.identitySources?.[0];
}

/** Whether the identity source exists in that store and region (errors count as no). */
export async function exists(
  region: string,
  input: { policyStoreId: string | undefined; identitySourceId: string | undefined },
  deps: OperationDependencies,
): Promise<boolean> {
  const { policyStoreId, identitySourceId } = input;
  try {
    await call('GetIdentitySource', region, deps, (abortSignal) =>
      deps
        .clientFor(region)
        .send(new GetIdentitySourceCommand({ policyStoreId, identitySourceId }), { abortSignal }),
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * The id of the policy store a `PolicyStoreId` names: an alias resolved with
 * `GetPolicyStoreAlias`, an id as it is (no call).
 *
 * @example
 * ```ts
 * await storeIdOf('eu-west-1', 'policy-store-alias/payments', deps); // 'PSEXAMPLEabcdefg111111'
 * ```
 */
export async function storeIdOf(
  region: string,
  policyStoreId: string,
  deps: OperationDependencies,
): Promise<string> {
  if (!POLICY_STORE_ALIAS.test(policyStoreId)) return policyStoreId;
  const output = await call('GetPolicyStoreAlias', region, deps, (abortSignal) =>
    deps
      .clientFor(region)
      .send(new GetPolicyStoreAliasCommand({ aliasName: policyStoreId }), { abortSignal }),
  );
  if (typeof output.policyStoreId !== 'string' || output.policyStoreId === '') {
    throw new ApiCallError(
      `GetPolicyStoreAlias answered without a policyStoreId for ${policyStoreId}`,
      {
        operation: 'GetPolicyStoreAlias',
        errorName: 'InvalidResponse',
        mayHaveTakenEffect: false,
      },
    );
  }
  return output.policyStoreId;
}
