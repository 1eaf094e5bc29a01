/**
 * The one backoff of the provider — for Verified Permissions calls, the response PUT and the
 * create journal's polling: exponential with full jitter (a random wait between a floor and an
 * exponentially growing ceiling), so that many invocations retrying at once spread out instead
 * of retrying in step.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

export interface BackoffOptions {
  /** Ceiling of the first retry's wait, ms; doubles with each further attempt. */
  readonly baseMs: number;
  /** The ceiling never grows beyond this, ms. */
  readonly capMs: number;
  /** The wait is never shorter than this, ms (e.g. 1 s when the service throttles). Default 0. */
  readonly floorMs?: number;
}

/**
 * The wait before retry number `retry` (1 = the first retry).
 *
 * @example
 * ```ts
 * backoffMs(1, { baseMs: 250, capMs: 4_000 });                 // 0–250 ms
 * backoffMs(4, { baseMs: 250, capMs: 4_000, floorMs: 1_000 }); // 1 000–2 000 ms
 * ```
 */
export function backoffMs(
  retry: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  const floor = Math.min(options.floorMs ?? 0, options.capMs);
  return Math.round(floor + random() * Math.max(0, ceiling - floor));
}

/** Waits `ms` milliseconds (`node:timers/promises`); replaceable in tests. */
export type Sleep = (ms: number) => Promise<void>;

/** The real wait. */
export const sleep: Sleep = async (ms) => {
  await sleepFor(ms);
};
