/**
 * The figures the goals and the memory-size choice are judged on, taken from the measurements.
 *
 * @module
 */
import type { GoalFigures } from './goals.js';
import type { MemoryInputs } from './memory-size.js';
import type { NetworkCallsResult } from './network-calls.js';
import type { CpuTimes } from './process-cpu.js';
import type { ColdResults } from './results.js';
import type { StackTraceCost } from './stack-trace.js';
import type { WarmLatencyResult } from './warm-latency.js';

const total = (cpu: CpuTimes | undefined): number =>
  cpu === undefined ? Number.NaN : cpu.userMs + cpu.systemMs;

const createOf = (run: WarmLatencyResult) => run.byType.find((t) => t.type === 'Create');

/** Inputs of the memory-size choice: CPU as deployed, RSS at 128 MB and unlimited. */
export function memoryInputsOf(
  cold: ColdResults,
  latency: WarmLatencyResult,
  latencyUnlimited: WarmLatencyResult,
  errorStack: StackTraceCost,
): MemoryInputs {
  return {
    initCpuMs: cold.bundledWithSourceMaps.cpuMs?.median ?? Number.NaN,
    firstInvocationCpuMs: total(latency.firstCpu),
    warmCpuMs: total(createOf(latency)?.cpuPerInvocation),
    peakRssAt128Bytes: latency.peakRssBytes,
    peakRssUnlimitedBytes: Math.max(latency.peakRssBytes, latencyUnlimited.peakRssBytes),
    errorStackRssBytes: Math.max(0, errorStack.rssBytes.median),
  };
}

/**
 * The goal figures: cold start as deployed (with source maps) against bare node; the import
 * speed-up like for like (no flags); the most calls any happy-path request made; warm Create
 * p50 and peak RSS from the run with 128 MB heap limits.
 */
export function goalFiguresOf(
  cold: ColdResults,
  network: NetworkCallsResult,
  latency: WarmLatencyResult,
): GoalFigures {
  const counts = [network.first, ...network.byType.flatMap((t) => t.samples)];
  return {
    bundledWallMs: cold.bundledWithSourceMaps.wallMs.median,
    bundledWallNoSourceMapsMs: cold.bundled.wallMs.median,
    bareWallMs: cold.bare.wallMs.median,
    bundledImportMs: cold.bundled.importMs.median,
    unbundledImportMs: cold.unbundled.importMs.median,
    maxCallsPerRequest: Math.max(...counts.map((count) => count.total)),
    warmCreateP50Ms: createOf(latency)?.deliveredMs.median ?? Number.NaN,
    peakRssBytes: latency.peakRssBytes,
  };
}
