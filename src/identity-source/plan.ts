/**
 * Pure: what one request means for the identity source. No SDK client, no HTTP, no logger.
 *
 * | request | plan |
 * | --- | --- |
 * | Create | `create` (clientToken from the RequestId), or `reject` on invalid properties |
 * | Update, `PolicyStoreId` or `Region` changed | `create` a replacement (CloudFormation deletes the old one) |
 * | Update, anything else that matters changed | `update` in place, Cognito↔OIDC switch included |
 * | Update, nothing that matters changed | `no-op` |
 * | Delete of an identity source id | `delete` (not-found counts as done, then as `sweep`) |
 * | Delete of `CreateUnconfirmed:<token>` | `delete-unconfirmed`: replay the create to find it, then delete |
 * | Delete of any other id (one CloudFormation made up) | `sweep`: remove what an unanswered Create of this resource made |
 * | Delete of `NotCreated:…` | `acknowledge` |
 */
import type {
  CreateIdentitySourceInput,
  DeleteIdentitySourceInput,
  UpdateIdentitySourceInput,
} from '@aws-sdk/client-verifiedpermissions';
import type { ResourceKey } from '../persistence/create-journal.js';
import { createInput, deleteInput, updateInput } from './api-input.js';
import { clientTokenFor } from './client-token.js';
import type { IdentitySourceConfiguration } from './configuration.js';
import { sameInPlaceProperties } from './in-place-properties.js';
import { notCreatedId, readPhysicalId } from './physical-id.js';
import { type IdentitySourceProperties, parseProperties } from './properties.js';
import type { PropertyProblem } from './property-reader.js';
import { POLICY_STORE_ALIAS } from './property-rules.js';
import type { RawProperties, ResourceRequest } from './resource-request.js';

export type Plan =
  | {
      readonly action: 'create';
      readonly region: string;
      readonly input: CreateIdentitySourceInput;
      /** What the new source is configured with, for the response's Details. */
      readonly configuration: IdentitySourceConfiguration;
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
    }
  | {
      readonly action: 'update';
      readonly region: string;
      readonly input: UpdateIdentitySourceInput;
      readonly configuration: IdentitySourceConfiguration;
    }
  | {
      readonly action: 'no-op';
      readonly identitySourceId: string;
      readonly configuration: IdentitySourceConfiguration;
    }
  | {
      readonly action: 'delete';
      readonly region: string;
      readonly input: DeleteIdentitySourceInput;
      readonly resource: ResourceKey;
      readonly issuedAt?: number;
    }
  | {
      /** The id is not an identity source: find and remove what an unanswered Create made. */
      readonly action: 'sweep';
      readonly resource: ResourceKey;
      readonly issuedAt?: number;
    }
  | {
      readonly action: 'delete-unconfirmed';
      readonly region: string;
      readonly replay: CreateIdentitySourceInput;
    }
  | { readonly action: 'acknowledge'; readonly physicalResourceId: string; readonly why: string }
  | {
      readonly action: 'reject';
      readonly problems: readonly PropertyProblem[];
      /** The id a FAILED answer carries: a not-created marker on Create, else the request's. */
      readonly physicalResourceId: string;
    };

/**
 * Decides what to do for a request.
 *
 * @example
 * ```ts
 * const plan = planFor(
 *   { action: 'create', requestId, resource: { stackId, logicalResourceId }, properties },
 *   'eu-west-1',
 * );
 * if (plan.action === 'create') await client.send(new CreateIdentitySourceCommand(plan.input));
 * ```
 */
export function planFor(request: ResourceRequest, defaultRegion: string): Plan {
  switch (request.action) {
    case 'create':
      return planCreate(request, defaultRegion);
    case 'update':
      return planUpdate(request, defaultRegion);
    case 'delete':
      return planDelete(request, defaultRegion);
  }
}

type RequestOf<A extends ResourceRequest['action']> = Extract<ResourceRequest, { action: A }>;

function planCreate(request: RequestOf<'create'>, defaultRegion: string): Plan {
  const parsed = parseProperties(request.properties);
  if (!parsed.ok) {
    return {
      action: 'reject',
      problems: parsed.problems,
      physicalResourceId: notCreatedId(request.requestId),
    };
  }
  return creation(parsed.properties, request, defaultRegion);
}

