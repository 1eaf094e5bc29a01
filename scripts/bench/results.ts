/**
 * Everything one benchmark run measured, in the shape the report renders.
 *
 * @module
 */
import type { BuiltVariant } from './builds.js';
import type { BundleSize } from './bundle-size.js';
import type { ColdSeries } from './cold-import.js';
import type { ImportProfile } from './cpu-profile.js';
import type { GoalVerdict } from './goals.js';
import type { Machine } from './machine.js';
import type { MemoryChoice, MemoryInputs } from './memory-size.js';
import type { NetworkCallsResult } from './network-calls.js';
import type { ProbeCommand } from './probe.js';
import type { StackTraceCost } from './stack-trace.js';
import { type Summary, summarize } from './stats.js';
import type { WarmLatencyResult } from './warm-latency.js';
import type { WarmProfile } from './warm-profile.js';

/** One cold-start target, summarised. */
export interface ColdRow {
  readonly id: string;
  readonly label: string;
  readonly command: ProbeCommand;
  readonly importMs: Summary;
  readonly wallMs: Summary;
  /** Undefined for bare node (nothing reports it). */
  readonly cpuMs: Summary | undefined;
  readonly maxRssBytes: Summary | undefined;
}

/** Summarises one target's runs. */
export function coldRow(series: ColdSeries): ColdRow {
  const finite = (values: number[]) =>
    values.every(Number.isFinite) ? summarize(values) : undefined;
  return {
    id: series.target.id,
    label: series.target.label,
    command: series.target.command,
    importMs: summarize(series.runs.map((r) => r.importMs)),
    wallMs: summarize(series.runs.map((r) => r.wallMs)),
    cpuMs: finite(series.runs.map((r) => r.cpuMs)),
    maxRssBytes: finite(series.runs.map((r) => r.maxRssBytes)),
  };
}

/** A build-option experiment and its cold starts. */
export interface Experiment {
  readonly built: BuiltVariant;
  /** Without `--enable-source-maps`; undefined when the change only matters with it. */
  readonly plain: ColdRow | undefined;
  readonly withSourceMaps: ColdRow;
}

/** The cold-start table's rows, by role. */
export interface ColdResults {
  readonly runs: number;
  readonly warmups: number;
  readonly bare: ColdRow;
  /** The probe importing an empty module: Node start-up + ES module loader + probe. */
  readonly empty: ColdRow;
  /** The probe importing only the Node built-ins the bundle imports. */
  readonly builtins: ColdRow;
  readonly builtinModules: readonly string[];
  readonly bundled: ColdRow;
  readonly bundledWithSourceMaps: ColdRow;
  readonly unbundled: ColdRow;
  readonly unbundledFiles: ColdRow;
  readonly unbundledBuild: BuiltVariant;
  readonly unbundledFilesBuild: BuiltVariant;
}

/** One benchmark run. */
export interface BenchResults {
  readonly machine: Machine;
  /** Where things were, to show paths relative to them. */
  readonly paths: { readonly projectRoot: string; readonly scratchDir: string };
  /** Wall time of the whole run, s. */
  readonly durationS: number;
  /** The probes' environment (names → values; credentials are dummies). */
  readonly probeEnv: Readonly<Record<string, string>>;
  readonly bundle: BundleSize;
  readonly cold: ColdResults;
  readonly experiments: readonly Experiment[];
  readonly profiles: {
    readonly bundled: ImportProfile;
    readonly bundledCommand: ProbeCommand;
    /** The experiment with every change, to show what is left. */
    readonly best: { readonly id: string; readonly profile: ImportProfile } | undefined;
  };
  /** The first stack trace through the bundle: with the flag, without it, and without sourcesContent. */
  readonly stackTraces: {
    readonly current: StackTraceCost;
    readonly withoutFlag: StackTraceCost;
    readonly noSourcesContent: StackTraceCost | undefined;
  };
  readonly network: NetworkCallsResult;
  /** Warm latency with the heap limits Lambda sets at 128 MB (the judged run). */
  readonly latency: WarmLatencyResult;
  /** The same with this machine's default heap limits. */
  readonly latencyUnlimited: WarmLatencyResult;
  /** Warm Creates in a plain process: in-process timing and the CPU profile. */
  readonly warmProfile: WarmProfile;
  readonly memoryInputs: MemoryInputs;
  readonly memory: MemoryChoice;
  readonly goals: readonly GoalVerdict[];
}
