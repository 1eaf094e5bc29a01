/**
 * Cold starts: many fresh `node` processes per target (bare node, the bundle with and without
 * `--enable-source-maps`, the same handler unbundled, CDK's `AwsCustomResource` handler), run
 * round-robin so that drift in the machine's speed spreads evenly over the targets. Each process imports the module under a
 * small probe that reports the import time, CPU time and peak RSS; the parent adds the wall time
 * from spawn to exit.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { bundleOptions, entryPoint } from '../build-options.js';
import { type Summary, summarize } from './stats.js';

const RESULT_MARKER = '@@probe-result ';
const run = promisify(execFile);

/** The probe (an ES module run with `-e`; `process.argv[1]` is the module URL). */
export const PROBE_SOURCE = [
  'const t0 = performance.now();',
  'await import(process.argv[1]);',
  'const importMs = performance.now() - t0;',
  'const cpu = process.cpuUsage();',
  `process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify({ importMs,`,
  '  cpuMs: (cpu.user + cpu.system) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));',
].join('\n');

/** One thing to cold-start: `moduleUrl` undefined is bare `node -e 0`. */
export interface ColdTarget {
  readonly label: string;
  readonly nodeFlags: readonly string[];
  readonly moduleUrl?: string;
}

/** One target's kept runs, summarised. */
export interface ColdRow {
  readonly target: ColdTarget;
  readonly importMs: Summary;
  readonly wallMs: Summary;
  /** Up to the end of the import, Node's start-up included; undefined for bare node. */
  readonly cpuMs: Summary | undefined;
  readonly maxRssBytes: Summary | undefined;
}

/** The command line of a target, for running it and for the report. */
export function commandLine(target: ColdTarget): string[] {
  if (target.moduleUrl === undefined) return ['node', ...target.nodeFlags, '-e', '0'];
  return ['node', ...target.nodeFlags, '--input-type=module', '-e', PROBE_SOURCE, target.moduleUrl];
}

/** Options of {@link measureColdStarts}. */
export interface ColdStartOptions {
  readonly runs: number;
  /** Runs per target before the kept ones, discarded (file cache, CPU frequency). */
  readonly warmups: number;
  /** The processes' whole environment (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly onRound?: (round: number, rounds: number) => void;
}

/** Runs every target `warmups + runs` times, one process at a time, round-robin. */
export async function measureColdStarts(
  targets: readonly ColdTarget[],
  options: ColdStartOptions,
): Promise<ColdRow[]> {
  const kept = targets.map(() => [] as ProbeResult[]);
  const rounds = options.warmups + options.runs;
  for (let round = 0; round < rounds; round++) {
    for (const [index, target] of targets.entries()) {
      const result = await runProbe(target, options);
      if (round >= options.warmups) kept[index]?.push(result);
    }
    options.onRound?.(round + 1, rounds);
  }
  const finite = (values: number[]) =>
    values.every(Number.isFinite) ? summarize(values) : undefined;
  return targets.map((target, index) => {
    const runs = kept[index] ?? [];
    return {
      target,
      importMs: summarize(runs.map((r) => r.importMs)),
      wallMs: summarize(runs.map((r) => r.wallMs)),
      cpuMs: finite(runs.map((r) => r.cpuMs)),
      maxRssBytes: finite(runs.map((r) => r.maxRssBytes)),
    };
  });
}

interface ProbeResult {
  importMs: number;
  wallMs: number;
  cpuMs: number;
  maxRssBytes: number;
}

async function runProbe(target: ColdTarget, options: ColdStartOptions): Promise<ProbeResult> {
  const [, ...args] = commandLine(target);
  const started = performance.now();
  const { stdout } = await run(process.execPath, args, {
    env: options.env,
    cwd: options.cwd,
    timeout: 30_000,
  });
  const wallMs = performance.now() - started;
  if (target.moduleUrl === undefined) {
    return { importMs: 0, wallMs, cpuMs: Number.NaN, maxRssBytes: Number.NaN };
  }
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (line === undefined) throw new Error(`no probe result in ${stdout}`);
  return { ...JSON.parse(line.slice(RESULT_MARKER.length)), wallMs };
}

/**
 * The handler as it would run without bundling its dependencies (a handler file, the AWS SDK
 * loaded from `node_modules`, as on the Lambda runtime): the provider's own code compiled into
 * one file, every package imported from `node_modules` as published. Written into a scratch task root (`package.json` with
 * `"type": "module"`, `node_modules` linked to the project's), which `remove` deletes.
 */
export async function buildUnbundled(projectRoot: string) {
  const dir = await mkdtemp(join(tmpdir(), 'provider-bench-'));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  await symlink(join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const options = {
    entryPoints: [entryPoint],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: bundleOptions.target,
    sourcemap: true,
    logLevel: 'error',
  } satisfies esbuild.BuildOptions;
  const outfile = join(dir, 'handler.mjs');
  const result = await esbuild.build({
    ...options,
    outfile,
    absWorkingDir: projectRoot,
    metafile: true,
  });
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.mjs'))
    .reduce((sum, [, output]) => sum + output.bytes, 0);
  return {
    dir,
    url: pathToFileURL(outfile).href,
    options,
    bytes,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
