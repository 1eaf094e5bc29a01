/**
 * Policy store aliases in the Verified Permissions double, as the service documents them:
 *
 * - a name is `policy-store-alias/` followed by at least one character (the model's pattern and
 *   length apply first), unique in its account and region — the double has one account;
 * - an alias names a store by its id (never by another alias), and a store has at most 10;
 * - creating an alias that exists for the same store answers the existing one; for another
 *   store, or while a deleted alias of that name is pending deletion, `ConflictException`;
 * - a deleted alias is `PendingDeletion` for 24 hours: it still reads and lists, but names no
 *   store any more (`ResourceNotFoundException`) and its name cannot be taken; with
 *   `deletionMode: 'HardDelete'` (newer than botocore 1.43's model, sent by newer SDKs) it is
 *   gone at once; deleting an alias that does not exist succeeds;
 * - deleting a store deletes its aliases;
 * - every identity-source operation resolves an alias where it takes a `policyStoreId`.
 *
 * @module
 */
import { partitionOfRegion } from '../../src/partitions.js';
import { ServiceError } from './wire.js';

/** What every alias name starts with. */
export const ALIAS_PREFIX = 'policy-store-alias/';
/** Aliases per policy store (the documented default). */
export const MAX_ALIASES_PER_STORE = 10;
/** How long a deleted alias keeps its name (documented: 24 hours). */
export const PENDING_DELETION_MS = 24 * 60 * 60 * 1000;
/** The account in alias ARNs (the one the local stack's function runs in). */
const ACCOUNT_ID = '123456789012';

/** One alias. */
export interface PolicyStoreAlias {
  readonly aliasName: string;
  readonly policyStoreId: string;
  /** Where it lives; undefined: every region (an alias the test helper added to a store of no region). */
  readonly region: string | undefined;
  readonly createdAt: number;
  state: 'Active' | 'PendingDeletion';
  /** While pending deletion: when the name is free again. */
  reservedUntil?: number;
}

/** Whether a `policyStoreId` is an alias rather than an id. */
export const isAliasName = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(ALIAS_PREFIX);

/** The aliases of the double; see the module documentation. */
export class PolicyStoreAliases {
  #aliases: PolicyStoreAlias[] = [];

