/**
 * The performance goals, and whether the measured figures meet them.
 *
 * @module
 */

/** One goal's verdict. */
export interface GoalVerdict {
  readonly goal: string;
  readonly met: boolean;
  /** The measured figure that decides it, in words. */
  readonly figure: string;
}

/** The figures the goals are judged on. */
export interface GoalFigures {
  /** Median wall time of a fresh process importing the bundle (as deployed), ms. */
  readonly bundledWallMs: number;
  /** The same without `--enable-source-maps`, ms. */
  readonly bundledWallNoSourceMapsMs: number;
  /** Median wall time of `node -e 0`, ms. */
  readonly bareWallMs: number;
  /** Median in-process import time, bundled, ms (like-for-like with unbundled: no flags). */
  readonly bundledImportMs: number;
  /** Median in-process import time, unbundled, ms. */
  readonly unbundledImportMs: number;
  /** Most network calls any happy-path request made. */
  readonly maxCallsPerRequest: number;
  /** Median warm Create → response delivered, ms. */
  readonly warmCreateP50Ms: number;
  /** Peak RSS of the function process, bytes. */
  readonly peakRssBytes: number;
}

/** The budgets. */
export const BUDGETS = {
  coldImportOverBareMs: 50,
  speedupOverUnbundled: 2,
  callsPerRequest: 4,
  warmP50Ms: 10,
  peakRssMb: 100,
} as const;

/** Judges every goal. */
export function judgeGoals(figures: GoalFigures): GoalVerdict[] {
  const overBare = figures.bundledWallMs - figures.bareWallMs;
  const overBareNoMaps = figures.bundledWallNoSourceMapsMs - figures.bareWallMs;
  const speedup = figures.unbundledImportMs / figures.bundledImportMs;
  const rssMb = figures.peakRssBytes / 1024 ** 2;
  return [
    {
      goal: `cold start ≤ bare node + ${BUDGETS.coldImportOverBareMs} ms`,
      met: overBare <= BUDGETS.coldImportOverBareMs,
      figure:
        `bare node + ${overBare.toFixed(1)} ms as deployed (median process wall time ${figures.bundledWallMs.toFixed(1)} vs ${figures.bareWallMs.toFixed(1)} ms, with --enable-source-maps); ` +
        `+ ${overBareNoMaps.toFixed(1)} ms without source maps`,
    },
    {
      goal: `import ≥ ${BUDGETS.speedupOverUnbundled}× faster than unbundled`,
      met: speedup >= BUDGETS.speedupOverUnbundled,
      figure: `${speedup.toFixed(2)}× (median import ${figures.bundledImportMs.toFixed(1)} vs ${figures.unbundledImportMs.toFixed(1)} ms)`,
    },
    {
      goal: `≤ ${BUDGETS.callsPerRequest} network calls per request`,
      met: figures.maxCallsPerRequest <= BUDGETS.callsPerRequest,
      figure: `at most ${figures.maxCallsPerRequest} on any happy-path request`,
    },
    {
      goal: `warm p50 ≤ ${BUDGETS.warmP50Ms} ms`,
      met: figures.warmCreateP50Ms <= BUDGETS.warmP50Ms,
      figure: `Create p50 ${figures.warmCreateP50Ms.toFixed(1)} ms`,
    },
    {
      goal: `peak RSS ≤ ${BUDGETS.peakRssMb} MB`,
      met: rssMb <= BUDGETS.peakRssMb,
      figure: `${rssMb.toFixed(1)} MiB`,
    },
  ];
}