function planUpdate(request: RequestOf<'update'>, defaultRegion: string): Plan {
  const physicalId = request.physicalResourceId;
  const parsed = parseProperties(request.properties);
  if (!parsed.ok)
    return { action: 'reject', problems: parsed.problems, physicalResourceId: physicalId };
  const next = parsed.properties;

  const current = readPhysicalId(physicalId);
  if (current.kind !== 'identity-source') return creation(next, request, defaultRegion);

  const old = parseProperties(request.oldProperties);
  const oldStore = old.ok ? old.properties.policyStoreId : request.oldProperties.PolicyStoreId;
  const oldRegion = old.ok ? old.properties.region : request.oldProperties.Region;
  const regionOf = (region: unknown) => (typeof region === 'string' ? region : defaultRegion);
  const sameRegion = regionOf(oldRegion) === regionOf(next.region);
  if (oldStore !== next.policyStoreId || !sameRegion) {
    const aliased = [oldStore, next.policyStoreId].some(
      (store) => typeof store === 'string' && POLICY_STORE_ALIAS.test(store),
    );
    return {
      ...creation(next, request, defaultRegion),
      replaces: {
        identitySourceId: current.identitySourceId,
        ifAlreadyThere: updateInput(next, current.identitySourceId),
        ...(aliased &&
          sameRegion && { sameStoreIf: { old: String(oldStore), next: next.policyStoreId } }),
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
    input: updateInput(next, current.identitySourceId),
    configuration,
  };
}

function planDelete(request: RequestOf<'delete'>, defaultRegion: string): Plan {
  const { physicalResourceId } = request;
  const current = readPhysicalId(physicalResourceId);
  if (current.kind === 'not-created') {
    return { action: 'acknowledge', physicalResourceId, why: 'the Create made nothing' };
  }
  const { resource, issuedAt } = request;
  if (current.kind === 'foreign') return { action: 'sweep', resource, ...optional({ issuedAt }) };
  if (current.kind === 'create-unconfirmed') {
    const parsed = parseProperties(request.properties);
    if (!parsed.ok) {
      return {
        action: 'acknowledge',
        physicalResourceId,
        why: 'the Create never reached the API (invalid properties)',
      };
    }
    return {
      action: 'delete-unconfirmed',
      region: parsed.properties.region ?? defaultRegion,
      replay: createInput(parsed.properties, current.clientToken),
    };
  }
  const location = locationOf(request.properties, defaultRegion);
  if (!location.ok) return { action: 'reject', problems: location.problems, physicalResourceId };
  return {
    action: 'delete',
    region: location.region,
    input: deleteInput(location.policyStoreId, current.identitySourceId),
    resource,
    ...optional({ issuedAt }),
  };
}

function creation(
  properties: IdentitySourceProperties,
  request: ResourceRequest,
  defaultRegion: string,
) {
  return {
    action: 'create',
    region: properties.region ?? defaultRegion,
    input: createInput(properties, clientTokenFor(request.requestId)),
    configuration: properties.configuration,
    requestId: request.requestId,
    resource: request.resource,
    ...optional({ issuedAt: request.issuedAt }),
  } as const;
}

/**
 * Where a source to delete lives. Only `PolicyStoreId` and `Region` need to be valid: the
 * rest of the properties does not matter to a Delete.
 */
function locationOf(
  raw: RawProperties,
  defaultRegion: string,
):
  | { readonly ok: true; readonly policyStoreId: string; readonly region: string }
  | { readonly ok: false; readonly problems: readonly PropertyProblem[] } {
  const parsed = parseProperties(raw);
  if (parsed.ok) {
    return {
      ok: true,
      policyStoreId: parsed.properties.policyStoreId,
      region: parsed.properties.region ?? defaultRegion,
    };
  }
  const problems = parsed.problems.filter((p) => p.path === 'PolicyStoreId' || p.path === 'Region');
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    policyStoreId: String(raw.PolicyStoreId),
    region: typeof raw.Region === 'string' ? raw.Region : defaultRegion,
  };
}

/** The fields of `fields` that are set. */
function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
