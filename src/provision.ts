/**
 * The one meeting point of the CloudFormation protocol and the identity-source resource: a
 * request in the resource's own terms → parse properties → plan → apply → the outcome to
 * answer. Every error becomes a FAILED outcome with a reason; this module does not throw.
 */
import { signatureTimes } from './cloudformation/presigned-url.js';
import type { CustomResourceRequest } from './cloudformation/request.js';
import type { ResourceOutcome } from './cloudformation/response-body.js';
import { dataFor } from './identity-source/api-input.js';
import { type ApplyDependencies, applyPlan } from './identity-source/apply.js';
import { type AssumeRole, clientsForRole, sessionNameFor } from './identity-source/assumed-role.js';
import type { ClientForRegion } from './identity-source/client.js';
import { ResourceError } from './identity-source/errors.js';
import { settleCreated } from './identity-source/journal-steps.js';
import { createUnconfirmedId, notCreatedId } from './identity-source/physical-id.js';
import { type Plan, type PlanContext, planFor } from './identity-source/plan.js';
import { formatProblems } from './identity-source/property-reader.js';
import type { ResourceRequest } from './identity-source/resource-request.js';

export interface ProvisionDependencies extends ApplyDependencies, PlanContext {
  /** Assumes a resource's `RoleArn`; default STS. */
  readonly assumeRole?: AssumeRole;
  /**
   * This invocation's clients for each assumed role (key `<region> <role>`), so that the work
   * and its settlement after the answer assume a role once; never shared between invocations.
   */
  readonly roleClients?: Map<string, ClientForRegion>;
}

/**
 * The request in the resource's terms: what to do to which resource, with which properties.
 *
 * @example
 * ```ts
 * resourceRequestOf(request); // { action: 'create', requestId, resource: { stackId, logicalResourceId }, properties }
 * ```
 */
export function resourceRequestOf(request: CustomResourceRequest): ResourceRequest {
  const issuedAt = signatureTimes(request.responseUrl)?.signedAt;
  const base = {
    requestId: request.requestId,
    resource: { stackId: request.stackId, logicalResourceId: request.logicalResourceId },
    properties: request.resourceProperties,
    ...(issuedAt !== undefined && { issuedAt }),
  };
  const physicalResourceId = request.physicalResourceId ?? '';
  switch (request.requestType) {
    case 'Create':
      return { ...base, action: 'create' };
    case 'Update':
      return {
        ...base,
        action: 'update',
        physicalResourceId,
        oldProperties: request.oldResourceProperties ?? {},
      };
    case 'Delete':
      return { ...base, action: 'delete', physicalResourceId };
  }
}

/**
 * @example
 * ```ts
 * const outcome = await provision(request, { clientFor, workEndsAt, log, defaultRegion: 'eu-west-1' });
 * ```
 */
export async function provision(
  request: CustomResourceRequest,
  deps: ProvisionDependencies,
): Promise<ResourceOutcome> {
  const plan = planFor(resourceRequestOf(request), deps);
  deps.log.info('Plan', summary(plan));
  if (plan.action === 'reject') {
    return {
      status: 'FAILED',
      physicalResourceId: plan.physicalResourceId,
      reason: formatProblems(plan.problems),
    };
  }
  try {
    const applied = await applyPlan(plan, await withRole(plan, request, deps));
    if (!('identitySourceId' in applied)) {
      return { status: 'SUCCESS', physicalResourceId: request.physicalResourceId ?? '' };
    }
    const configuration = 'configuration' in plan ? plan.configuration : undefined;
    return {
      status: 'SUCCESS',
      physicalResourceId: applied.identitySourceId,
      ...(configuration !== undefined && {
        data: dataFor(applied.identitySourceId, configuration),
        droppableData: ['Details.ClientIds'],
      }),
    };
  } catch (error) {
    return failure(request, plan, error, deps);
  }
}

function failure(
  request: CustomResourceRequest,
  plan: Plan,
  error: unknown,
  deps: ProvisionDependencies,
): ResourceOutcome {
  const known = error instanceof ResourceError;
  if (!known) deps.log.error('Unexpected error', { error: error as Error });
  const reason = known
    ? error.message
    : `internal error: ${(error as Error)?.message ?? String(error)}`;
  const mayHaveTakenEffect = known ? error.mayHaveTakenEffect : true;
  // A failed Create answers with a marker the following Delete understands; an Update or
  // Delete keeps the id CloudFormation knows.
  if (request.requestType === 'Create' && plan.action === 'create') {
    const token = plan.input.clientToken as string;
    const physicalResourceId = mayHaveTakenEffect
      ? createUnconfirmedId(token)
      : notCreatedId(request.requestId);
    return { status: 'FAILED', physicalResourceId, reason };
  }
  return {
    status: 'FAILED',
    physicalResourceId: request.physicalResourceId ?? notCreatedId(request.requestId),
    reason,
  };
}

/** What the plan log line says: the action and ids, never the whole properties. */
function summary(plan: Plan): Record<string, unknown> {
  switch (plan.action) {
    case 'create':
      return {
        action: plan.action,
        region: plan.region,
        roleArn: plan.roleArn,
        policyStoreId: plan.input.policyStoreId,
        replaces: plan.replaces?.identitySourceId,
      };
    case 'update':
    case 'delete':
      return {
        action: plan.action,
        region: plan.region,
        roleArn: plan.roleArn,
        identitySourceId: plan.input.identitySourceId,
      };
    case 'delete-unconfirmed':
      return { action: plan.action, region: plan.region, policyStoreId: plan.replay.policyStoreId };
    case 'sweep':
      return { action: plan.action };
    case 'no-op':
      return { action: plan.action, identitySourceId: plan.identitySourceId };
    case 'acknowledge':
      return { action: plan.action, why: plan.why };
    case 'reject':
      return { action: plan.action, problems: plan.problems.length };
  }
}

/**
 * After the answer was sent: a SUCCESS that made a new identity source (a Create, or an
 * Update that replaced) is settled in the create journal — live when CloudFormation got it,
 * removed again if a Delete cancelled the Create meanwhile.
 */
export async function afterAnswer(
  request: CustomResourceRequest,
  outcome: ResourceOutcome,
  delivered: boolean,
  deps: ProvisionDependencies,
): Promise<void> {
  if (deps.journal === undefined || outcome.status !== 'SUCCESS') return;
  if (request.requestType === 'Update' && outcome.physicalResourceId === request.physicalResourceId)
    return;
  const plan = planFor(resourceRequestOf(request), deps);
  if (plan.action !== 'create') return;
  try {
    await settleCreated(
      plan,
      outcome.physicalResourceId,
      delivered,
      await withRole(plan, request, deps),
    );
  } catch (error) {
    deps.log.warn('Could not settle the Create in the journal', {
      error: (error as Error).message,
    });
  }
}

/** The dependencies with the plan's role's clients, when it has a role (assumed once per invocation). */
async function withRole(
  plan: Plan,
  request: CustomResourceRequest,
  deps: ProvisionDependencies,
): Promise<ProvisionDependencies> {
  const roleArn = 'roleArn' in plan ? plan.roleArn : undefined;
  const region = 'region' in plan ? plan.region : undefined;
  if (roleArn === undefined || region === undefined) return deps;
  const key = `${region} ${roleArn}`;
  let clientFor = deps.roleClients?.get(key);
  if (clientFor === undefined) {
    const sessionName = sessionNameFor(request.logicalResourceId, request.requestId);
    clientFor = await clientsForRole({ region, roleArn, sessionName }, deps);
    deps.roleClients?.set(key, clientFor);
  }
  return { ...deps, clientFor };
}
