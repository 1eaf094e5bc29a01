/**
 * A Create, top to bottom — and the making of a source, which an Update that replaces shares:
 *
 * 1. **Plan** (pure): the properties → `CreateIdentitySource`'s input, `clientToken` = the
 *    RequestId; invalid properties answer FAILED with a "not created" marker, calling nothing.
 * 2. **Begin** in the resource's record — refused when CloudFormation already gave up on this
 *    request (a Delete or rollback of the resource issued after it was handled): nothing is made.
 * 3. **Create**, or — when the store already holds its one source — **take it over**: a renamed
 *    resource's (its old logical id gone from the stack's template) or, with `AdoptExisting`,
 *    any other; the store's ownership record says what to hand it back to. Otherwise FAILED,
 *    naming the owner.
 * 4. **Answer**: SUCCESS with the id and `Details`; FAILED with `NotCreated:<RequestId>` when
 *    nothing can have been made (refused, never sent), else `CreateUnconfirmed:<clientToken>`
 *    (its Delete replays the token to find what was made).
 * 5. **After the answer** ({@link afterCreate}): the record settles — live when CloudFormation
 *    got the SUCCESS — and what was made is removed again if CloudFormation gave up meanwhile.
 */
import type {
  CreateIdentitySourceInput,
  UpdateConfiguration,
} from '@aws-sdk/client-verifiedpermissions';
import { OUTSIDE_OWNER } from '../persistence/ownership.js';
import type { Making } from '../persistence/resource-record.js';
import type { IdentitySourceConfiguration } from './configuration.js';
import { letGo, storeKeyOf } from './delete.js';
import {
  type ApiCallError,
  bestEffort,
  createGivenUp,
  isRefusal,
  mayHaveTakenEffect,
  RefusedError,
  reasonOf,
} from './errors.js';
import type { IdentitySourceProperties } from './properties.js';
import { formatProblems } from './property-reader.js';
import type {
  Answer,
  CreateRequest,
  RawProperties,
  ResourceDependencies,
  ResourceKey,
} from './resource.js';
import { createSource, sourceIn, type Target, updateSource } from './service.js';
import {
  clientTokenFor,
  createInput,
  createUnconfirmedId,
  dataFor,
  notCreatedId,
  previousOf,
  rolePartitionProblem,
  sameResource,
} from './translate.js';

/** What making a source takes: where, with what, for which request of which resource. */
export interface MakePlan {
  readonly target: Target;
  readonly input: CreateIdentitySourceInput;
  readonly configuration: IdentitySourceConfiguration;
  readonly adoptExisting: boolean;
  /** A Create request, or an Update that replaces (which never takes a source over). */
  readonly kind: Making['kind'];
  readonly requestId: string;
  readonly resource: ResourceKey;
  readonly issuedAt?: number;
  /** The properties as CloudFormation sent them: what the live record keeps. */
  readonly properties: RawProperties;
}

/**
 * Pure: what making a source for these properties takes.
 *
 * @example
 * ```ts
 * const plan = makePlan(request, properties, 'create', 'eu-west-1');
 * plan.input.clientToken; // the RequestId
 * ```
 */
export function makePlan(
  request: Pick<CreateRequest, 'requestId' | 'resource' | 'issuedAt' | 'properties'>,
  properties: IdentitySourceProperties,
  kind: Making['kind'],
  defaultRegion: string,
): MakePlan {
  return {
    target: {
      region: properties.region ?? defaultRegion,
      ...(properties.roleArn !== undefined && { roleArn: properties.roleArn }),
    },
    input: createInput(properties, clientTokenFor(request.requestId)),
    configuration: properties.configuration,
    adoptExisting: properties.adoptExisting,
    kind,
    requestId: request.requestId,
    resource: request.resource,
    ...(request.issuedAt !== undefined && { issuedAt: request.issuedAt }),
    properties: request.properties,
  };
}

/** The properties' problems, with the checks that need the region they will be used in. */
export function problemsOf(
  parsed: CreateRequest['parsed'],
  defaultRegion: string,
): string | undefined {
  if (!parsed.ok) return formatProblems(parsed.problems);
  const { roleArn, region } = parsed.properties;
  const problem = rolePartitionProblem(roleArn, region ?? defaultRegion);
  return problem === undefined ? undefined : formatProblems([problem]);
}

