/**
 * One template as the local run deploys it: its custom resources' `ResourceProperties`
 * resolved, and the policy stores the Verified Permissions double must have for them.
 *
 * @module
 */
import { type ResolveScope, resolveProperties } from './resolver.js';
import {
  isPolicyStore,
  LOCAL_ACCOUNT_ID,
  type LocalStackIdentity,
  partitionOf,
  pseudoParameters,
  simulateResources,
} from './simulated-stack.js';
import {
  type CustomResource,
  customResources,
  type ParameterValue,
  type Template,
} from './template.js';

/** A custom resource with the properties CloudFormation would send. */
export interface ResolvedResource {
  readonly logicalId: string;
  readonly properties: Record<string, unknown>;
}

/** A policy store the double must know, and why. */
export interface PolicyStoreNeed {
  readonly id: string;
  readonly region: string;
  /** `AWS::VerifiedPermissions::PolicyStore <LogicalId>`, or the property that names an existing store. */
  readonly origin: string;
}

/** A template resolved for one stack. */
export interface StackModel {
  readonly resources: readonly ResolvedResource[];
  readonly policyStores: readonly PolicyStoreNeed[];
}

/** What {@link resolveStack} needs besides the template. */
export interface StackInputs {
  readonly stack: LocalStackIdentity;
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  /** Applied to each custom resource's template properties before they are resolved. */
  readonly adjust?: (resource: CustomResource) => Record<string, unknown>;
}

/**
 * Resolves the template's custom resources. Policy stores come from the template's
 * `AWS::VerifiedPermissions::PolicyStore` resources (in the stack's region) and from any other
 * `PolicyStoreId` value, which stands for a store that exists already, in the resource's
 * `Region` (default the stack's).
 *
 * @throws LocalRunError from the resolver.
 */
export function resolveStack(template: Template, inputs: StackInputs): StackModel {
  const { region } = inputs.stack;
  const simulated = simulateResources(template, region);
  const pseudo = pseudoParameters(inputs.stack);
  const scope: ResolveScope = {
    parameters: inputs.parameters,
    pseudo,
    simulated,
    resourceTypes: Object.fromEntries(
      Object.entries(template.Resources).map(([id, resource]) => [id, resource.Type]),
    ),
    serviceToken: `arn:${partitionOf(region).id}:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:local-run-provider`,
  };
  const resources = customResources(template).map((resource) => ({
    logicalId: resource.logicalId,
    properties: resolveProperties(
      resource.logicalId,
      inputs.adjust ? inputs.adjust(resource) : resource.properties,
      scope,
    ),
  }));

  const policyStores: PolicyStoreNeed[] = [];
  for (const [logicalId, resource] of Object.entries(simulated)) {
    if (isPolicyStore(resource)) {
      policyStores.push({ id: resource.ref, region, origin: `${resource.type} ${logicalId}` });
    }
  }
  for (const { logicalId, properties } of resources) {
    const id = properties.PolicyStoreId;
    const storeRegion = typeof properties.Region === 'string' ? properties.Region : region;
    if (typeof id === 'string' && id !== '' && !policyStores.some((store) => store.id === id)) {
      policyStores.push({ id, region: storeRegion, origin: `${logicalId}.PolicyStoreId` });
    }
  }
  return { resources, policyStores };
}
