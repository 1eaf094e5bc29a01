/**
 * The identity-source operations of the Verified Permissions double, modelled on the service
 * documentation: at most one identity source per policy store (`ServiceQuotaExceededException`),
 * `clientToken` replay on create (same token and parameters → the original answer, no new
 * source; same token, other parameters → `ConflictException`; tokens live eight hours), an
 * optional read-after-write lag for new identity sources, and paged, filtered lists.
 *
 * @module
 */
import { readOutput, writeOutput } from './output-shapes.js';
import {
  type DoubleState,
  newId,
  type RequestContext,
  type StoredIdentitySource,
} from './state.js';
import type { IdentitySourceConfiguration, IdentitySourceOperation } from './types.js';
import { ServiceError } from './wire.js';

/** How long the service remembers a `clientToken` (documented: eight hours). */
const CLIENT_TOKEN_TTL_MS = 8 * 60 * 60 * 1000;

/** The principal entity type the service assigns when a create leaves it out (documented). */
export const DEFAULT_PRINCIPAL_ENTITY_TYPE = 'AWS::Cognito';

/** One operation: a valid input in, the output members out (or a {@link ServiceError}). */
export type OperationHandler = (
  input: Record<string, unknown>,
  ctx: RequestContext,
) => Record<string, unknown>;

/** The limits of the operations. */
export interface OperationLimits {
  /** Identity sources per policy store. */
  readonly maxPerStore: number;
  /** How long a new identity source stays invisible, ms. */
  readonly sourceLagMs: number;
}

/** The handlers of every operation the double answers, on `state`. */
export function identitySourceOperations(
  state: DoubleState,
  limits: OperationLimits,
): Record<IdentitySourceOperation, OperationHandler> {
  const existing = (input: Record<string, unknown>, ctx: RequestContext) =>
    state.visibleSource(state.visibleStore(input.policyStoreId, ctx), input.identitySourceId, ctx);

  return {
    CreateIdentitySource(input, ctx) {
      const token = typeof input.clientToken === 'string' ? input.clientToken : undefined;
      const tokenKey = token === undefined ? undefined : `${ctx.region}\u0000${token}`;
      const { clientToken: _ignored, ...parameters } = input;
      const fingerprint = canonicalJson(parameters);
      const remembered = tokenKey === undefined ? undefined : state.tokens.get(tokenKey);
      if (remembered && remembered.expiresAt > ctx.now) {
        if (remembered.fingerprint === fingerprint) return remembered.response;
        throw new ServiceError(
          'ConflictException',
          'The request failed because another request with the same client token but different parameters was already accepted.',
          {
            resources: [
              { resourceId: remembered.identitySourceId, resourceType: 'IDENTITY_SOURCE' },
            ],
          },
        );
      }
      const store = state.visibleStore(input.policyStoreId, ctx);
      const inStore = [...state.sources.values()].filter((s) => s.policyStoreId === store.id);
      if (inStore.length >= limits.maxPerStore) {
        throw new ServiceError(
          'ServiceQuotaExceededException',
          `Policy store ${store.id} already has the maximum number of identity sources (${limits.maxPerStore}).`,
          {
            resourceId: store.id,
            resourceType: 'IDENTITY_SOURCE',
            serviceCode: 'verifiedpermissions',
          },
        );
      }
      const now = new Date(ctx.now);
      const source: StoredIdentitySource = {
        identitySourceId: newId('IS', 20),
        policyStoreId: store.id,
        region: ctx.region,
        principalEntityType:
          typeof input.principalEntityType === 'string'
            ? input.principalEntityType
            : DEFAULT_PRINCIPAL_ENTITY_TYPE,
        configuration: structuredClone(input.configuration) as IdentitySourceConfiguration,
        createdDate: now,
        lastUpdatedDate: now,
        visibleAt: ctx.now + limits.sourceLagMs,
      };
      state.sources.set(source.identitySourceId, source);
      const response = writeOutput(source);
      if (tokenKey) {
        state.tokens.set(tokenKey, {
          fingerprint,
          response,
          identitySourceId: source.identitySourceId,
          expiresAt: ctx.now + CLIENT_TOKEN_TTL_MS,
        });
      }
      return response;
    },

    UpdateIdentitySource(input, ctx) {
      const source = existing(input, ctx);
      source.configuration = structuredClone(
        input.updateConfiguration,
      ) as IdentitySourceConfiguration;
      if (typeof input.principalEntityType === 'string') {
        source.principalEntityType = input.principalEntityType;
      }
      source.lastUpdatedDate = new Date(ctx.now);
      return writeOutput(source);
    },

    DeleteIdentitySource(input, ctx) {
      state.sources.delete(existing(input, ctx).identitySourceId);
      return {};
    },

    GetIdentitySource(input, ctx) {
      return readOutput(existing(input, ctx));
    },

    ListIdentitySources(input, ctx) {
      const store = state.visibleStore(input.policyStoreId, ctx);
      const filters = (input.filters ?? []) as { principalEntityType?: string }[];
      const all = [...state.sources.values()].filter(
        (s) =>
          s.policyStoreId === store.id &&
          ctx.now >= s.visibleAt &&
          filters.every(
            (f) =>
              f.principalEntityType === undefined ||
              f.principalEntityType === s.principalEntityType,
          ),
      );
      const { items, nextToken } = pageOf(all, input, all.length);
      return { identitySources: items.map(readOutput), ...nextToken };
    },
  };
}

/**
 * One page of a list: from the input's `nextToken` on, at most its `maxResults` (else
 * `defaultMax`) items, and the token of the next page when there is one.
 */
export function pageOf<T>(
  all: readonly T[],
  input: Record<string, unknown>,
  defaultMax: number,
): { items: T[]; nextToken: { nextToken?: string } } {
  const start = input.nextToken === undefined ? 0 : decodeNextToken(input.nextToken);
  const max = typeof input.maxResults === 'number' ? input.maxResults : defaultMax;
  const items = all.slice(start, start + max);
  const next = start + items.length;
  return {
    items,
    nextToken:
      next < all.length ? { nextToken: Buffer.from(`offset:${next}`).toString('base64') } : {},
  };
}

function decodeNextToken(token: unknown): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(String(token), 'base64').toString('utf8'));
  if (!match?.[1]) {
    throw new ServiceError('ValidationException', 'The nextToken is not valid.', {
      fieldList: [{ path: 'nextToken', message: 'Invalid pagination token' }],
    });
  }
  return Number(match[1]);
}

/** JSON with object keys sorted, so equal parameters compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}
