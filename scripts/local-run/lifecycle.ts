/**
 * The stack operations CloudFormation would perform for a create, an update and a delete of
 * the stack, as custom-resource requests: which requests, in which order, with which physical
 * ids and old properties, including its cleanup after replacements and its rollbacks after
 * failures. Sending the requests is left to the caller.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import type { Step, StepRequest } from './run-result.js';
import { stepFailed } from './run-result.js';
import type { StackModel } from './stack-model.js';

/** How requests reach the provider. */
export interface LifecycleHooks {
  /** Sends one request and records what it caused. */
  send(request: StepRequest): Promise<Step>;
  /** Called once before a phase with its model (e.g. to add its policy stores to the double). */
  prepare(model: StackModel): Promise<void> | void;
  /** Called once the stack is created and updated, before its Delete, with the live resources. */
  beforeDelete?(live: ReadonlyMap<string, LiveResource>): Promise<void>;
}

/** The steps taken, and notes about what CloudFormation would do without a request. */
export interface LifecycleResult {
  readonly steps: Step[];
  readonly notes: string[];
}

/** A resource the stack holds: its physical id and the properties last applied. */
export interface LiveResource {
  physicalId: string;
  properties: Record<string, unknown>;
}

/**
 * Creates the stack from `create`, updates it to `update` (if given), then deletes it.
 * - Create: each custom resource in template order; after a failure, CloudFormation's
 *   rollback deletes what was created (the failed resource too, by the physical id it answered)
 *   and the run stops there.
 * - Update: Create for new resources, Update for those whose resolved properties changed
 *   (none for unchanged ones); then the cleanup deletes replaced physical ids (an Update that
 *   answered a new one) and removed resources. After a failure, the rollback undoes the
 *   phase's requests in reverse (Update back with the old properties; Delete of what it created).
 * - Delete: every live resource, in reverse template order.
 */
export async function runLifecycle(
  models: { readonly create: StackModel; readonly update: StackModel | undefined },
  hooks: LifecycleHooks,
): Promise<LifecycleResult> {
  const steps: Step[] = [];
  const notes: string[] = [];
  const live = new Map<string, LiveResource>();
  const send = async (request: StepRequest): Promise<Step> => {
    const step = await hooks.send(request);
    steps.push(step);
    return step;
  };

  await hooks.prepare(models.create);
  if (!(await createPhase(models.create, live, send))) {
    notes.push('The Create failed, so CloudFormation rolled the stack back; no Update or Delete.');
    return { steps, notes };
  }
  if (models.update === undefined) {
    notes.push('No update template and no --set: no Update step.');
  } else {
    await hooks.prepare(models.update);
    await updatePhase(models.update, live, send, notes);
  }
  await hooks.beforeDelete?.(live);
  for (const [logicalId, resource] of [...live].reverse()) {
    await send({ phase: 'delete', requestType: 'Delete', logicalId, ...liveRequest(resource) });
  }
  return { steps, notes };
}

type Send = (request: StepRequest) => Promise<Step>;

const liveRequest = (resource: LiveResource) => ({
  physicalId: resource.physicalId,
  properties: resource.properties,
});

async function createPhase(
  model: StackModel,
  live: Map<string, LiveResource>,
  send: Send,
): Promise<boolean> {
  for (const { logicalId, properties } of model.resources) {
    const step = await send({ phase: 'create', requestType: 'Create', logicalId, properties });
    const physicalId = step.response?.PhysicalResourceId;
    if (physicalId !== undefined) live.set(logicalId, { physicalId, properties });
    if (stepFailed(step)) {
      for (const [id, resource] of [...live].reverse()) {
        await send({
          phase: 'rollback',
          requestType: 'Delete',
          logicalId: id,
          ...liveRequest(resource),
        });
      }
      live.clear();
      return false;
    }
  }
  return true;
}

async function updatePhase(
  model: StackModel,
  live: Map<string, LiveResource>,
  send: Send,
  notes: string[],
): Promise<void> {
  const before = new Map(live);
  const undo: StepRequest[] = [];
  const cleanup: StepRequest[] = [];
  let failed = false;
  for (const { logicalId, properties } of model.resources) {
    const current = live.get(logicalId);
    if (current && isDeepStrictEqual(current.properties, properties)) {
      notes.push(`${logicalId}: resolved properties unchanged, so CloudFormation sends no Update.`);
      continue;
    }
    const step = await send(
      current
        ? {
            phase: 'update',
            requestType: 'Update',
            logicalId,
            properties,
            physicalId: current.physicalId,
            oldProperties: current.properties,
          }
        : { phase: 'update', requestType: 'Create', logicalId, properties },
    );
    const physicalId = step.response?.PhysicalResourceId;
    if (current) {
      const replaced = physicalId !== undefined && physicalId !== current.physicalId;
      if (replaced && !stepFailed(step)) {
        cleanup.push({
          phase: 'cleanup',
          requestType: 'Delete',
          logicalId,
          ...liveRequest(current),
        });
        undo.push({ phase: 'rollback', requestType: 'Delete', logicalId, physicalId, properties });
      } else {
        undo.push({
          phase: 'rollback',
          requestType: 'Update',
          logicalId,
          properties: current.properties,
          physicalId: current.physicalId,
          oldProperties: properties,
        });
      }
    } else if (physicalId !== undefined) {
      undo.push({ phase: 'rollback', requestType: 'Delete', logicalId, physicalId, properties });
    }
    if (stepFailed(step)) {
      failed = true;
      break;
    }
    if (physicalId !== undefined) live.set(logicalId, { physicalId, properties });
  }

  if (failed) {
    notes.push('The update failed, so CloudFormation rolled it back.');
    for (const request of undo.reverse()) await send(request);
    live.clear();
    for (const [id, resource] of before) live.set(id, resource);
    return;
  }
  const kept = new Set(model.resources.map((r) => r.logicalId));
  for (const [logicalId, resource] of [...live].reverse()) {
    if (!kept.has(logicalId)) {
      cleanup.push({
        phase: 'cleanup',
        requestType: 'Delete',
        logicalId,
        ...liveRequest(resource),
      });
      live.delete(logicalId);
    }
  }
  for (const request of cleanup) await send(request);
}
