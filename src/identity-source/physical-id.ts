/**
 * Physical resource ids: an identity source id, or a marker a failed Create answers with so
 * the Delete CloudFormation sends afterwards knows what, if anything, exists.
 *
 * - `NotCreated:<RequestId>` — the Create made no API call that could have taken effect.
 * - `CreateUnconfirmed:<clientToken>` — the Create may have made a source (it timed out or
 *   the service failed mid-way); the Delete replays `CreateIdentitySource` with that token to
 *   learn which one, and deletes only that.
 */
import { isClientToken } from './client-token.js';

const IDENTITY_SOURCE_ID = /^[a-zA-Z0-9-]{1,200}$/;
const NOT_CREATED = 'NotCreated:';
const CREATE_UNCONFIRMED = 'CreateUnconfirmed:';

export type PhysicalId =
  | { readonly kind: 'identity-source'; readonly identitySourceId: string }
  | { readonly kind: 'not-created' }
  | { readonly kind: 'create-unconfirmed'; readonly clientToken: string }
  | { readonly kind: 'foreign' };

/**
 * Reads a physical id. `foreign` is anything else: never an identity source of ours.
 *
 * @example
 * ```ts
 * readPhysicalId('ISabcdEFGH1234567890ab'); // { kind: 'identity-source', identitySourceId: … }
 * readPhysicalId(notCreatedId('req-1'));   // { kind: 'not-created' }
 * ```
 */
export function readPhysicalId(physicalId: string | undefined): PhysicalId {
  if (physicalId === undefined) return { kind: 'foreign' };
  if (physicalId.startsWith(NOT_CREATED)) return { kind: 'not-created' };
  if (physicalId.startsWith(CREATE_UNCONFIRMED)) {
    const clientToken = physicalId.slice(CREATE_UNCONFIRMED.length);
    return isClientToken(clientToken)
      ? { kind: 'create-unconfirmed', clientToken }
      : { kind: 'foreign' };
  }
  if (IDENTITY_SOURCE_ID.test(physicalId))
    return { kind: 'identity-source', identitySourceId: physicalId };
  return { kind: 'foreign' };
}

/** The physical id of a Create that certainly made nothing. */
export function notCreatedId(requestId: string): string {
  return `${NOT_CREATED}${requestId}`;
}

/** The physical id of a Create whose effect is unknown; carries its clientToken. */
export function createUnconfirmedId(clientToken: string): string {
  return `${CREATE_UNCONFIRMED}${clientToken}`;
}
