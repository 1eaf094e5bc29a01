/**
 * `npm run bench`: builds the provider, measures it side by side (cold import against bare node
 * and against the same handler unbundled, network calls per request, warm latency, peak RSS,
 * bundle size, build-option experiments, CPU profiles) and writes `docs/benchmarks.md`.
 *
 * The parts live in `scripts/bench/`, one job per file; this file only runs them in order and
 * reports progress on stderr. Nothing is written outside `docs/benchmarks.md`, `dist/` (the
 * normal build) and a temporary directory that is removed at the end.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  type BuildVariant,
  type BuiltVariant,
  buildVariant,
  OPTION_EXPERIMENTS,
  UNBUNDLED,
  UNBUNDLED_FILES,
} from './bench/builds.js';
import { measureBundle } from './bench/bundle-size.js';
import { measureColdImports } from './bench/cold-import.js';
import {
  type ColdInputs,
  coldResults,
  coldTargets,
  entryUrl,
  nodeBuiltinsOf,
  SOURCE_MAPS,
} from './bench/cold-targets.js';
import { profileImport } from './bench/cpu-profile.js';
import { goalFiguresOf, memoryInputsOf } from './bench/derive.js';
import { judgeGoals } from './bench/goals.js';
import { lambdaHeapFlags } from './bench/lambda-flags.js';
import { describeMachine } from './bench/machine.js';
import { chooseMemorySize } from './bench/memory-size.js';
import { measureNetworkCalls } from './bench/network-calls.js';
import { renderReport } from './bench/report.js';
import type { BenchResults } from './bench/results.js';
import { createScratch } from './bench/scratch.js';
import { measureFirstStackTrace } from './bench/stack-trace.js';
import { measureWarmLatency } from './bench/warm-latency.js';
import { profileWarmInvocations } from './bench/warm-profile.js';
import { build, projectRoot } from './build.js';
import { entryPoint } from './build-options.js';

const COLD_RUNS = 40;
const COLD_WARMUPS = 2;
const PROFILE_RUNS = 10;
const PROFILE_INTERVAL_US = 100;
const NETWORK_CYCLES = 5;
const LATENCY_EVENTS = 200;
const LATENCY_WARMUPS = 10;
const WARM_PROFILE_EVENTS = 100;
const STACK_TRACE_RUNS = 5;
/** The memory size whose heap limits the judged warm run imitates (the goal: 128 MB works). */
const JUDGED_MEMORY_MB = 128;
const REPORT_PATH = join(projectRoot, 'docs/benchmarks.md');

/** The SDK warns about Node.js < 22 at client creation; Lambda's nodejs22.x never does. */
const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** Variables the Lambda runtime sets, for the cold-start processes. */
const LAMBDA_BASICS = {
  AWS_LAMBDA_FUNCTION_NAME: 'identity-source-provider',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
};

// The stand-ins' own SDK clients run in this process.
Object.assign(process.env, QUIET_SDK);

const started = performance.now();
const progress = (message: string): void => {
  const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
};

/** Warm latency with Lambda's heap limits for `memoryMb`, or this machine's defaults. */
function latencyRun(memoryMb: number | undefined) {
  const heap = memoryMb === undefined ? [] : lambdaHeapFlags(memoryMb);
  progress(
    `warm latency, ${memoryMb === undefined ? 'default heap limits' : `${memoryMb} MB heap limits`}: ${LATENCY_EVENTS} events per request type`,
  );
  return measureWarmLatency({
    events: LATENCY_EVENTS,
    warmups: LATENCY_WARMUPS,
    nodeOptions: [SOURCE_MAPS, ...heap].join(' '),
    memoryMb,
    env: QUIET_SDK,
    onProgress: (done, total) => progress(`  ${done}/${total} invocations`),
  });
}

/** The unbundled builds and the experiments; an experiment that no longer builds is skipped. */
async function buildComparisons(scratchDir: string) {
  progress('building the unbundled handler and the build-option experiments');
  const sourceFiles = (await readdir(join(projectRoot, 'src'), { recursive: true }))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join('src', file));
  const buildOne = (variant: BuildVariant) =>
    buildVariant(variant, projectRoot, scratchDir, sourceFiles);
  const experiments: BuiltVariant[] = [];
  for (const variant of OPTION_EXPERIMENTS) {
    const built = await buildOne(variant).catch((error: unknown) => {
      progress(`  skipped experiment ${variant.id}: ${String(error).split('\n')[0]}`);
      return undefined;
    });
    if (built !== undefined) experiments.push(built);
  }
  return {
    unbundled: await buildOne(UNBUNDLED),
    unbundledFiles: await buildOne(UNBUNDLED_FILES),
    experiments,
  };
}

