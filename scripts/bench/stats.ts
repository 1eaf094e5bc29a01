/**
 * Order statistics for benchmark samples.
 *
 * @module
 */

/** The usual summary of one set of samples. */
export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p90: number;
  readonly p95: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * The `p`-th percentile (0–100) of ascending `sorted` samples, by linear interpolation between
 * the closest ranks (the method spreadsheets call PERCENTILE.INC).
 *
 * @throws RangeError when there are no samples.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('no samples');
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  const highValue = sorted[high] as number;
  return lowValue + (highValue - lowValue) * (rank - low);
}

/**
 * Summarises samples (any order).
 *
 * @throws RangeError when there are no samples.
 */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: percentile(sorted, 0),
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    max: percentile(sorted, 100),
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}
