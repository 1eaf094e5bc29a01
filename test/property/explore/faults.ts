/**
 * The faults a story injects at one step, and the errors they answer with. A step is one call
 * an invocation makes through a port; the fault lands on the `step`-th call (counted from 0)
 * of the ports it applies to, from the story's main phase on.
 *
 * | fault | what happens |
 * | --- | --- |
 * | `crash-before` | the process dies as the call is made: it never reaches the service |
 * | `crash-after` | the service applies the call, then the process dies before the answer |
 * | `slow` | no answer until the provider gives up (its time budget); the service applies it after the invocation ended |
 * | `deny` | the service refuses it (AccessDenied): definitive, nothing happened |
 * | `never-sent` | the connection is refused: nothing was sent |
 * | `stall` | the call is held 15 s while the world goes on (other invocations, CloudFormation's next request), then made: the invocation runs on alongside them |
 */
import { AccessDeniedException } from '@aws-sdk/client-verifiedpermissions';

export type FaultKind = 'crash-before' | 'crash-after' | 'slow' | 'deny' | 'never-sent' | 'stall';

export const FAULT_KINDS: readonly FaultKind[] = [
  'crash-before',
  'crash-after',
  'slow',
  'deny',
  'never-sent',
  'stall',
];

/** The ports a story's invocations call through. */
export type PortName = 'verified-permissions' | 'dynamodb' | 'response' | 'stack-read';

/** Which faults each port can suffer (the response PUT only dies: S3's own errors are not explored). */
const APPLICABLE: Readonly<Record<PortName, readonly FaultKind[]>> = {
  'verified-permissions': FAULT_KINDS,
  dynamodb: FAULT_KINDS,
  'stack-read': FAULT_KINDS,
  response: ['crash-before', 'crash-after', 'stall'],
};

/** Whether `kind` can hit a call of `port`. */
export function applies(kind: FaultKind, port: PortName): boolean {
  return APPLICABLE[port].includes(kind);
}

/** One fault of a story. */
export interface Fault {
  readonly kind: FaultKind;
  readonly step: number;
}

/** Verified Permissions refusing a call, as the SDK raises it. */
export function vpDenied(operation: string): Error {
  return new AccessDeniedException({
    message: `User is not authorized to perform: verifiedpermissions:${operation} (injected)`,
    $metadata: { httpStatusCode: 403 },
  });
}

/** DynamoDB refusing a call (the SDK's error has this name, a client fault, HTTP 400). */
export function dynamoDenied(operation: string): Error {
  return Object.assign(
    new Error(`User is not authorized to perform: dynamodb:${operation} (injected)`),
    { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } },
  );
}

/** A connection refused before anything was sent, as Node raises it. */
export function connectionRefused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), {
    code: 'ECONNREFUSED',
    errno: -111,
    syscall: 'connect',
  });
}

/** A call abandoned at the caller's deadline (the SDK's abort error). */
export function aborted(): Error {
  return Object.assign(new Error('The operation was aborted (no answer in time)'), {
    name: 'AbortError',
  });
}

/** A client-side timeout, as the SDK's HTTP handler raises it. */
export function timedOut(): Error {
  return Object.assign(new Error('Connection timed out after 3000 ms'), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
  });
}
