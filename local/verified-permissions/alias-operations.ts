/**
 * The policy store alias operations of the Verified Permissions double — Create, Get, List and
 * Delete — on the rules of `aliases.ts`. The identity-source operations resolve aliases
 * themselves (`DoubleState.visibleStore`).
 *
 * @module
 */
import { aliasOutput, isAliasName } from './aliases.js';
import { type OperationHandler, pageOf } from './operations.js';
import type { DoubleState } from './state.js';
import type { PolicyStoreAliasOperation } from './types.js';
import { ServiceError } from './wire.js';

/** `ListPolicyStoreAliases` page sizes (documented: 5 by default, at most 50). */
const DEFAULT_PAGE = 5;
const MAX_PAGE = 50;

/** The handlers of the alias operations, on `state`. */
export function policyStoreAliasOperations(
  state: DoubleState,
): Record<PolicyStoreAliasOperation, OperationHandler> {
  return {
    CreatePolicyStoreAlias(input, ctx) {
      const policyStoreId = String(input.policyStoreId);
      if (isAliasName(policyStoreId)) {
        throw new ServiceError(
          'ValidationException',
          'The policy store of an alias must be given by its id, not by another alias.',
          { fieldList: [{ path: 'policyStoreId', message: 'must be a policy store id' }] },
        );
      }
      const store = state.visibleStore(policyStoreId, ctx);
      const alias = state.aliases.create(String(input.aliasName), store.id, ctx.region, ctx.now);
      const { state: _state, ...created } = aliasOutput(alias, ctx.region);
      return created;
    },

    GetPolicyStoreAlias(input, ctx) {
      return aliasOutput(
        state.aliases.get(String(input.aliasName), ctx.region, ctx.now),
        ctx.region,
      );
    },

    ListPolicyStoreAliases(input, ctx) {
      if (typeof input.maxResults === 'number' && input.maxResults > MAX_PAGE) {
        throw new ServiceError(
          'ValidationException',
          `Value '${input.maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE}`,
          { fieldList: [{ path: 'maxResults', message: `at most ${MAX_PAGE}` }] },
        );
      }
      const filter = input.filter as { policyStoreId?: string } | undefined;
      const all = state.aliases.list(ctx.region, filter?.policyStoreId, ctx.now);
      const { items, nextToken } = pageOf(all, input, DEFAULT_PAGE);
      return { policyStoreAliases: items.map((a) => aliasOutput(a, ctx.region)), ...nextToken };
    },

    DeletePolicyStoreAlias(input, ctx) {
      const hard = input.deletionMode === 'HardDelete';
      state.aliases.delete(String(input.aliasName), ctx.region, ctx.now, hard);
      return {};
    },
  };
}
