/**
 * A small model of CloudFormation as a custom resource's provider meets it: stacks made of
 * resources, and what CloudFormation sends, when, and what it does with the answers.
 *
 * - every request carries a fresh RequestId and a ResponseURL signed when it is sent (valid
 *   2 h); CloudFormation waits `ServiceTimeout` (default 1 h) for the answer, then gives up;
 * - a Create that fails (FAILED, or no answer in time) rolls the stack back: the resources it
 *   made are deleted — the failed one with the physical id its FAILED answer carried, or one
 *   CloudFormation made up when there was no answer; with `OnFailure=DELETE` the stack is
 *   deleted instead (DELETE_IN_PROGRESS);
 * - an Update answered with a new physical id replaced the resource: the old id's cleanup
 *   Delete follows once the update is complete; a failed Update is rolled back with an Update
 *   back (old and new properties swapped, the id before the update); a replacement that
 *   succeeded is rolled back by going back to the old id and deleting the new one;
 * - a new logical id is created first, a removed one deleted in the cleanup phase (a rename);
 * - cleanup Deletes that fail are ignored: the resource is forgotten;
 * - a nested stack is deleted by its parent's rollback (it reads DELETE_IN_PROGRESS, its root
 *   ROLLBACK_IN_PROGRESS).
 */
import { now } from './clock.js';
import type { Lambda } from './lambda.js';
import type { StackDescription, StackTemplate } from './ports.js';
import type { Random } from './random.js';
import type { Scheduler } from './scheduler.js';
import { ACCOUNT_ID, FUNCTION_REGION } from './world.js';

export const RESOURCE_TYPE = 'Custom::VerifiedPermissionsIdentitySource';
/** How long a pre-signed ResponseURL is valid. */
const RESPONSE_URL_VALIDITY_S = 7200;
const DEFAULT_SERVICE_TIMEOUT_S = 3600;

export type Properties = Readonly<Record<string, unknown>>;

/** A resource of a template. */
export type ResourceSpec =
  | { readonly type: 'identity-source'; readonly properties: Properties }
  /** Another resource whose Create fails (CloudFormation handles it without the provider). */
  | { readonly type: 'fails' }
  | { readonly type: 'nested'; readonly template: Template };

/** Resources by logical id, in the order CloudFormation creates them. */
export type Template = Readonly<Record<string, ResourceSpec>>;

export interface Resource {
  readonly logicalId: string;
  spec: ResourceSpec;
  physicalId: string;
  /** `live`: created or updated; `failed`: its Create failed; `delete-failed`: its Delete failed. */
  state: 'live' | 'failed' | 'delete-failed';
  child?: Stack;
}

export interface Stack {
  readonly name: string;
  readonly stackId: string;
  status: string;
  /** What CloudFormation says of the status (`StackStatusReason`). */
  statusReason?: string;
  template: Template;
  readonly resources: Map<string, Resource>;
  readonly onFailure: 'ROLLBACK' | 'DELETE';
  readonly parent?: Stack;
}

/** An answer as CloudFormation read it. */
export interface Answer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalId: string;
  readonly reason?: string;
  readonly at: number;
}

/** One request CloudFormation sent, and what became of it. */
export interface RequestRecord {
  readonly id: number;
  readonly label: string;
  readonly event: Record<string, unknown>;
  readonly issuedAt: number;
  readonly waitEnd: number;
  answer?: Answer;
  /** Answers that came after the first, or after CloudFormation gave up. */
  readonly late: Answer[];
  gaveUp: boolean;
  resolve?: (result: Result) => void;
}

type Result = Answer | { readonly status: 'TIMEOUT' };

const isIdentitySource = (
  spec: ResourceSpec,
): spec is Extract<ResourceSpec, { type: 'identity-source' }> => spec.type === 'identity-source';

/**
 * @example
 * ```ts
 * const cfn = new CloudFormation(scheduler, lambda, random);
 * await cfn.createStack(cfn.stack('app'), { R: { type: 'identity-source', properties } });
 * ```
 */
