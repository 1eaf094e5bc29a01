/**
 * Cold imports: many fresh `node` processes per target, run round-robin (one of each target in
 * turn) so that drift in the machine's speed spreads evenly over the targets.
 *
 * @module
 */
import { type ProbeCommand, type ProbeResult, runProbe } from './probe.js';

/** One thing to cold-start. */
export interface ColdTarget {
  readonly id: string;
  readonly label: string;
  readonly command: ProbeCommand;
}

/** The kept runs of one target. */
export interface ColdSeries {
  readonly target: ColdTarget;
  readonly runs: readonly ProbeResult[];
}

/** Options of {@link measureColdImports}. */
export interface ColdImportOptions {
  /** Kept runs per target. */
  readonly runs: number;
  /** Runs per target before those, discarded (file cache, CPU frequency). */
  readonly warmups: number;
  /** The processes' whole environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Called after each round. */
  readonly onRound?: (round: number, rounds: number) => void;
}

/** Runs every target `warmups + runs` times, one process at a time. */
export async function measureColdImports(
  targets: readonly ColdTarget[],
  options: ColdImportOptions,
): Promise<ColdSeries[]> {
  const kept = new Map<string, ProbeResult[]>(targets.map((t) => [t.id, []]));
  const rounds = options.warmups + options.runs;
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      const result = await runProbe(target.command, options.env, options.cwd);
      if (round >= options.warmups) kept.get(target.id)?.push(result);
    }
    options.onRound?.(round + 1, rounds);
  }
  return targets.map((target) => ({ target, runs: kept.get(target.id) ?? [] }));
}