/**
 * Answers a Create request.
 *
 * @example
 * ```ts
 * const answer = await create(request, deps); // { status: 'SUCCESS', physicalResourceId: 'IS…', data }
 * ```
 */
export async function create(request: CreateRequest, deps: ResourceDependencies): Promise<Answer> {
  const problems = problemsOf(request.parsed, deps.defaultRegion);
  if (problems !== undefined || !request.parsed.ok) {
    return {
      status: 'FAILED',
      physicalResourceId: notCreatedId(request.requestId),
      reason: problems,
    };
  }
  const plan = makePlan(request, request.parsed.properties, 'create', deps.defaultRegion);
  deps.log.info('Plan', { action: 'create', ...summary(plan) });
  try {
    const identitySourceId = await makeSource(plan, deps);
    return succeeded(identitySourceId, plan.configuration);
  } catch (error) {
    return failed(error, plan, deps);
  }
}

/** The SUCCESS answer for a source with this configuration. */
export function succeeded(
  identitySourceId: string,
  configuration: IdentitySourceConfiguration,
): Answer {
  return {
    status: 'SUCCESS',
    physicalResourceId: identitySourceId,
    data: dataFor(identitySourceId, configuration),
    droppableData: ['Details.ClientIds'],
  };
}

/** A failed Create answers with a marker its Delete understands. */
function failed(error: unknown, plan: MakePlan, deps: ResourceDependencies): Answer {
  return {
    status: 'FAILED',
    physicalResourceId: mayHaveTakenEffect(error)
      ? createUnconfirmedId(plan.input.clientToken as string)
      : notCreatedId(plan.requestId),
    reason: reasonOf(error, deps.log),
  };
}

/** Where and what, for the plan's log line: ids, never the whole properties. */
export function summary(plan: MakePlan): Record<string, unknown> {
  return {
    region: plan.target.region,
    roleArn: plan.target.roleArn,
    policyStoreId: plan.input.policyStoreId,
  };
}

/**
 * Makes the plan's source, recorded in the resource's record: begun before its call, a failure
 * settled at once, a success by {@link afterCreate} once its answer was sent.
 *
 * @throws {RefusedError} when CloudFormation already gave up on the request, or the store's one
 *   source may not be taken over
 * @throws {ApiCallError} when a call failed
 */
export async function makeSource(plan: MakePlan, deps: ResourceDependencies): Promise<string> {
  const { records, log } = deps;
  if (records === undefined) return createOrTakeOver(plan, deps);
  const { kind, requestId, target, input, issuedAt } = plan;
  // The answer and the settlement follow the call within the response reserve.
  const endsBy = deps.workEndsAt + SETTLE_MARGIN_MS;
  const making = {
    kind,
    requestId,
    region: target.region,
    ...(target.roleArn !== undefined && { roleArn: target.roleArn }),
    input,
    endsBy,
    ...(issuedAt !== undefined && { issuedAt }),
  };
  const begun = await bestEffort(
    deps.log,
    'begin',
    () => records.begin(plan.resource, making),
    'begun',
  );
  if (begun === 'given-up') {
    log.warn(
      `CloudFormation gave up on this ${kind === 'create' ? 'Create' : 'Update'} before it began: making nothing`,
      {
        issuedAt: issuedAt === undefined ? undefined : new Date(issuedAt).toISOString(),
      },
    );
    throw createGivenUp(kind);
  }
  try {
    return await createOrTakeOver(plan, deps);
  } catch (error) {
    const failure = { failed: true, mayHaveTakenEffect: mayHaveTakenEffect(error) } as const;
    const verdict = await bestEffort(
      deps.log,
      'settle',
      () => records.settle(plan.resource, requestId, failure),
      'recorded',
    );
    if (verdict === 'cancelled') {
      const how = failure.mayHaveTakenEffect ? 'finished' : 'cleaned';
      await bestEffort(
        deps.log,
        'close',
        () => records.closeCancelled(plan.resource, requestId, how),
        undefined,
      );
    }
    throw error;
  }
}

