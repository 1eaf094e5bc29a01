/**
 * Where a cold import's time goes: runs the probe under `node --cpu-prof`, keeps the samples
 * taken during `await import()`, and sorts them into phases (V8 compiling the module, Node
 * loading its built-in modules, the ES module loader, running the bundle's top-level code,
 * garbage collection, …). Samples in bundled code are traced back through the source map to the
 * npm package they came from.
 *
 * Profiling slows the process down, so the figures are shares of the sampled time, not
 * replacements for the unprofiled timings.
 *
 * @module
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ProbeCommand, runProbe } from './probe.js';
import {
  type CallFrame,
  packageResolver,
  readCpuProfile,
  samplesBetween,
} from './profile-samples.js';

/** One row of a breakdown: mean ms per import, and share of the sampled import time. */
export interface TimeShare {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

/** The profile of a cold import, averaged over runs. */
export interface ImportProfile {
  readonly runs: number;
  readonly intervalUs: number;
  /** Mean sampled time inside `await import()`, ms (inflated by profiling). */
  readonly sampledMs: number;
  readonly phases: readonly TimeShare[];
  /** The "bundle top-level code" phase, by npm package (self time). */
  readonly packages: readonly TimeShare[];
}

/** Options of {@link profileImport}. */
export interface ProfileOptions {
  readonly runs: number;
  /** Sampling interval, µs. */
  readonly intervalUs: number;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Where the `.cpuprofile` files go (removed afterwards). */
  readonly dir: string;
}

const PHASE_BUNDLE = 'running module top-level code';
const PHASE_COMPILE = 'V8 compiling the module source (parse)';
const PHASE_BUILTINS = 'Node built-ins: loading them (compileForInternalLoader)';
const PHASE_LOADER = 'ES module loader (resolve, read, link)';
const PHASE_NODE = 'Node built-ins: their code (top level, and functions the bundle calls)';
const PHASE_GC = 'garbage collection';
const PHASE_IDLE = 'idle (waiting for file I/O)';
const PHASE_NATIVE = 'native code (V8 and Node C++)';

/** Profiles `runs` cold imports of `command.moduleUrl` and averages their breakdowns. */
export async function profileImport(
  command: ProbeCommand,
  options: ProfileOptions,
): Promise<ImportProfile> {
  const phases = new Map<string, number>();
  const packages = new Map<string, number>();
  const attribute = frameAttributor();
  let sampledUs = 0;
  for (let run = 0; run < options.runs; run++) {
    const name = `import-${run}.cpuprofile`;
    const flags = [
      ...command.nodeFlags,
      '--cpu-prof',
      `--cpu-prof-dir=${options.dir}`,
      `--cpu-prof-name=${name}`,
      `--cpu-prof-interval=${options.intervalUs}`,
    ];
    const result = await runProbe({ ...command, nodeFlags: flags }, options.env, options.cwd);
    const file = join(options.dir, name);
    const profile = await readCpuProfile(file);
    await rm(file, { force: true });
    for (const { stack, us } of samplesBetween(profile, result.startedUs, result.endedUs)) {
      const frame = stack[0];
      if (!frame) continue;
      const { phase, pkg } = attribute(frame);
      sampledUs += us;
      phases.set(phase, (phases.get(phase) ?? 0) + us);
      if (pkg !== undefined) packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    }
  }
  const toShares = (totals: Map<string, number>): TimeShare[] =>
    [...totals]
      .map(([name, us]) => ({
        name,
        ms: us / 1000 / options.runs,
        share: sampledUs === 0 ? 0 : us / sampledUs,
      }))
      .sort((a, b) => b.ms - a.ms);
  return {
    runs: options.runs,
    intervalUs: options.intervalUs,
    sampledMs: sampledUs / 1000 / options.runs,
    phases: toShares(phases),
    packages: toShares(packages),
  };
}

/** Sorts a sampled frame into a phase (and, for JavaScript files, a package). */
function frameAttributor(): (frame: CallFrame) => { phase: string; pkg?: string } {
  const packageOf = packageResolver();
  return (frame) => {
    const { url, functionName } = frame;
    const pkg = packageOf(frame);
    if (pkg !== undefined) return { phase: PHASE_BUNDLE, pkg };
    if (functionName === 'compileSourceTextModule') return { phase: PHASE_COMPILE };
    if (url === 'node:internal/bootstrap/realm') return { phase: PHASE_BUILTINS };
    if (url.startsWith('node:internal/modules')) return { phase: PHASE_LOADER };
    if (url.startsWith('node:')) return { phase: PHASE_NODE };
    if (functionName === '(garbage collector)') return { phase: PHASE_GC };
    if (functionName === '(idle)') return { phase: PHASE_IDLE };
    return { phase: PHASE_NATIVE };
  };
}
