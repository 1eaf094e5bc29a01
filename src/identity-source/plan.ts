/**
 * Pure: what one request means for the identity source. No SDK client, no HTTP, no logger.
 *
 * | request | plan |
 * | --- | --- |
 * | Create | `create` (clientToken from the RequestId), or `reject` on invalid properties |
 * | Update, `PolicyStoreId`, `Region` or the account changed | `create` a replacement (CloudFormation deletes the old one) |
 * | Update, anything else that matters changed | `update` in place, Cognito↔OIDC switch included |
 * | Update, nothing that matters changed | `no-op` |
 * | Delete | see `delete-plan.ts` |
 */
import type {
  CreateIdentitySourceInput,
  DeleteIdentitySourceInput,
  UpdateIdentitySourceInput,
} from '@aws-sdk/client-verifiedpermissions';
import type { ResourceKey } from '../persistence/create-journal.js';
import { rolePartitionProblem, sameAccount } from './account.js';
import { createInput, updateInput } from './api-input.js';
import { clientTokenFor } from './client-token.js';
import type { IdentitySourceConfiguration } from './configuration.js';
import { planDelete } from './delete-plan.js';
import { sameInPlaceProperties } from './in-place-properties.js';
import { notCreatedId, readPhysicalId } from './physical-id.js';
import { type IdentitySourceProperties, parseProperties } from './properties.js';
import type { PropertyProblem } from './property-reader.js';
import { POLICY_STORE_ALIAS } from './property-rules.js';
import type { ResourceRequest } from './resource-request.js';

/** Where a plan's API calls go: the region, and the role to assume there (none: the function's own). */
interface Target {
  readonly region: string;
  readonly roleArn?: string;
}

export type Plan =
  | (Target & {
      readonly action: 'create';
      readonly input: CreateIdentitySourceInput;
      /** What the new source is configured with, for the response's Details. */
      readonly configuration: IdentitySourceConfiguration;
      /** Take over a source the store already holds (`AdoptExisting`). */
      readonly adoptExisting: boolean;
      /**
       * On an Update that needs replacement: the identity source being replaced, and the
       * in-place update to make instead if that source already lives in the target store and
       * region — the rollback of a failed replacement, where CloudFormation swaps old and new.
       */
      readonly replaces?: {
        readonly identitySourceId: string;
        readonly ifAlreadyThere: UpdateIdentitySourceInput;
        /**
         * When the old or new `PolicyStoreId` is an alias: both, to be resolved. If they name
         * the same store, nothing is replaced — the update is made in place.
         */
        readonly sameStoreIf?: { readonly old: string; readonly next: string };
      };
      /** The request making it, and the resource it belongs to (for the create journal). */
      readonly requestId: string;
      readonly resource: ResourceKey;
      readonly issuedAt?: number;
    })
  | (Target & {
      readonly action: 'update';
      readonly input: UpdateIdentitySourceInput;
      readonly configuration: IdentitySourceConfiguration;
      readonly resource: ResourceKey;
    })
  | {
      readonly action: 'no-op';
      readonly identitySourceId: string;
      readonly configuration: IdentitySourceConfiguration;
    }
  | (Target & {
      readonly action: 'delete';
      readonly input: DeleteIdentitySourceInput;
      readonly resource: ResourceKey;
      readonly issuedAt?: number;
    })
  | (Partial<Target> & {
      /** The id is not an identity source: find and remove what an unanswered Create made. */
      readonly action: 'sweep';
      readonly resource: ResourceKey;
      readonly issuedAt?: number;
    })
  | (Target & {
      readonly action: 'delete-unconfirmed';
      readonly replay: CreateIdentitySourceInput;
      readonly resource: ResourceKey;
    })
  | { readonly action: 'acknowledge'; readonly physicalResourceId: string; readonly why: string }
  | {
      readonly action: 'reject';
      readonly problems: readonly PropertyProblem[];
      /** The id a FAILED answer carries: a not-created marker on Create, else the request's. */
      readonly physicalResourceId: string;
    };

/** What planning knows of the provider itself. */
export interface PlanContext {
  /** The function's region: where sources go when `Region` is not set. */
  readonly defaultRegion: string;
  /** The function's own account (from its ARN), when known. */
  readonly functionAccountId?: string;
}

