/**
 * Making a resource's source when its store may already hold one (a store holds only one):
 * a plain Create, recorded as this resource's; or, when the store is full, a takeover of the
 * source it holds — allowed for a source this provider made for the same stack under another
 * logical id (a renamed resource), or with `AdoptExisting` for any other — recorded with what
 * to hand it back to, then updated to this resource's properties. Otherwise FAILED, with
 * nothing written.
 */
import type { IdentitySourceItem, UpdateConfiguration } from '@aws-sdk/client-verifiedpermissions';
import type { ResourceKey } from '../persistence/create-journal.js';
import type {
  Ownership,
  OwnershipRecord,
  PreviousConfiguration,
} from '../persistence/ownership.js';
import { ApiCallError, StoreHoldsSourceError } from './errors.js';
import { create, sourceIn, update } from './operations.js';
import { type OwnershipDependencies, sameResource, storeKeyOf } from './ownership-key.js';
import type { Plan } from './plan.js';

type CreatePlan = Extract<Plan, { action: 'create' }>;

/**
 * Creates the resource's source, or takes over the one its store holds; the source's id.
 *
 * @example
 * ```ts
 * const identitySourceId = await makeSource(plan, { clientFor, workEndsAt, log, ownership });
 * ```
 */
export async function makeSource(plan: CreatePlan, deps: OwnershipDependencies): Promise<string> {
  const { ownership } = deps;
  let identitySourceId: string;
  try {
    identitySourceId = await create(plan.region, plan.input, deps);
  } catch (error) {
    const full =
      error instanceof ApiCallError && error.errorName === 'ServiceQuotaExceededException';
    // Only a Create request takes over: a replacement (an Update) into a full store fails.
    if (!full || ownership === undefined || plan.replaces !== undefined) throw error;
    return takeOver(plan, { ...deps, ownership }, error);
  }
  if (ownership !== undefined) {
    try {
      const store = await storeKeyOf(plan, plan.input.policyStoreId as string, deps);
      await ownership.recordMade(store, identitySourceId, plan.resource);
    } catch (error) {
      deps.log.warn('Could not record who owns the new source; a rename will need AdoptExisting', {
        error: (error as Error).message,
      });
    }
  }
  return identitySourceId;
}

async function takeOver(
  plan: CreatePlan,
  deps: OwnershipDependencies & { readonly ownership: Ownership },
  full: ApiCallError,
): Promise<string> {
  const policyStoreId = plan.input.policyStoreId as string;
  const existing = await sourceIn(plan.region, policyStoreId, deps);
  const identitySourceId = existing?.identitySourceId;
  if (existing === undefined || identitySourceId === undefined) throw full;
  const store = await storeKeyOf(plan, policyStoreId, deps);
  const record = await deps.ownership.read(store);
  const known = record?.identitySourceId === identitySourceId ? record : undefined;
  const ours = (owner: ResourceKey | undefined) =>
    owner !== undefined && sameResource(owner, plan.resource);
  // Ours already: a repeated Create after a takeover whose answer was lost.
  const takingOver = !ours(known?.owner);
  if (takingOver) {
    const renamed = known !== undefined && known.owner.stackId === plan.resource.stackId;
    if (!renamed && !plan.adoptExisting) {
      throw new StoreHoldsSourceError(policyStoreId, identitySourceId, known?.owner);
    }
    const next: OwnershipRecord = {
      identitySourceId,
      owner: plan.resource,
      handBack: {
        ...(known !== undefined && { from: known.owner }),
        adopted: !renamed,
        previous: previousOf(existing),
      },
    };
    // Another write first means another Create took it over at the same time: that one won.
    const won = await deps.ownership.write(store, next, record);
    if (!won && !ours((await deps.ownership.read(store))?.owner)) {
      throw new ApiCallError(
        `another resource took over the identity source ${identitySourceId} of policy store ${policyStoreId} at the same time; a store holds only one`,
        {
          operation: 'CreateIdentitySource',
          errorName: 'ConcurrentTakeover',
          mayHaveTakenEffect: false,
        },
      );
    }
    deps.log.info('Taking over the identity source the store holds', {
      identitySourceId,
      renamedFrom: renamed ? known?.owner.logicalResourceId : undefined,
      adopted: !renamed,
    });
  }
  try {
    await update(plan.region, updateTo(plan, identitySourceId), deps);
  } catch (error) {
    // Not taken over after all: the record goes back to what it was.
    const written = await deps.ownership.read(store);
    if (takingOver && ours(written?.owner)) await deps.ownership.write(store, record, written);
    throw error;
  }
  return identitySourceId;
}

/** The in-place update that gives the taken-over source this resource's properties. */
function updateTo(plan: CreatePlan, identitySourceId: string) {
  const { policyStoreId, configuration, principalEntityType } = plan.input;
  return {
    policyStoreId,
    identitySourceId,
    updateConfiguration: configuration as UpdateConfiguration,
    ...(principalEntityType !== undefined && { principalEntityType }),
  };
}

/** The source's configuration as the API reports it, in the shape an update sends. */
function previousOf(source: IdentitySourceItem): PreviousConfiguration {
  const { cognitoUserPoolConfiguration: cognito, openIdConnectConfiguration: oidc } =
    (source.configuration ?? {}) as {
      cognitoUserPoolConfiguration?: NonNullable<
        UpdateConfiguration['cognitoUserPoolConfiguration']
      > & {
        issuer?: string;
      };
      openIdConnectConfiguration?: NonNullable<UpdateConfiguration['openIdConnectConfiguration']>;
    };
  const principal =
    source.principalEntityType === undefined
      ? {}
      : { principalEntityType: source.principalEntityType };
  if (cognito !== undefined) {
    const { issuer: _issuer, ...userPool } = cognito;
    return { configuration: { cognitoUserPoolConfiguration: userPool }, ...principal };
  }
  return {
    configuration: { openIdConnectConfiguration: oidc } as UpdateConfiguration,
    ...principal,
  };
}
