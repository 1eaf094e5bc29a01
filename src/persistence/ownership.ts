/**
 * Ownership of identity sources: which resource (stack + logical id) owns the one identity
 * source of a policy store, and — after it took over a source another resource, another stack
 * or no one here made — what to hand that source back to. One record per store, written with
 * conditional writes so that two concurrent Creates can never both own one source.
 *
 * | record | meaning |
 * | --- | --- |
 * | none | the provider knows of no source in the store (a source it did not make, or none) |
 * | `owner`, no `handBack` | the owner made the source, or its takeover is complete |
 * | `owner` and `handBack` | the owner took the source over; until `handBack.from` is deleted (a rename) or for good (an adoption), the owner's Delete hands it back instead of deleting it |
 */
import type { UpdateConfiguration } from '@aws-sdk/client-verifiedpermissions';
import type { ResourceKey } from './resource-record.js';

/**
 * The owner of a source handed back to whoever had it outside this provider (the native type, a
 * hand, another tool): the record stays, so that a repeated Delete of the resource that gave it
 * back leaves it alone.
 */
export const OUTSIDE_OWNER: ResourceKey = { stackId: '', logicalResourceId: '' };

/** The store a record is about: its account, region and id (an alias resolved). */
export interface StoreKey {
  readonly accountId: string;
  readonly region: string;
  readonly policyStoreId: string;
}

/** How a source was configured before a takeover: what handing it back restores. */
export interface PreviousConfiguration {
  readonly configuration: UpdateConfiguration;
  readonly principalEntityType?: string;
}

export interface OwnershipRecord {
  readonly identitySourceId: string;
  readonly owner: ResourceKey;
  /** Present while a takeover can still be undone. */
  readonly handBack?: {
    /** The resource this provider knew as the owner before; absent: made outside the provider. */
    readonly from?: ResourceKey;
    /** Taken over under `AdoptExisting` (not a rename within the stack). */
    readonly adopted: boolean;
    readonly previous: PreviousConfiguration;
  };
}

/** A record as read, with the version a conditional write must match. */
export interface VersionedRecord extends OwnershipRecord {
  readonly version: string;
}

export interface Ownership {
  read(store: StoreKey): Promise<VersionedRecord | undefined>;
  /**
   * Writes `next` (or removes the record, with `undefined`) if the record is still the one read
   * (`expected`; `undefined`: there was none). False when another write came first.
   */
  write(
    store: StoreKey,
    next: OwnershipRecord | undefined,
    expected: VersionedRecord | undefined,
  ): Promise<boolean>;
  /** Records a source `owner` has just made, replacing any record of the store. */
  recordMade(store: StoreKey, identitySourceId: string, owner: ResourceKey): Promise<void>;
  /**
   * For a Delete by `owner`: removes the record if `owner` plainly owns the source (no
   * hand-back pending) or there is none — then the Delete may delete the source. False when
   * the record says otherwise: read it and decide.
   */
  releaseIfPlain(store: StoreKey, identitySourceId: string, owner: ResourceKey): Promise<boolean>;
}