/**
 * Decides what to do for a request.
 *
 * @example
 * ```ts
 * const plan = planFor(
 *   { action: 'create', requestId, resource: { stackId, logicalResourceId }, properties },
 *   { defaultRegion: 'eu-west-1', functionAccountId: '123456789012' },
 * );
 * if (plan.action === 'create') await client.send(new CreateIdentitySourceCommand(plan.input));
 * ```
 */
export function planFor(request: ResourceRequest, context: PlanContext): Plan {
  switch (request.action) {
    case 'create':
      return planCreate(request, context);
    case 'update':
      return planUpdate(request, context);
    case 'delete':
      return planDelete(request, context.defaultRegion);
  }
}

type RequestOf<A extends ResourceRequest['action']> = Extract<ResourceRequest, { action: A }>;

function planCreate(request: RequestOf<'create'>, context: PlanContext): Plan {
  const parsed = parsedFor(request.properties, context.defaultRegion);
  if (!parsed.ok) {
    return {
      action: 'reject',
      problems: parsed.problems,
      physicalResourceId: notCreatedId(request.requestId),
    };
  }
  return creation(parsed.properties, request, context.defaultRegion);
}

function planUpdate(request: RequestOf<'update'>, context: PlanContext): Plan {
  const { defaultRegion, functionAccountId } = context;
  const physicalId = request.physicalResourceId;
  const parsed = parsedFor(request.properties, defaultRegion);
  if (!parsed.ok)
    return { action: 'reject', problems: parsed.problems, physicalResourceId: physicalId };
  const next = parsed.properties;

  const current = readPhysicalId(physicalId);
  if (current.kind !== 'identity-source') return creation(next, request, defaultRegion);

  const old = parseProperties(request.oldProperties);
  const raw = request.oldProperties;
  const oldStore = old.ok ? old.properties.policyStoreId : raw.PolicyStoreId;
  const oldRegion = old.ok ? old.properties.region : raw.Region;
  const oldRole = old.ok ? old.properties : { roleArn: stringOrUndefined(raw.RoleArn) };
  const regionOf = (region: unknown) => (typeof region === 'string' ? region : defaultRegion);
  const sameRegion = regionOf(oldRegion) === regionOf(next.region);
  const sameAccountAsBefore = sameAccount(oldRole, next, functionAccountId);
  if (oldStore !== next.policyStoreId || !sameRegion || !sameAccountAsBefore) {
    const aliased = [oldStore, next.policyStoreId].some(
      (store) => typeof store === 'string' && POLICY_STORE_ALIAS.test(store),
    );
    const sameStoreIf = aliased && sameRegion && sameAccountAsBefore;
    return {
      ...creation(next, request, defaultRegion),
      replaces: {
        identitySourceId: current.identitySourceId,
        ifAlreadyThere: updateInput(next, current.identitySourceId),
        ...(sameStoreIf && { sameStoreIf: { old: String(oldStore), next: next.policyStoreId } }),
      },
    };
  }

  const configuration = next.updateConfiguration ?? next.configuration;
  if (old.ok && sameInPlaceProperties(old.properties, next)) {
    return { action: 'no-op', identitySourceId: current.identitySourceId, configuration };
  }
  return {
    action: 'update',
    region: regionOf(next.region),
    ...(next.roleArn !== undefined && { roleArn: next.roleArn }),
    input: updateInput(next, current.identitySourceId),
    configuration,
    resource: request.resource,
  };
}

/** The properties, with the checks that need the region they will be used in. */
function parsedFor(raw: ResourceRequest['properties'], defaultRegion: string) {
  const parsed = parseProperties(raw);
  if (!parsed.ok) return parsed;
  const problem = rolePartitionProblem(
    parsed.properties.roleArn,
    parsed.properties.region ?? defaultRegion,
  );
  return problem === undefined ? parsed : ({ ok: false, problems: [problem] } as const);
}

function creation(
  properties: IdentitySourceProperties,
  request: ResourceRequest,
  defaultRegion: string,
) {
  return {
    action: 'create',
    region: properties.region ?? defaultRegion,
    ...(properties.roleArn !== undefined && { roleArn: properties.roleArn }),
    input: createInput(properties, clientTokenFor(request.requestId)),
    configuration: properties.configuration,
    adoptExisting: properties.adoptExisting,
    requestId: request.requestId,
    resource: request.resource,
    ...(request.issuedAt !== undefined && { issuedAt: request.issuedAt }),
  } as const;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
