/**
 * The resource's side of a request, in its own terms: what CloudFormation asks of one
 * identity-source resource (`provider.ts` makes it from the event), what the handlers of
 * `create.ts`, `update.ts` and `delete.ts` need to do it, and the answer they give. Types only:
 * nothing here knows CloudFormation's wire.
 */
import type { Log } from '../logger.js';
import type { Ownership } from '../persistence/ownership.js';
import type { ResourceKey, ResourceRecords } from '../persistence/resource-record.js';
import type { PropertiesResult } from './properties.js';
import type { ServiceDependencies } from './service.js';
import type { IdentitySourceData } from './translate.js';

export type { ResourceKey };

/** Properties as the template gave them: a JSON object, scalars as strings. */
export type RawProperties = Readonly<Record<string, unknown>>;

interface RequestBase {
  /** Identifies this request; the same on a repeated delivery or a retried deployment. */
  readonly requestId: string;
  /** Which resource: its stack and logical id. */
  readonly resource: ResourceKey;
  readonly properties: RawProperties;
  /** `properties`, read (`properties.ts`). */
  readonly parsed: PropertiesResult;
  /**
   * Epoch ms when CloudFormation issued the request (its ResponseURL's signing time), when
   * known: tells whether CloudFormation had already given up on the resource before it.
   */
  readonly issuedAt?: number;
}

export type CreateRequest = RequestBase & { readonly action: 'create' };
export type UpdateRequest = RequestBase & {
  readonly action: 'update';
  /** The id the resource has now. */
  readonly physicalResourceId: string;
  readonly oldProperties: RawProperties;
  readonly oldParsed: PropertiesResult;
};
export type DeleteRequest = RequestBase & {
  readonly action: 'delete';
  readonly physicalResourceId: string;
};
export type ResourceRequest = CreateRequest | UpdateRequest | DeleteRequest;

/** What the stack tells, read with CloudFormation (the function's own credentials). */
export interface StackReader {
  /**
   * Whether the operation that sent the request is a rollback — of the stack, or of its root
   * stack (a nested stack its parent's rollback deletes) — or the deletion of a stack whose
   * creation failed; `undefined` when it cannot be read within `timeoutMs`.
   */
  rollingBack(stackId: string, timeoutMs: number): Promise<boolean | undefined>;
  /**
   * Whether the template the stack is moving to declares the logical id; `undefined` when it
   * cannot be read within `timeoutMs`.
   */
  declares(
    stackId: string,
    logicalResourceId: string,
    timeoutMs: number,
  ): Promise<boolean | undefined>;
}

/** Everything the resource's handlers need: one type for the whole resource side. */
export interface ResourceDependencies extends ServiceDependencies {
  readonly log: Log;
  /** The function's region: where sources go when `Region` is not set. */
  readonly defaultRegion: string;
  /** The function's own account (from its ARN), when known. */
  readonly functionAccountId?: string;
  /** One durable record per resource; without it, requests cannot find what others made. */
  readonly records?: ResourceRecords;
  /** Who owns each store's one source; without it, sources are made and deleted plainly. */
  readonly ownership?: Ownership;
  readonly stack?: StackReader;
}

/** A request's answer, as CloudFormation will receive it. */
export interface Answer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalResourceId: string;
  readonly reason?: string;
  readonly data?: IdentitySourceData;
  /** Keys of `data` that may be dropped first to fit the response in 4096 bytes. */
  readonly droppableData?: readonly string[];
}
