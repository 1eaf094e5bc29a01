/**
 * An Update, top to bottom:
 *
 * | Update | what it does |
 * | --- | --- |
 * | `PolicyStoreId`, `Region` or the account changed | **replacement**: a new source is made (as a Create makes one, never by taking one over); CloudFormation deletes the old one after |
 * | the old and new `PolicyStoreId` are an alias and the id of one store, or the source already lives in the target store | in place: the rollback of a failed replacement (old and new swapped) lands here |
 * | anything else that matters changed | **in place** (`UpdateIdentitySource`), Cognito ↔ OIDC included |
 * | nothing that matters changed | nothing to do |
 * | the resource has no source yet (a marker id) | a replacement |
 *
 * Before any of it, what an earlier replacement of this resource made and CloudFormation never
 * took — it answered FAILED, or CloudFormation gave up on it, and now rolls back — is removed:
 * a failed replacement leaves nothing behind once its rollback is answered.
 */
import type { UpdateIdentitySourceInput } from '@aws-sdk/client-verifiedpermissions';
import type { Making } from '../persistence/resource-record.js';
import {
  afterCreate,
  applied,
  type MakePlan,
  makePlan,
  makeSource,
  problemsOf,
  succeeded,
  summary,
} from './create.js';
import { sweep } from './delete.js';
import { bestEffort, createGivenUp, reasonOf } from './errors.js';
import type { IdentitySourceProperties } from './properties.js';
import type { Answer, ResourceDependencies, UpdateRequest } from './resource.js';
import { getSource, storeIdOf, type Target, updateSource } from './service.js';
import { readPhysicalId, sameAccount, sameInPlaceProperties, updateInput } from './translate.js';

/** What an Update does. */
export type UpdatePlan =
  | { readonly action: 'reject'; readonly reason: string }
  | {
      readonly action: 'replace';
      readonly make: MakePlan;
      /** The source replaced, and the in-place update to make instead if it already lives there. */
      readonly replaces?: {
        readonly identitySourceId: string;
        readonly ifAlreadyThere: UpdateIdentitySourceInput;
        /** The old and new `PolicyStoreId` when either is an alias: the same store is no replacement. */
        readonly sameStoreIf?: { readonly old: string; readonly next: string };
      };
    }
  | {
      readonly action: 'in-place';
      readonly target: Target;
      readonly input: UpdateIdentitySourceInput;
      readonly properties: IdentitySourceProperties;
    }
  | {
      readonly action: 'no-op';
      readonly identitySourceId: string;
      readonly properties: IdentitySourceProperties;
    };

/**
 * Pure: what an Update does.
 *
 * @example
 * ```ts
 * planUpdate(request, { defaultRegion: 'eu-west-1' }); // { action: 'in-place', target, input, properties }
 * ```
 */
export function planUpdate(
  request: UpdateRequest,
  context: { readonly defaultRegion: string; readonly functionAccountId?: string },
): UpdatePlan {
  const { defaultRegion, functionAccountId } = context;
  const problems = problemsOf(request.parsed, defaultRegion);
  if (problems !== undefined || !request.parsed.ok)
    return { action: 'reject', reason: problems ?? '' };
  const next = request.parsed.properties;
  const current = readPhysicalId(request.physicalResourceId);
  const make = makePlan(request, next, 'replacement', defaultRegion);
  if (current.kind !== 'identity-source') return { action: 'replace', make };

  const old = request.oldParsed;
  const raw = request.oldProperties;
  const oldStore = old.ok ? old.properties.policyStoreId : raw.PolicyStoreId;
  const oldRegion = old.ok ? old.properties.region : raw.Region;
  const oldRole = old.ok
    ? old.properties
    : { roleArn: typeof raw.RoleArn === 'string' ? raw.RoleArn : undefined };
  const regionOf = (region: unknown) => (typeof region === 'string' ? region : defaultRegion);
  const sameRegion = regionOf(oldRegion) === regionOf(next.region);
  const sameAccountAsBefore = sameAccount(oldRole, next, functionAccountId);
  if (oldStore !== next.policyStoreId || !sameRegion || !sameAccountAsBefore) {
    const aliased = [oldStore, next.policyStoreId].some(
      (store) => typeof store === 'string' && store.startsWith('policy-store-alias/'),
    );
    const sameStoreIf = aliased && sameRegion && sameAccountAsBefore;
    return {
      action: 'replace',
      make,
      replaces: {
        identitySourceId: current.identitySourceId,
        ifAlreadyThere: updateInput(next, current.identitySourceId),
        ...(sameStoreIf && { sameStoreIf: { old: String(oldStore), next: next.policyStoreId } }),
      },
    };
  }
  if (old.ok && sameInPlaceProperties(old.properties, next)) {
    return { action: 'no-op', identitySourceId: current.identitySourceId, properties: next };
  }
  return {
    action: 'in-place',
    target: make.target,
    input: updateInput(next, current.identitySourceId),
    properties: next,
  };
}

/**
 * Answers an Update request.
 *
 * @example
 * ```ts
 * const answer = await update(request, deps); // in place: the same physical id
 * ```
 */
