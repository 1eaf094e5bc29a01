/**
 * How long CloudFormation waits for the answer to a request: `ServiceTimeout` seconds (default
 * one hour) from when it issued the request — its ResponseURL's signing time. After that it has
 * given up (a Create is then followed by a Delete with a physical id it made up), and whatever
 * the request still does, no stack learns of it.
 */
import { signatureTimes } from './presigned-url.js';
import type { CustomResourceRequest } from './request.js';

/** CloudFormation's wait for a custom resource when the template sets no `ServiceTimeout`. */
export const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;

/**
 * Epoch ms at which CloudFormation stops waiting for a Create or Update; `undefined` for a
 * Delete (one that runs late only removes what the stack wanted removed, so it still runs) and
 * for a ResponseURL whose signing time cannot be read.
 *
 * @example
 * ```ts
 * waitEndsAt({ requestType: 'Create', responseUrl: '…?X-Amz-Date=20261201T100000Z&X-Amz-Expires=7200&…', serviceTimeoutSeconds: 600 });
 * // Date.UTC(2026, 11, 1, 10, 10)
 * ```
 */
export function waitEndsAt(
  request: Pick<CustomResourceRequest, 'requestType' | 'responseUrl' | 'serviceTimeoutSeconds'>,
): number | undefined {
  if (request.requestType === 'Delete') return undefined;
  const signedAt = signatureTimes(request.responseUrl)?.signedAt;
  if (signedAt === undefined) return undefined;
  return signedAt + (request.serviceTimeoutSeconds ?? DEFAULT_SERVICE_TIMEOUT_SECONDS) * 1000;
}
