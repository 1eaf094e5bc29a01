/**
 * Pure: what a Delete means.
 *
 * | Delete of | plan |
 * | --- | --- |
 * | an identity source id | `delete` (not-found counts as done, then as `sweep`) |
 * | `CreateUnconfirmed:<token>` | `delete-unconfirmed`: replay the create to find it, then delete |
 * | any other id (one CloudFormation made up) | `sweep`: remove what an unanswered Create of this resource made |
 * | `NotCreated:…` | `acknowledge` |
 *
 * Each goes to the region, and with the role, of the Delete's own properties.
 */
import { createInput, deleteInput } from './api-input.js';
import { readPhysicalId } from './physical-id.js';
import type { Plan } from './plan.js';
import { parseProperties } from './properties.js';
import type { PropertyProblem } from './property-reader.js';
import type { RawProperties, ResourceRequest } from './resource-request.js';

/** The properties a Delete needs: where the source lives, and how to reach it. */
const LOCATION_PROPERTIES = ['PolicyStoreId', 'Region', 'RoleArn'];

/**
 * @example
 * ```ts
 * planDelete({ action: 'delete', physicalResourceId: 'NotCreated:r1', … }, 'eu-west-1'); // { action: 'acknowledge', … }
 * ```
 */
export function planDelete(
  request: Extract<ResourceRequest, { action: 'delete' }>,
  defaultRegion: string,
): Plan {
  const { physicalResourceId, resource, issuedAt } = request;
  const current = readPhysicalId(physicalResourceId);
  const when = issuedAt === undefined ? {} : { issuedAt };
  if (current.kind === 'not-created') {
    return { action: 'acknowledge', physicalResourceId, why: 'the Create made nothing' };
  }
  const location = locationOf(request.properties, defaultRegion);
  if (current.kind === 'foreign') {
    const target = location.ok ? location.target : {};
    return { action: 'sweep', resource, ...target, ...when };
  }
  if (current.kind === 'create-unconfirmed') {
    const parsed = parseProperties(request.properties);
    if (!parsed.ok || !location.ok) {
      return {
        action: 'acknowledge',
        physicalResourceId,
        why: 'the Create never reached the API (invalid properties)',
      };
    }
    return {
      action: 'delete-unconfirmed',
      ...location.target,
      replay: createInput(parsed.properties, current.clientToken),
      resource,
    };
  }
  if (!location.ok) return { action: 'reject', problems: location.problems, physicalResourceId };
  return {
    action: 'delete',
    ...location.target,
    input: deleteInput(location.policyStoreId, current.identitySourceId),
    resource,
    ...when,
  };
}

/**
 * Where a source to delete lives. Only `PolicyStoreId`, `Region` and `RoleArn` need to be
 * valid: the rest of the properties does not matter to a Delete.
 */
function locationOf(
  raw: RawProperties,
  defaultRegion: string,
):
  | {
      readonly ok: true;
      readonly policyStoreId: string;
      readonly target: { readonly region: string; readonly roleArn?: string };
    }
  | { readonly ok: false; readonly problems: readonly PropertyProblem[] } {
  const parsed = parseProperties(raw);
  const problems = parsed.ok
    ? []
    : parsed.problems.filter((p) => LOCATION_PROPERTIES.includes(p.path));
  if (problems.length > 0) return { ok: false, problems };
  const { PolicyStoreId, Region, RoleArn } = raw;
  const region = typeof Region === 'string' ? Region : defaultRegion;
  return {
    ok: true,
    policyStoreId: String(PolicyStoreId),
    target: { region, ...(typeof RoleArn === 'string' && { roleArn: RoleArn }) },
  };
}