/** Time after the work's deadline for the answer and the settlement (the reserve is ≤ 8 s). */
const SETTLE_MARGIN_MS = 10_000;

/** Creates the source, or takes over the one its store holds. */
async function createOrTakeOver(plan: MakePlan, deps: ResourceDependencies): Promise<string> {
  let identitySourceId: string;
  try {
    identitySourceId = await createSource(plan.target, plan.input, deps);
  } catch (error) {
    // Only a Create request takes over: a replacement (an Update) into a full store fails.
    if (!isRefusal(error, 'store-full') || deps.ownership === undefined || plan.kind !== 'create') {
      throw error;
    }
    return takeOver(plan, deps, error);
  }
  if (deps.ownership !== undefined) {
    try {
      const store = await storeKeyOf(plan.target, plan.input.policyStoreId as string, deps);
      await deps.ownership.recordMade(store, identitySourceId, plan.resource);
    } catch (error) {
      deps.log.warn('Could not record who owns the new source; a rename will need AdoptExisting', {
        error: (error as Error).message,
      });
    }
  }
  return identitySourceId;
}

/**
 * Takes over the source a full store holds, when this resource may: the store's ownership
 * record is written first (what to hand back), then the source updated to this resource's
 * properties. An update that failed without effect puts the record back; one whose effect is
 * unknown keeps it, so the Delete of the Create's marker hands the source back as its owner had
 * it (CloudFormation never took it: whatever the stack's state).
 */
async function takeOver(
  plan: MakePlan,
  deps: ResourceDependencies,
  full: ApiCallError,
): Promise<string> {
  const ownership = deps.ownership as NonNullable<ResourceDependencies['ownership']>;
  const policyStoreId = plan.input.policyStoreId as string;
  const existing = await sourceIn(plan.target, policyStoreId, deps);
  const identitySourceId = existing?.identitySourceId;
  if (existing === undefined || identitySourceId === undefined) throw full;
  const store = await storeKeyOf(plan.target, policyStoreId, deps);
  const record = await ownership.read(store);
  const known =
    record?.identitySourceId === identitySourceId && !sameResource(record.owner, OUTSIDE_OWNER)
      ? record
      : undefined;
  const ours = (owner: ResourceKey | undefined) =>
    owner !== undefined && sameResource(owner, plan.resource);
  // Ours already: a repeated Create after a takeover whose answer was lost.
  const takingOver = !ours(known?.owner);
  if (takingOver) {
    const renamed = await renamedFrom(known?.owner, plan, deps);
    if (!renamed && !plan.adoptExisting) {
      throw new RefusedError(storeHeldReason(policyStoreId, identitySourceId, known?.owner, plan));
    }
    const next = {
      identitySourceId,
      owner: plan.resource,
      handBack: {
        ...(known !== undefined && { from: known.owner }),
        adopted: !renamed,
        previous: previousOf(existing),
      },
    };
    // Another write first means another Create took it over at the same time: that one won.
    const won = await ownership.write(store, next, record);
    if (!won && !ours((await ownership.read(store))?.owner)) {
      throw new RefusedError(
        `another resource took over the identity source ${identitySourceId} of policy store ${policyStoreId} at the same time; a store holds only one`,
      );
    }
    deps.log.info('Taking over the identity source the store holds', {
      identitySourceId,
      renamedFrom: renamed ? known?.owner.logicalResourceId : undefined,
      adopted: !renamed,
    });
  }
  try {
    await updateSource(plan.target, updateTo(plan.input, identitySourceId), deps);
  } catch (error) {
    // Not taken over after all: the record goes back to what it was. If the update may still
    // apply, the record stays: the rollback's Delete then hands the source back.
    const written = await ownership.read(store);
    if (takingOver && !mayHaveTakenEffect(error) && ours(written?.owner)) {
      await ownership.write(store, record, written);
    }
    throw error;
  }
  return identitySourceId;
}

/**
 * Whether the source's owner is a resource of this stack that the stack no longer declares —
 * this resource is that one, renamed. An owner the template still declares keeps its source
 * (two live resources cannot share one); a template that cannot be read allows no rename.
 */
