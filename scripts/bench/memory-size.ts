/**
 * Choosing the function's memory size from the measured figures.
 *
 * Lambda gives a function CPU in proportion to its memory: 1,769 MB is the equivalent of one
 * vCPU, so 128 MB gets about 7 % of one. The CPU-bound parts of a request (starting Node,
 * importing the bundle, the first invocation's lazy set-up, the handler's own work) stretch by
 * the inverse of that share; waiting on the network does not. This module scales the locally
 * measured CPU times by that share. It is an estimate: the local CPU is not a Graviton core and
 * the network to real AWS endpoints is not included.
 *
 * @module
 */

/** Memory (MB) at which Lambda allocates the equivalent of one full vCPU. */
export const MB_PER_VCPU = 1769;

/** The sizes considered. */
export const CANDIDATE_SIZES_MB = [128, 256, 512, 1024, 1769] as const;

/** Peak RSS may take at most this share of the memory size. */
export const MAX_RSS_SHARE = 0.5;

/** The CPU-bound part of a cold start (init + first invocation) should fit in this, ms. */
export const MAX_COLD_CPU_MS = 1000;

/** The measured inputs. */
export interface MemoryInputs {
  /** CPU time of a fresh process up to the end of the import (Node start-up + import), ms. */
  readonly initCpuMs: number;
  /** CPU time of the first invocation after the cold start, ms. */
  readonly firstInvocationCpuMs: number;
  /** CPU time of a warm Create, ms. */
  readonly warmCpuMs: number;
  /** Peak RSS with the heap limits Lambda sets at 128 MB, bytes. */
  readonly peakRssAt128Bytes: number;
  /**
   * Peak RSS with this machine's default heap limits (V8 collects lazily), bytes: an upper
   * bound for the larger sizes, whose limits are looser than 128 MB's.
   */
  readonly peakRssUnlimitedBytes: number;
  /**
   * What formatting the first stack trace through the source map adds to the resident set
   * (an error path with `--enable-source-maps`), bytes; added to the peaks.
   */
  readonly errorStackRssBytes: number;
}

/** The estimate for one size. */
export interface SizeEstimate {
  readonly memoryMb: number;
  /** Share of one vCPU. */
  readonly cpuShare: number;
  /** CPU-bound time of a cold start (init + first invocation) at this size, ms. */
  readonly coldCpuMs: number;
  /** CPU-bound time of a warm Create at this size, ms. */
  readonly warmCpuMs: number;
  /** Peak RSS, plus an error stack trace's source-map decoding, as a share of the memory size. */
  readonly rssShare: number;
  readonly fits: boolean;
}

/** The estimates and the chosen size. */
export interface MemoryChoice {
  readonly estimates: readonly SizeEstimate[];
  /** The smallest size that fits; the largest candidate when none does. */
  readonly chosenMb: number;
}

/**
 * Estimates every candidate size and chooses the smallest whose peak RSS is at most
 * {@link MAX_RSS_SHARE} of its memory and whose CPU-bound cold start fits {@link MAX_COLD_CPU_MS}.
 */
export function chooseMemorySize(inputs: MemoryInputs): MemoryChoice {
  const estimates = CANDIDATE_SIZES_MB.map((memoryMb) => {
    const cpuShare = Math.min(1, memoryMb / MB_PER_VCPU);
    const coldCpuMs = (inputs.initCpuMs + inputs.firstInvocationCpuMs) / cpuShare;
    const peak = memoryMb === 128 ? inputs.peakRssAt128Bytes : inputs.peakRssUnlimitedBytes;
    const rssBytes = peak + inputs.errorStackRssBytes;
    const rssShare = rssBytes / 1024 ** 2 / memoryMb;
    return {
      memoryMb,
      cpuShare,
      coldCpuMs,
      warmCpuMs: inputs.warmCpuMs / cpuShare,
      rssShare,
      fits: rssShare <= MAX_RSS_SHARE && coldCpuMs <= MAX_COLD_CPU_MS,
    };
  });
  const chosen = estimates.find((estimate) => estimate.fits) ?? estimates[estimates.length - 1];
  return { estimates, chosenMb: chosen?.memoryMb ?? MB_PER_VCPU };
}