async function main(): Promise<void> {
  const machine = describeMachine();
  progress('building dist/handler.mjs (scripts/build.ts)');
  const metafile = await build({ quiet: true });
  const bundle = await measureBundle(projectRoot, metafile, entryPoint);

  progress(`network calls: ${NETWORK_CYCLES} Create/Update/Delete cycles behind counting proxies`);
  const network = await measureNetworkCalls({ cycles: NETWORK_CYCLES, env: QUIET_SDK });
  const latency = await latencyRun(JUDGED_MEMORY_MB);
  const latencyUnlimited = await latencyRun(undefined);

  const scratch = await createScratch(projectRoot);
  try {
    const comparisons = await buildComparisons(scratch.dir);
    const { NODE_OPTIONS: _nodeOptions, ...functionEnv } = latency.functionEnv;
    const probeEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...LAMBDA_BASICS,
      ...functionEnv,
      ...QUIET_SDK,
    };
    const bundledUrl = pathToFileURL(join(projectRoot, 'dist/handler.mjs')).href;
    const inputs: ColdInputs = {
      bundledUrl,
      ...comparisons,
      builtinModules: nodeBuiltinsOf(metafile),
    };
    const targets = coldTargets(inputs);
    progress(`cold imports: ${targets.length} targets × ${COLD_RUNS} (+${COLD_WARMUPS}) processes`);
    const series = await measureColdImports(targets, {
      runs: COLD_RUNS,
      warmups: COLD_WARMUPS,
      env: probeEnv,
      cwd: scratch.dir,
      onRound: (round, rounds) => {
        if (round % 10 === 0 || round === rounds) progress(`  round ${round}/${rounds}`);
      },
    });
    const { cold, experiments } = coldResults(series, inputs, {
      runs: COLD_RUNS,
      warmups: COLD_WARMUPS,
    });

    progress(`warm CPU profile: ${WARM_PROFILE_EVENTS} Creates in a plain process`);
    const warmProfile = await profileWarmInvocations({
      moduleUrl: bundledUrl,
      events: WARM_PROFILE_EVENTS,
      warmups: LATENCY_WARMUPS,
      intervalUs: PROFILE_INTERVAL_US,
      nodeFlags: [SOURCE_MAPS],
      env: QUIET_SDK,
      dir: scratch.dir,
    });

    progress(`cold-import CPU profiles: ${PROFILE_RUNS} imports each`);
    const profileOptions = {
      runs: PROFILE_RUNS,
      intervalUs: PROFILE_INTERVAL_US,
      env: probeEnv,
      cwd: scratch.dir,
      dir: join(scratch.dir, 'profiles'),
    };
    const bundledCommand = { moduleUrl: bundledUrl, nodeFlags: [SOURCE_MAPS] };
    const bundledProfile = await profileImport(bundledCommand, profileOptions);
    const all = comparisons.experiments.find((built) => built.variant.id === 'all');
    const best = all && {
      id: all.variant.id,
      profile: await profileImport(
        { moduleUrl: entryUrl(all), nodeFlags: [SOURCE_MAPS] },
        profileOptions,
      ),
    };

    progress(`first stack trace through the source map: ${STACK_TRACE_RUNS} processes each`);
    const stackOptions = { runs: STACK_TRACE_RUNS, env: probeEnv, cwd: scratch.dir };
    const noSourcesContent = comparisons.experiments.find(
      (built) => built.variant.id === 'no-sources-content',
    );
    const stackTraces = {
      current: await measureFirstStackTrace(bundledUrl, [SOURCE_MAPS], stackOptions),
      withoutFlag: await measureFirstStackTrace(bundledUrl, [], stackOptions),
      noSourcesContent:
        noSourcesContent &&
        (await measureFirstStackTrace(entryUrl(noSourcesContent), [SOURCE_MAPS], stackOptions)),
    };

    const memoryInputs = memoryInputsOf(cold, latency, latencyUnlimited, stackTraces.current);
    const goals = judgeGoals(goalFiguresOf(cold, network, latency));
    const results: BenchResults = {
      machine,
      paths: { projectRoot, scratchDir: scratch.dir },
      durationS: (performance.now() - started) / 1000,
      probeEnv,
      bundle,
      cold,
      experiments,
      profiles: { bundled: bundledProfile, bundledCommand, best },
      stackTraces,
      network,
      latency,
      latencyUnlimited,
      warmProfile,
      memoryInputs,
      memory: chooseMemorySize(memoryInputs),
      goals,
    };
    await mkdir(join(projectRoot, 'docs'), { recursive: true });
    await writeFile(REPORT_PATH, renderReport(results));
    progress(`wrote ${REPORT_PATH}`);
    for (const goal of goals) {
      progress(`${goal.met ? 'met   ' : 'MISSED'} ${goal.goal}: ${goal.figure}`);
    }
  } finally {
    await scratch.remove();
  }
}

await main();