async function renamedFrom(
  owner: ResourceKey | undefined,
  plan: MakePlan,
  deps: ResourceDependencies,
): Promise<boolean> {
  if (owner === undefined || owner.stackId !== plan.resource.stackId) return false;
  const budget = Math.max(1_000, (deps.workEndsAt - Date.now()) / 3);
  const declared = await deps.stack?.declares(owner.stackId, owner.logicalResourceId, budget);
  if (declared === undefined) {
    throw new RefusedError(
      `policy store ${plan.input.policyStoreId} holds the identity source of resource ${owner.logicalResourceId} of this stack, and the stack's template could not be read to tell whether ${plan.resource.logicalResourceId} is that resource renamed; nothing was changed. Retry the deployment.`,
    );
  }
  return !declared;
}

function storeHeldReason(
  policyStoreId: string,
  identitySourceId: string,
  owner: ResourceKey | undefined,
  plan: MakePlan,
): string {
  if (owner !== undefined && owner.stackId === plan.resource.stackId) {
    return `policy store ${policyStoreId} already holds its one identity source (${identitySourceId}), which resource ${owner.logicalResourceId} of this stack owns; two resources cannot share a store's one identity source (a quota that cannot be raised). Use another policy store, or remove ${owner.logicalResourceId}.`;
  }
  const whose =
    owner === undefined
      ? 'which this provider did not make for this stack'
      : `which resource ${owner.logicalResourceId} of stack ${owner.stackId} owns`;
  return `policy store ${policyStoreId} already holds its one identity source (${identitySourceId}), ${whose}; a policy store holds only one (a quota that cannot be raised). Set AdoptExisting: true to take it over, or use another policy store.`;
}

/** The in-place update that gives a taken-over source a Create's properties. */
function updateTo(input: CreateIdentitySourceInput, identitySourceId: string) {
  const { policyStoreId, configuration, principalEntityType } = input;
  return {
    policyStoreId,
    identitySourceId,
    updateConfiguration: configuration as UpdateConfiguration,
    ...(principalEntityType !== undefined && { principalEntityType }),
  };
}

/**
 * After a SUCCESS that made a source was sent: the record settles — `answered` marks it live
 * with what was applied. When CloudFormation gave up on the request meanwhile (the SUCCESS came
 * too late to count), what it made is let go of again.
 *
 * @example
 * ```ts
 * await afterCreate(plan, answer.physicalResourceId, delivery.delivered, deps);
 * ```
 */
export async function afterCreate(
  plan: MakePlan,
  identitySourceId: string,
  answered: boolean,
  deps: ResourceDependencies,
): Promise<void> {
  const { records, log } = deps;
  if (records === undefined) return;
  const key = plan.resource;
  const live = {
    identitySourceId,
    policyStoreId: plan.input.policyStoreId as string,
    region: plan.target.region,
    ...(plan.target.roleArn !== undefined && { roleArn: plan.target.roleArn }),
    properties: applied(plan.properties),
    appliedAt: new Date().toISOString(),
  };
  const result = { identitySourceId, answered, ...(answered && { live }) };
  const verdict = await bestEffort(
    deps.log,
    'settle',
    () => records.settle(key, plan.requestId, result),
    'recorded',
  );
  if (verdict === 'recorded') return;
  log.warn('CloudFormation gave up on this request while it ran: removing what it made', {
    identitySourceId,
  });
  const close = (how: 'cleaned' | 'finished') =>
    bestEffort(
      deps.log,
      'close',
      () => records.closeCancelled(key, plan.requestId, how),
      undefined,
    );
  try {
    const source = { policyStoreId: plan.input.policyStoreId as string, identitySourceId };
    await letGo(plan.target, source, key, deps, { givenUp: true });
  } catch (error) {
    log.error('Could not remove what the given-up request made; the request cleaning up will', {
      error: (error as Error)?.message,
    });
    await close('finished');
    return;
  }
  await close('cleaned');
}

/** The properties applied: CloudFormation's own keys left out. */
export function applied(properties: RawProperties): RawProperties {
  const { ServiceToken: _token, ServiceTimeout: _timeout, ...rest } = properties;
  return rest;
}