export class CloudFormation {
  readonly stacks: Stack[] = [];
  readonly requests: RequestRecord[] = [];
  /** Physical ids whose resource was deleted by the stack's own Delete (not a rollback). */
  readonly deletedByOwner = new Set<string>();
  lambda!: Lambda;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly random: Random,
    private readonly options: { readonly serviceTimeoutSeconds?: number } = {},
  ) {}

  /** A new stack (not yet created). */
  stack(name: string, options: { onFailure?: 'ROLLBACK' | 'DELETE'; parent?: Stack } = {}): Stack {
    const stack: Stack = {
      name,
      stackId: `arn:aws:cloudformation:${FUNCTION_REGION}:${ACCOUNT_ID}:stack/${name}/${this.uuid()}`,
      status: 'REVIEW_IN_PROGRESS',
      template: {},
      resources: new Map(),
      onFailure: options.onFailure ?? 'ROLLBACK',
      ...(options.parent !== undefined && { parent: options.parent }),
    };
    this.stacks.push(stack);
    return stack;
  }

  // ---- the provider's view: the response bucket, DescribeStacks, GetTemplate ----

  /** A PUT to a ResponseURL: S3 takes it while the URL is valid; CloudFormation reads the first. */
  receive(url: string, body: string): { statusCode: number } {
    const id = Number(/\/r(\d+)$/.exec(new URL(url).pathname)?.[1]);
    const record = this.requests.find((r) => r.id === id);
    if (record === undefined) return { statusCode: 404 };
    if (now() > record.issuedAt + RESPONSE_URL_VALIDITY_S * 1000) return { statusCode: 403 };
    const parsed = JSON.parse(body) as {
      Status?: string;
      PhysicalResourceId?: string;
      Reason?: string;
    };
    const answer: Answer = {
      status: parsed.Status === 'SUCCESS' ? 'SUCCESS' : 'FAILED',
      physicalId: String(parsed.PhysicalResourceId),
      ...(parsed.Reason !== undefined && { reason: parsed.Reason }),
      at: now(),
    };
    if (record.answer !== undefined || record.gaveUp || now() > record.waitEnd) {
      record.late.push(answer);
    } else {
      record.answer = answer;
      this.scheduler.at(now(), () => record.resolve?.(answer));
    }
    return { statusCode: 200 };
  }

  describeStack(stackId: string): StackDescription {
    const stack = this.stacks.find((s) => s.stackId === stackId);
    if (stack === undefined)
      throw Object.assign(new Error('Stack does not exist'), { name: 'ValidationError' });
    let root = stack;
    while (root.parent !== undefined) root = root.parent;
    return {
      stackStatus: stack.status,
      ...(stack.statusReason !== undefined && { stackStatusReason: stack.statusReason }),
      ...(stack.parent !== undefined && { parentId: stack.parent.stackId, rootId: root.stackId }),
    };
  }

  getTemplate(stackId: string): StackTemplate {
    const stack = this.stacks.find((s) => s.stackId === stackId);
    if (stack === undefined)
      throw Object.assign(new Error('Stack does not exist'), { name: 'ValidationError' });
    const typeOf = (spec: ResourceSpec) =>
      spec.type === 'identity-source'
        ? RESOURCE_TYPE
        : spec.type === 'nested'
          ? 'AWS::CloudFormation::Stack'
          : 'AWS::CloudFormation::WaitCondition';
    return {
      resources: Object.fromEntries(
        Object.entries(stack.template).map(([id, spec]) => [id, { type: typeOf(spec) }]),
      ),
    };
  }

  // ---- stack operations ----

  /** Creates the stack; true when it was created. */
  async createStack(stack: Stack, template: Template): Promise<boolean> {
    stack.template = template;
    stack.status = 'CREATE_IN_PROGRESS';
    const made: Resource[] = [];
    let failed = false;
    for (const [logicalId, spec] of Object.entries(template)) {
      const resource = await this.createResource(stack, logicalId, spec, 'Create');
      stack.resources.set(logicalId, resource);
      made.push(resource);
      if (resource.state !== 'live') {
        failed = true;
        break;
      }
    }
    if (!failed) {
      stack.status = 'CREATE_COMPLETE';
      return true;
    }
    const deleting = stack.onFailure === 'DELETE';
    stack.status = deleting ? 'DELETE_IN_PROGRESS' : 'ROLLBACK_IN_PROGRESS';
    stack.statusReason = 'The following resource(s) failed to create: [see events].';
    const ok = await this.deleteResources(stack, made.reverse(), 'rollback Delete');
    stack.status = deleting
      ? ok
        ? 'DELETE_COMPLETE'
        : 'DELETE_FAILED'
      : ok
        ? 'ROLLBACK_COMPLETE'
        : 'ROLLBACK_FAILED';
    return false;
  }

  /** Deletes the stack (as its owner asked, unless a parent's rollback deletes it). */
  async deleteStack(stack: Stack, byOwner = true): Promise<boolean> {
    if (stack.status === 'DELETE_COMPLETE') return true;
    stack.status = 'DELETE_IN_PROGRESS';
    stack.statusReason = byOwner ? 'User Initiated' : 'Parent stack rollback';
    const all = [...stack.resources.values()].reverse();
    const ok = await this.deleteResources(stack, all, 'Delete', byOwner);
    stack.status = ok ? 'DELETE_COMPLETE' : 'DELETE_FAILED';
    return ok;
  }

  /** Updates the stack to `template`; true when the update completed. */
  async updateStack(stack: Stack, template: Template): Promise<boolean> {
    const before = stack.template;
    stack.template = template;
    stack.status = 'UPDATE_IN_PROGRESS';
    type Change =
      | { kind: 'created'; resource: Resource }
      | {
          kind: 'updated' | 'replaced';
          resource: Resource;
          old: { physicalId: string; spec: ResourceSpec };
        };
    const changes: Change[] = [];
    let failedUpdate: { resource: Resource; spec: ResourceSpec } | undefined;
    let failed = false;
    for (const [logicalId, spec] of Object.entries(template)) {
      const current = stack.resources.get(logicalId);
      if (current === undefined) {
        const resource = await this.createResource(stack, logicalId, spec, 'Create');
        stack.resources.set(logicalId, resource);
        changes.push({ kind: 'created', resource });
        if (resource.state !== 'live') {
          failed = true;
          break;
        }
        continue;
      }
      if (!isIdentitySource(spec) || !isIdentitySource(current.spec)) continue;
      if (JSON.stringify(spec.properties) === JSON.stringify(current.spec.properties)) continue;
      const result = await this.send(stack, 'Update', logicalId, 'Update', {
        physicalId: current.physicalId,
        properties: spec.properties,
        oldProperties: current.spec.properties,
      });
      if (result.status !== 'SUCCESS') {
        failedUpdate = { resource: current, spec };
        failed = true;
        break;
      }
      const old = { physicalId: current.physicalId, spec: current.spec };
      current.physicalId = result.physicalId;
      current.spec = spec;
      changes.push({
        kind: result.physicalId === old.physicalId ? 'updated' : 'replaced',
        resource: current,
        old,
      });
    }
    const removed = [...stack.resources.values()].filter((r) => !(r.logicalId in template));

    if (!failed) {
      stack.status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
      for (const change of changes) {
        if (change.kind !== 'replaced' || !isIdentitySource(change.old.spec)) continue;
        // A failed cleanup is ignored: the old resource is forgotten either way.
        await this.send(stack, 'Delete', change.resource.logicalId, 'cleanup Delete', {
          physicalId: change.old.physicalId,
          properties: change.old.spec.properties,
        });
      }
      for (const resource of removed.reverse()) {
        await this.deleteResource(stack, resource, 'cleanup Delete');
        stack.resources.delete(resource.logicalId);
      }
      stack.status = 'UPDATE_COMPLETE';
      return true;
    }

    stack.template = before;
    stack.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
    let ok = true;
    const cleanups: { logicalId: string; physicalId: string; properties: Properties }[] = [];
    const failedSpec = failedUpdate?.spec;
    const failedResource = failedUpdate?.resource;
    if (
      failedResource !== undefined &&
      failedSpec !== undefined &&
      isIdentitySource(failedSpec) &&
      isIdentitySource(failedResource.spec)
    ) {
      const resource = failedResource;
      const spec = failedSpec;
      const result = await this.send(stack, 'Update', resource.logicalId, 'rollback Update', {
        physicalId: resource.physicalId,
        properties: failedResource.spec.properties,
        oldProperties: spec.properties,
      });
      if (result.status !== 'SUCCESS') ok = false;
      else if (result.physicalId !== resource.physicalId) {
        cleanups.push({
          logicalId: resource.logicalId,
          physicalId: resource.physicalId,
          properties: spec.properties,
        });
        resource.physicalId = result.physicalId;
      }
    }
    for (const change of changes.reverse()) {
      const { resource } = change;
      if (change.kind === 'created') {
        if (await this.deleteResource(stack, resource, 'rollback Delete'))
          stack.resources.delete(resource.logicalId);
        else {
          resource.state = 'delete-failed';
          ok = false;
        }
        continue;
      }
      if (!isIdentitySource(change.old.spec) || !isIdentitySource(resource.spec)) continue;
      if (change.kind === 'replaced') {
        cleanups.push({
          logicalId: resource.logicalId,
          physicalId: resource.physicalId,
          properties: resource.spec.properties,
        });
        resource.physicalId = change.old.physicalId;
        resource.spec = change.old.spec;
        continue;
      }
      const result = await this.send(stack, 'Update', resource.logicalId, 'rollback Update', {
        physicalId: resource.physicalId,
        properties: change.old.spec.properties,
        oldProperties: resource.spec.properties,
      });
      if (result.status !== 'SUCCESS') {
        ok = false;
        continue;
      }
      resource.spec = change.old.spec;
      if (result.physicalId !== resource.physicalId) {
        cleanups.push({
          logicalId: resource.logicalId,
          physicalId: resource.physicalId,
          properties: resource.spec.properties,
        });
        resource.physicalId = result.physicalId;
      }
    }
    if (!ok) {
      stack.status = 'UPDATE_ROLLBACK_FAILED';
      return false;
    }
    stack.status = 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS';
    for (const cleanup of cleanups) {
      await this.send(stack, 'Delete', cleanup.logicalId, 'rollback cleanup Delete', cleanup);
    }
    stack.status = 'UPDATE_ROLLBACK_COMPLETE';
    return false;
  }

  // ---- resources ----

  private async createResource(
    stack: Stack,
    logicalId: string,
    spec: ResourceSpec,
    label: string,
  ): Promise<Resource> {
    if (spec.type === 'fails') {
      return { logicalId, spec, physicalId: this.madeUpId(stack, logicalId), state: 'failed' };
    }
    if (spec.type === 'nested') {
      const child = this.stack(`${stack.name}-${logicalId}`, { parent: stack });
      const ok = await this.createStack(child, spec.template);
      return { logicalId, spec, physicalId: child.stackId, state: ok ? 'live' : 'failed', child };
    }
    const result = await this.send(stack, 'Create', logicalId, label, {
      properties: spec.properties,
    });
    if (result.status === 'SUCCESS') {
      return { logicalId, spec, physicalId: result.physicalId, state: 'live' };
    }
    const physicalId =
      result.status === 'FAILED' ? result.physicalId : this.madeUpId(stack, logicalId);
    return { logicalId, spec, physicalId, state: 'failed' };
  }

  /** Deletes resources in order; false when one could not be deleted (it stays, DELETE_FAILED). */
  private async deleteResources(
    stack: Stack,
    resources: readonly Resource[],
    label: string,
    byOwner = false,
  ): Promise<boolean> {
    let ok = true;
    for (const resource of resources) {
      if (await this.deleteResource(stack, resource, label, byOwner)) {
        stack.resources.delete(resource.logicalId);
      } else {
        resource.state = 'delete-failed';
        ok = false;
      }
    }
    return ok;
  }

  private async deleteResource(
    stack: Stack,
    resource: Resource,
    label: string,
    byOwner = false,
  ): Promise<boolean> {
    const { spec } = resource;
    if (spec.type === 'fails') return true;
    if (spec.type === 'nested') {
      return resource.child === undefined ? true : this.deleteStack(resource.child, byOwner);
    }
    const result = await this.send(stack, 'Delete', resource.logicalId, label, {
      physicalId: resource.physicalId,
      properties: spec.properties,
    });
    if (result.status === 'SUCCESS' && byOwner) this.deletedByOwner.add(resource.physicalId);
    return result.status === 'SUCCESS';
  }

  // ---- requests ----

  /** Sends one request through Lambda; the answer, or TIMEOUT when none came in time. */
  private async send(
    stack: Stack,
    requestType: 'Create' | 'Update' | 'Delete',
    logicalId: string,
    label: string,
    what: { physicalId?: string; properties: Properties; oldProperties?: Properties },
  ): Promise<Result> {
    await this.scheduler.sleep(1_000 + Math.floor(this.random() * 4_000));
    const issuedAt = Math.floor(now() / 1000) * 1000;
    const id = this.requests.length + 1;
    const requestId = this.uuid();
    const serviceTimeout = Number(
      what.properties.ServiceTimeout ??
        this.options.serviceTimeoutSeconds ??
        DEFAULT_SERVICE_TIMEOUT_S,
    );
    const event: Record<string, unknown> = {
      RequestType: requestType,
      ServiceToken: what.properties.ServiceToken,
      ResponseURL: responseUrl(stack, logicalId, requestId, id, issuedAt),
      StackId: stack.stackId,
      RequestId: requestId,
      LogicalResourceId: logicalId,
      ResourceType: RESOURCE_TYPE,
      ...(what.physicalId !== undefined && { PhysicalResourceId: what.physicalId }),
      ResourceProperties: what.properties,
      ...(what.oldProperties !== undefined && { OldResourceProperties: what.oldProperties }),
    };
    const record: RequestRecord = {
      id,
      label: `${stack.name}/${logicalId} ${label}${what.physicalId ? ` of ${what.physicalId}` : ''}`,
      event,
      issuedAt,
      waitEnd: issuedAt + serviceTimeout * 1000,
      late: [],
      gaveUp: false,
    };
    this.requests.push(record);
    const result = new Promise<Result>((resolve) => {
      record.resolve = resolve;
    });
    this.scheduler.at(record.waitEnd, () => {
      if (record.answer !== undefined) return;
      record.gaveUp = true;
      record.resolve?.({ status: 'TIMEOUT' });
    });
    this.lambda.invoke(event, record.label, requestType === 'Delete' ? undefined : record.waitEnd);
    return result;
  }

  private madeUpId(stack: Stack, logicalId: string): string {
    return `${stack.name}-${logicalId}-${this.letters(12)}`;
  }

  private uuid(): string {
    const hex = () => Math.floor(this.random() * 16).toString(16);
    const part = (n: number) => Array.from({ length: n }, hex).join('');
    return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
  }

  private letters(n: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    return Array.from(
      { length: n },
      () => alphabet[Math.floor(this.random() * alphabet.length)],
    ).join('');
  }
}

/** A pre-signed S3 URL as CloudFormation makes them: SigV4, signed at `issuedAt`, valid 2 h. */
function responseUrl(
  stack: Stack,
  logicalId: string,
  requestId: string,
  id: number,
  issuedAt: number,
): string {
  const amzDate = new Date(issuedAt)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const key = `${encodeURIComponent(stack.stackId)}%7C${logicalId}%7C${requestId}/r${id}`;
  const query = [
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Date=${amzDate}`,
    'X-Amz-SignedHeaders=host',
    `X-Amz-Expires=${RESPONSE_URL_VALIDITY_S}`,
    `X-Amz-Credential=AKIAEXAMPLE%2F${day}%2F${FUNCTION_REGION}%2Fs3%2Faws4_request`,
    'X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  ].join('&');
  return `https://cloudformation-custom-resource-response-useast1.s3.${FUNCTION_REGION}.amazonaws.com/${key}?${query}`;
}