  /** The alias of that name in the region, pending deletion or not. */
  find(aliasName: string, region: string | undefined, now: number): PolicyStoreAlias | undefined {
    this.#dropExpired(now);
    return this.#aliases.find(
      (a) =>
        a.aliasName === aliasName &&
        (a.region === undefined || region === undefined || a.region === region),
    );
  }

  /**
   * Creates an alias for the store with that id (checked by the caller), or answers the one
   * that exists for it.
   *
   * @throws {ServiceError} `ValidationException`, `ConflictException`, `ServiceQuotaExceededException`
   */
  create(
    aliasName: string,
    policyStoreId: string,
    region: string | undefined,
    now: number,
  ): PolicyStoreAlias {
    requirePrefix(aliasName);
    const existing = this.find(aliasName, region, now);
    if (existing?.state === 'Active' && existing.policyStoreId === policyStoreId) return existing;
    if (existing) {
      throw new ServiceError(
        'ConflictException',
        existing.state === 'Active'
          ? `Policy store alias ${aliasName} already exists for another policy store.`
          : `Policy store alias ${aliasName} is pending deletion; its name cannot be used yet.`,
        { resources: [{ resourceId: aliasName, resourceType: 'POLICY_STORE_ALIAS' }] },
      );
    }
    const ofStore = this.#aliases.filter(
      (a) => a.policyStoreId === policyStoreId && a.state === 'Active',
    );
    if (ofStore.length >= MAX_ALIASES_PER_STORE) {
      throw new ServiceError(
        'ServiceQuotaExceededException',
        `Policy store ${policyStoreId} already has the maximum number of aliases (${MAX_ALIASES_PER_STORE}).`,
        {
          resourceId: policyStoreId,
          resourceType: 'POLICY_STORE_ALIAS',
          serviceCode: 'verifiedpermissions',
        },
      );
    }
    const alias: PolicyStoreAlias = {
      aliasName,
      policyStoreId,
      region,
      createdAt: now,
      state: 'Active',
    };
    this.#aliases.push(alias);
    return alias;
  }

  /** The alias, active or pending deletion. @throws {ServiceError} `ResourceNotFoundException` */
  get(aliasName: string, region: string, now: number): PolicyStoreAlias {
    requirePrefix(aliasName);
    const alias = this.find(aliasName, region, now);
    if (!alias) throw notFound(aliasName);
    return alias;
  }

  /** Puts the alias in `PendingDeletion` (or removes it: `hard`); one that does not exist is no error. */
  delete(aliasName: string, region: string, now: number, hard = false): void {
    requirePrefix(aliasName);
    const alias = this.find(aliasName, region, now);
    if (alias && hard) this.#aliases = this.#aliases.filter((a) => a !== alias);
    else if (alias?.state === 'Active') {
      alias.state = 'PendingDeletion';
      alias.reservedUntil = now + PENDING_DELETION_MS;
    }
  }

  /** The aliases of the region (of one store with `policyStoreId`), oldest first. */
  list(region: string, policyStoreId: string | undefined, now: number): PolicyStoreAlias[] {
    this.#dropExpired(now);
    return this.#aliases.filter(
      (a) =>
        (a.region === undefined || a.region === region) &&
        (policyStoreId === undefined || a.policyStoreId === policyStoreId),
    );
  }

  /**
   * The store id a `policyStoreId` names: an id as it is, an active alias resolved.
   *
   * @throws {ServiceError} `ResourceNotFoundException` for an alias that names no store
   */
  storeIdOf(policyStoreId: string, region: string, now: number): string {
    if (!isAliasName(policyStoreId)) return policyStoreId;
    const alias = this.find(policyStoreId, region, now);
    if (alias?.state !== 'Active') throw notFound(policyStoreId);
    return alias.policyStoreId;
  }

  /** Deletes the aliases of a store (the store was deleted). */
  removeStore(policyStoreId: string): void {
    this.#aliases = this.#aliases.filter((a) => a.policyStoreId !== policyStoreId);
  }

  clear(): void {
    this.#aliases = [];
  }

  /** Forgets aliases whose pending deletion is over (their names are free again). */
  #dropExpired(now: number): void {
    this.#aliases = this.#aliases.filter(
      (a) => (a.reservedUntil ?? Number.POSITIVE_INFINITY) > now,
    );
  }
}

/** The alias as the API answers it (`GetPolicyStoreAliasOutput`, `PolicyStoreAliasItem`). */
export function aliasOutput(alias: PolicyStoreAlias, region: string): Record<string, unknown> {
  const where = alias.region ?? region;
  const partition = partitionOfRegion(where)?.id ?? 'aws';
  return {
    aliasName: alias.aliasName,
    policyStoreId: alias.policyStoreId,
    aliasArn: `arn:${partition}:verifiedpermissions:${where}:${ACCOUNT_ID}:${alias.aliasName}`,
    createdAt: new Date(alias.createdAt).toISOString(),
    state: alias.state,
  };
}

function requirePrefix(aliasName: string): void {
  if (!aliasName.startsWith(ALIAS_PREFIX) || aliasName.length === ALIAS_PREFIX.length) {
    throw new ServiceError(
      'ValidationException',
      `The alias name must be ${ALIAS_PREFIX} followed by a name (got '${aliasName.slice(0, 100)}').`,
      { fieldList: [{ path: 'aliasName', message: `must start with ${ALIAS_PREFIX}` }] },
    );
  }
}

function notFound(aliasName: string): ServiceError {
  return new ServiceError(
    'ResourceNotFoundException',
    `Policy store alias ${aliasName} not found.`,
    {
      resourceId: aliasName,
      resourceType: 'POLICY_STORE_ALIAS',
    },
  );
}
