/**
 * A small seeded generator (mulberry32), so a story's choices — and `Math.random` while it
 * runs (the provider's backoff jitter) — replay from its seed.
 */

/** A generator of floats in [0, 1). */
export type Random = () => number;

/**
 * @example
 * ```ts
 * const random = seeded(42);
 * random(); // the same number on every run
 * ```
 */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One of `items`, chosen by `random`. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** A seed derived from a base seed and an index (the same pair, the same seed). */
export function derive(base: number, index: number): number {
  return (seeded((base ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0)() * 2 ** 31) >>> 0;
}
