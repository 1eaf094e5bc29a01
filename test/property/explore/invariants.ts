/**
 * What must hold after every story, once every delivery is made and CloudFormation's reaction
 * is complete:
 *
 * 1. `answered` — every request CloudFormation sent got an answer before it stopped waiting
 *    (through Lambda's retries if need be);
 * 2. `no-orphan` — every identity source in the service is known: the physical id of a
 *    resource some stack still records, or a source that existed before the story;
 * 3. `owner-unchanged` — a source that existed before the story (another owner's) still exists
 *    with its configuration, unless a resource that took it over is still recorded, or that
 *    resource was deleted by its own stack's Delete (not a rollback), which deletes it;
 * 4. `live-exists` — every live resource's physical id is an identity source in the store its
 *    properties name;
 * 5. `live-configured` — every live resource's source has the resource's configuration (client
 *    ids, principal entity type);
 * 6. `not-shared` — no two live resources share one source;
 * 7. `not-stuck` — no stack ends in a *_FAILED state unless a call was denied (definitively:
 *    nothing else could have succeeded) or a service call hung for the request's whole budget
 *    (`slow` on Verified Permissions or CloudFormation: no answer was possible in time).
 *
 * A call denied for good (the operator must fix a permission) may leave a FAILED request's
 * source behind — the answer says so — so `no-orphan` does not hold the story to it.
 */
import type { Resource } from './cloudformation.js';
import type { StoryOutcome } from './stories.js';

export type InvariantName =
  | 'answered'
  | 'no-orphan'
  | 'owner-unchanged'
  | 'live-exists'
  | 'live-configured'
  | 'not-shared'
  | 'not-stuck';

export interface Violation {
  readonly invariant: InvariantName;
  readonly detail: string;
}

interface Configured {
  readonly PolicyStoreId?: string;
  readonly PrincipalEntityType?: string;
  readonly Configuration?: { CognitoUserPoolConfiguration?: { ClientIds?: string[] } };
}

/**
 * @example
 * ```ts
 * const violations = check(await runStory(services, spec));
 * ```
 */
export function check(outcome: StoryOutcome): Violation[] {
  const { cfn, world, foreign, spec } = outcome;
  const violations: Violation[] = [];
  const sources = world.services.double.identitySources();
  const byId = new Map(sources.map((s) => [s.identitySourceId, s]));

  for (const request of cfn.requests) {
    if (request.answer === undefined) {
      const late = request.late.length > 0 ? ` (answered late: ${request.late[0]?.status})` : '';
      violations.push({
        invariant: 'answered',
        detail: `${request.label}: never answered in time${late}`,
      });
    }
  }

  const recorded: Resource[] = cfn.stacks.flatMap((s) => [...s.resources.values()]);
  const live = recorded.filter((r) => r.state === 'live' && r.spec.type === 'identity-source');
  const known = new Set([
    ...recorded.map((r) => r.physicalId),
    ...foreign.map((f) => f.identitySourceId),
  ]);
  const denied = spec.fault?.kind === 'deny' && world.hit !== undefined;
  for (const s of sources) {
    if (!known.has(s.identitySourceId) && !denied) {
      violations.push({
        invariant: 'no-orphan',
        detail: `source ${s.identitySourceId} in store ${s.policyStoreId} (${s.principalEntityType}) belongs to no stack`,
      });
    }
  }

  for (const f of foreign) {
    // Held by a resource a stack still records (live, or whose Delete failed): theirs for now.
    const held = recorded.some((r) => r.physicalId === f.identitySourceId);
    if (held || cfn.deletedByOwner.has(f.identitySourceId)) continue;
    const now = byId.get(f.identitySourceId);
    if (now === undefined) {
      violations.push({
        invariant: 'owner-unchanged',
        detail: `source ${f.identitySourceId} of another owner was deleted`,
      });
      continue;
    }
    const clientIds = now.configuration.cognitoUserPoolConfiguration?.clientIds ?? [];
    if (
      JSON.stringify(clientIds) !== JSON.stringify(f.clientIds) ||
      now.principalEntityType !== f.principalEntityType
    ) {
      violations.push({
        invariant: 'owner-unchanged',
        detail: `source ${f.identitySourceId} of another owner left changed: ${now.principalEntityType} ${JSON.stringify(clientIds)}, was ${f.principalEntityType} ${JSON.stringify(f.clientIds)}`,
      });
    }
  }

  const holders = new Map<string, string[]>();
  for (const resource of live) {
    const props = (resource.spec as { properties: Configured }).properties;
    const name = `${resource.logicalId} (${resource.physicalId})`;
    holders.set(resource.physicalId, [
      ...(holders.get(resource.physicalId) ?? []),
      resource.logicalId,
    ]);
    const s = byId.get(resource.physicalId);
    if (s === undefined || s.policyStoreId !== props.PolicyStoreId) {
      violations.push({
        invariant: 'live-exists',
        detail: `live resource ${name} has no source in ${props.PolicyStoreId}`,
      });
      continue;
    }
    const clientIds = s.configuration.cognitoUserPoolConfiguration?.clientIds ?? [];
    const wanted = props.Configuration?.CognitoUserPoolConfiguration?.ClientIds ?? [];
    if (
      JSON.stringify(clientIds) !== JSON.stringify(wanted) ||
      s.principalEntityType !== props.PrincipalEntityType
    ) {
      violations.push({
        invariant: 'live-configured',
        detail: `live resource ${name}: source has ${s.principalEntityType} ${JSON.stringify(clientIds)}, resource says ${props.PrincipalEntityType} ${JSON.stringify(wanted)}`,
      });
    }
  }
  for (const [id, logicalIds] of holders) {
    if (logicalIds.length > 1) {
      violations.push({
        invariant: 'not-shared',
        detail: `${logicalIds.join(' and ')} share source ${id}`,
      });
    }
  }

  const hung =
    spec.fault?.kind === 'slow' && world.hit !== undefined && world.hit.port !== 'dynamodb';
  for (const stack of cfn.stacks) {
    if (stack.status.endsWith('_FAILED') && !denied && !hung) {
      violations.push({
        invariant: 'not-stuck',
        detail: `stack ${stack.name} ended ${stack.status}`,
      });
    }
  }
  return violations;
}
