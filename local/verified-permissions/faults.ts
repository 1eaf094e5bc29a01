/**
 * Fault injection for the Verified Permissions double: queued answers that replace the next
 * requests' normal ones — an error, no answer at all, or a late answer.
 *
 * @module
 */
import type { InjectedFailure } from './types.js';
import { ERROR_STATUS, ServiceError } from './wire.js';

/** One queued fault; `remaining` counts the requests it still applies to. */
export type Fault =
  | { kind: 'fail'; failure: InjectedFailure; remaining: number }
  | { kind: 'hang'; remaining: number }
  | { kind: 'delay'; ms: number; remaining: number };

/** Faults per operation (`'*'`: any), first in, first out. */
export class FaultQueue {
  readonly #queues = new Map<string, Fault[]>();

  /** Queues a fault for `operation` (or `'*'`); one for no request at all is dropped. */
  add(operation: string, fault: Fault): void {
    if (fault.remaining <= 0) return;
    const queue = this.#queues.get(operation) ?? [];
    queue.push(fault);
    this.#queues.set(operation, queue);
  }

  /** The fault for a request of `operation`, if any: its own queue first, then `'*'`. */
  take(operation: string): Fault | undefined {
    for (const key of [operation, '*']) {
      const queue = this.#queues.get(key);
      const fault = queue?.[0];
      if (queue && fault) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) queue.shift();
        return fault;
      }
    }
    return undefined;
  }

  clear(): void {
    this.#queues.clear();
  }
}

/** The error answer an injected failure gives. */
export function injectedError(failure: InjectedFailure): ServiceError {
  const type = failure.errorType ?? 'InternalServerException';
  return new ServiceError(
    type,
    failure.message ?? `Injected failure (${type})`,
    {},
    failure.status ?? ERROR_STATUS[type] ?? 500,
  );
}
