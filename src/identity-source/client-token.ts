/**
 * The `clientToken` that makes `CreateIdentitySource` idempotent: the CloudFormation
 * RequestId, or — when it does not fit the API's rule (1–64 of `[a-zA-Z0-9-]`) — a
 * deterministic digest of it, so every retry of one request sends the same token.
 */
import { createHash } from 'node:crypto';

const TOKEN_RULE = /^[a-zA-Z0-9-]{1,64}$/;

/**
 * @example
 * ```ts
 * clientTokenFor('4f2a9c3e-…-uuid'); // the same UUID
 * clientTokenFor('not a token!');     // 'h-' + 62 hex characters of its SHA-256
 * ```
 */
export function clientTokenFor(requestId: string): string {
  if (TOKEN_RULE.test(requestId)) return requestId;
  return `h-${createHash('sha256').update(requestId, 'utf8').digest('hex').slice(0, 62)}`;
}

/** True when a string could be a token this module made. */
export function isClientToken(value: string): boolean {
  return TOKEN_RULE.test(value);
}
