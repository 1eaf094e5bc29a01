/**
 * A request in the resource's own terms: create, update or delete one identity-source
 * resource, with its properties as the template gave them. `provision.ts` makes one from a
 * CloudFormation request; nothing here knows CloudFormation's wire.
 */
import type { ResourceKey } from '../persistence/create-journal.js';

/** Properties as the template gave them: a JSON object, scalars as strings. */
export type RawProperties = Readonly<Record<string, unknown>>;

interface RequestBase {
  /** Identifies this request; the same on a repeated delivery or a retried deployment. */
  readonly requestId: string;
  /** Which resource: its stack and logical id. */
  readonly resource: ResourceKey;
  readonly properties: RawProperties;
  /**
   * Epoch ms when CloudFormation issued the request (its ResponseURL's signing time), when
   * known: tells whether CloudFormation had already given up on the resource before it.
   */
  readonly issuedAt?: number;
}

export type ResourceRequest =
  | (RequestBase & { readonly action: 'create' })
  | (RequestBase & {
      readonly action: 'update';
      /** The id the resource has now. */
      readonly physicalResourceId: string;
      readonly oldProperties: RawProperties;
    })
  | (RequestBase & { readonly action: 'delete'; readonly physicalResourceId: string });