export async function update(request: UpdateRequest, deps: ResourceDependencies): Promise<Answer> {
  const plan = planUpdate(request, deps);
  const { physicalResourceId } = request;
  deps.log.info('Plan', {
    action: plan.action,
    ...(plan.action === 'replace' && {
      ...summary(plan.make),
      replaces: plan.replaces?.identitySourceId,
    }),
    ...(plan.action === 'in-place' && { ...plan.target, identitySourceId: physicalResourceId }),
  });
  if (plan.action === 'reject')
    return { status: 'FAILED', physicalResourceId, reason: plan.reason };
  try {
    // A request of this resource issued after this one was handled (its rollback, say): this
    // one is a late duplicate, and CloudFormation no longer waits for it.
    const { records, log } = deps;
    const { issuedAt, resource } = request;
    if (records !== undefined && issuedAt !== undefined) {
      const moveOn = () => records.moveOn(resource, issuedAt - 1);
      if (!(await bestEffort(log, 'moveOn', moveOn, true))) throw createGivenUp('replacement');
    }
    // What an earlier replacement made that CloudFormation never took — issued before this
    // request, strictly: this request may replace too — and never the source it names.
    const gaveUp = { at: (request.issuedAt ?? Date.now()) - 1, ifFound: true };
    const abandoned = (m: Making) => m.kind === 'replacement' && m.requestId !== request.requestId;
    await sweep(request.resource, gaveUp, abandoned, deps, physicalResourceId);
    switch (plan.action) {
      case 'no-op':
        return succeeded(plan.identitySourceId, configurationOf(plan.properties));
      case 'in-place':
        await updateSource(plan.target, plan.input, deps);
        return succeeded(physicalResourceId, configurationOf(plan.properties));
      case 'replace': {
        const { make, replaces } = plan;
        if (replaces !== undefined && (await alreadyThere(make.target, replaces, deps))) {
          deps.log.info('The replaced source already lives in the target store: updating in place');
          await updateSource(make.target, replaces.ifAlreadyThere, deps);
          return succeeded(replaces.identitySourceId, make.configuration);
        }
        return succeeded(await makeSource(make, deps), make.configuration);
      }
    }
  } catch (error) {
    return { status: 'FAILED', physicalResourceId, reason: reasonOf(error, deps.log) };
  }
}

/** What an in-place update applies: `UpdateConfiguration` when given, else `Configuration`. */
function configurationOf(p: IdentitySourceProperties) {
  return p.updateConfiguration ?? p.configuration;
}

/**
 * Whether a replacement's source already lives in the target store: the old and new
 * `PolicyStoreId` are an alias and the id of one store (resolved), or — the rollback of a failed
 * replacement, where CloudFormation swaps old and new — the source is found there.
 */
async function alreadyThere(
  target: Target,
  replaces: NonNullable<Extract<UpdatePlan, { action: 'replace' }>['replaces']>,
  deps: ResourceDependencies,
): Promise<boolean> {
  const { sameStoreIf } = replaces;
  if (sameStoreIf !== undefined) {
    const resolved = await Promise.all([
      storeIdOf(target, sameStoreIf.old, deps),
      storeIdOf(target, sameStoreIf.next, deps),
    ]).catch((error: Error) => {
      deps.log.warn('Could not resolve the policy store aliases; looking for the source instead', {
        error: error.message,
      });
      return undefined;
    });
    if (resolved !== undefined && resolved[0] === resolved[1]) return true;
  }
  const { policyStoreId, identitySourceId } = replaces.ifAlreadyThere;
  const source = {
    policyStoreId: policyStoreId as string,
    identitySourceId: identitySourceId as string,
  };
  return (await getSource(target, source, deps)) !== undefined;
}

/**
 * After a SUCCESS was sent: a replacement settles as a Create does; the live record takes what
 * was applied.
 *
 * @example
 * ```ts
 * await afterUpdate(request, answer, delivery.delivered, deps);
 * ```
 */
export async function afterUpdate(
  request: UpdateRequest,
  answer: Pick<Answer, 'status' | 'physicalResourceId'>,
  delivered: boolean,
  deps: ResourceDependencies,
): Promise<void> {
  if (answer.status !== 'SUCCESS') return;
  const identitySourceId = answer.physicalResourceId;
  const plan = planUpdate(request, deps);
  if (plan.action === 'replace' && identitySourceId !== request.physicalResourceId) {
    await afterCreate(plan.make, identitySourceId, delivered, deps);
    return;
  }
  if (!delivered || plan.action === 'reject' || deps.records === undefined) return;
  const records = deps.records;
  const { target, policyStoreId } =
    plan.action === 'replace'
      ? { target: plan.make.target, policyStoreId: plan.make.input.policyStoreId as string }
      : {
          target: planTarget(plan, deps.defaultRegion),
          policyStoreId: plan.properties.policyStoreId,
        };
  await bestEffort(
    deps.log,
    'live',
    () =>
      records.applied(request.resource, {
        identitySourceId,
        policyStoreId,
        region: target.region,
        ...(target.roleArn !== undefined && { roleArn: target.roleArn }),
        properties: applied(request.properties),
        appliedAt: new Date().toISOString(),
      }),
    undefined,
  );
}

function planTarget(
  plan: Extract<UpdatePlan, { action: 'in-place' | 'no-op' }>,
  defaultRegion: string,
): Target {
  if (plan.action === 'in-place') return plan.target;
  const { region, roleArn } = plan.properties;
  return { region: region ?? defaultRegion, ...(roleArn !== undefined && { roleArn }) };
}
