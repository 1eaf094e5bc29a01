/**
 * What the Verified Permissions double holds: policy stores (added by tests, optionally pinned
 * to a region or invisible for a while), identity sources, remembered client tokens and the
 * write throttle (`throttle.ts`) — and the look-ups that answer
 * `ResourceNotFoundException` / `ThrottlingException` the way the service does.
 * A `policyStoreId` may be an alias of the store (`aliases.ts`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { PolicyStoreAliases } from './aliases.js';
import { type WriteLimits, WriteThrottle } from './throttle.js';
import type { IdentitySourceState, PolicyStoreOptions } from './types.js';
import { ServiceError } from './wire.js';

/** The request being answered: the region it was signed for and the time it takes effect. */
export interface RequestContext {
  region: string;
  now: number;
  /** The account of the access key that signed it, when known. */
  accountId?: string | undefined;
}

export interface PolicyStore {
  id: string;
  region: string | undefined;
  visibleAt: number;
  /** Only this account's requests see the store; undefined: every account's. */
  accountId?: string | undefined;
}

export interface StoredIdentitySource extends IdentitySourceState {
  visibleAt: number;
}

/** A `clientToken` the service remembers: what it was sent with and what it answered. */
export interface RememberedToken {
  fingerprint: string;
  response: Record<string, unknown>;
  identitySourceId: string;
  expiresAt: number;
}

/** The double's state; see the module documentation. */
export class DoubleState {
  readonly stores = new Map<string, PolicyStore>();
  readonly sources = new Map<string, StoredIdentitySource>();
  readonly tokens = new Map<string, RememberedToken>();
  readonly aliases = new PolicyStoreAliases();
  /** Accepted writes per rolling second, per store and per account; each off when undefined or 0. */
  readonly writes: WriteThrottle;

  constructor(writeLimits: WriteLimits) {
    this.writes = new WriteThrottle(writeLimits);
  }

  addPolicyStore(id: string, options: PolicyStoreOptions): string {
    this.stores.set(id, {
      id,
      region: options.region,
      visibleAt: Date.now() + (options.visibleAfterMs ?? 0),
      accountId: options.accountId,
    });
    return id;
  }

  deletePolicyStore(id: string): void {
    this.stores.delete(id);
    this.aliases.removeStore(id);
    for (const [sourceId, source] of this.sources) {
      if (source.policyStoreId === id) this.sources.delete(sourceId);
    }
  }

  /** The store (`id` may be an alias), if it exists, is visible by now and lives in the request's region and account. */
  visibleStore(id: unknown, ctx: RequestContext): PolicyStore {
    const storeId = typeof id === 'string' ? this.aliases.storeIdOf(id, ctx.region, ctx.now) : id;
    const store = typeof storeId === 'string' ? this.stores.get(storeId) : undefined;
    if (
      !store ||
      ctx.now < store.visibleAt ||
      (store.region !== undefined && store.region !== ctx.region) ||
      (store.accountId !== undefined && store.accountId !== ctx.accountId)
    ) {
      throw new ServiceError('ResourceNotFoundException', `Policy store ${String(id)} not found.`, {
        resourceId: String(id),
        resourceType: 'POLICY_STORE',
      });
    }
    return store;
  }

  /** The identity source, if it is in `store` and visible by now. */
  visibleSource(store: PolicyStore, id: unknown, ctx: RequestContext): StoredIdentitySource {
    const source = typeof id === 'string' ? this.sources.get(id) : undefined;
    if (!source || source.policyStoreId !== store.id || ctx.now < source.visibleAt) {
      throw new ServiceError(
        'ResourceNotFoundException',
        `Identity source ${String(id)} not found in policy store ${store.id}.`,
        { resourceId: String(id), resourceType: 'IDENTITY_SOURCE' },
      );
    }
    return source;
  }

  /** Counts a write to the request's store and account; throws `ThrottlingException` over a rate. */
  countWrite(body: Record<string, unknown>, ctx: RequestContext): void {
    const account = `${ctx.accountId ?? 'the account'} ${ctx.region}`;
    this.writes.admit(String(body.policyStoreId), account, ctx.now);
  }

  /** Copies of the identity sources, oldest first. */
  identitySources(): IdentitySourceState[] {
    return [...this.sources.values()].map(({ visibleAt: _visibleAt, ...state }) =>
      structuredClone(state),
    );
  }

  reset(): void {
    this.stores.clear();
    this.sources.clear();
    this.tokens.clear();
    this.aliases.clear();
    this.writes.clear();
  }
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random id like the service's (`IS` + 20 alphanumerics for identity sources). */
export function newId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}
