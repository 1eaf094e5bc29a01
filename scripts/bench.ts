/**
 * `npm run bench`: builds the provider and measures it as deployed — cold start beside bare
 * node, the unbundled build and CDK's real `AwsCustomResource` handler (`bench/cdk-handler.ts`),
 * network calls and warm latency per request, peak memory, N resources at once under write
 * throttling, the drift check over 10, 100 and 1 000 sources — and rewrites the generated part
 * of `docs/benchmarks.md` (the hand-written findings below it stay).
 *
 * The parts live in `scripts/bench/`; this file runs them in order and reports progress on
 * stderr. Nothing is written outside `docs/benchmarks.md`, `dist/` (the normal build), the cached
 * CDK handler in `.local/bench/` and a temporary directory that is removed at the end. `npm run bench -- --drift-only` measures only
 * the drift check and rewrites only its section.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { yamlParse } from 'yaml-cfn';
import { CDK_VERSION, PEER_CLIENT, writeCdkTaskRoot } from './bench/cdk-handler.js';
import { buildUnbundled, type ColdTarget, measureColdStarts } from './bench/cold-start.js';
import { type DriftRun, runDrift } from './bench/drift-run.js';
import { type LoadRun, runLoad } from './bench/load-run.js';
import { DRIFT_HEADING, renderDrift, renderReport } from './bench/report.js';
import { measureWarmRun } from './bench/warm-run.js';
import { build, projectRoot } from './build.js';

const COLD_RUNS = 21;
const COLD_WARMUPS = 2;
const LATENCY_EVENTS = 200;
const LATENCY_WARMUPS = 10;
/** The load runs: N resources at once, on 4 environments (as the load test) and on up to 25. */
const LOAD_RESOURCES = [10, 30, 100];
const LOAD_ENVIRONMENTS = [4, 25];
const LOAD_LIMITS = { perStoreWritesPerSecond: 1, accountWritesPerSecond: 10, timeoutMs: 120_000 };
/** The drift check's runs: N managed sources, and warm invocations after the cold one. */
const DRIFT_RESOURCES = [10, 100, 1_000];
const DRIFT_WARM_RUNS = 3;
/** The memory size whose heap limits the warm run imitates (the goal: 128 MB works). */
const JUDGED_MEMORY_MB = 128;
const REPORT_PATH = join(projectRoot, 'docs/benchmarks.md');
/** Where the hand-written part of the report starts; a run keeps it and what follows. */
const HAND_WRITTEN = '## Findings of earlier measurements';

/** Variables the Lambda runtime sets, for the cold-start processes. */
const LAMBDA_BASICS = {
  AWS_LAMBDA_FUNCTION_NAME: 'identity-source-provider',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(JUDGED_MEMORY_MB),
  AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
};

const started = performance.now();
const progress = (message: string): void => {
  const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
};

/** The function's `NODE_OPTIONS` in template.yaml: how it runs when deployed. */
async function templateNodeOptions(): Promise<string> {
  const template = yamlParse(await readFile(join(projectRoot, 'template.yaml'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Serverless::Function');
  const environment = fn?.Properties?.Environment as { Variables?: Record<string, unknown> };
  const value = environment?.Variables?.NODE_OPTIONS;
  return typeof value === 'string' ? value : '';
}

async function measureDrift(): Promise<DriftRun[]> {
  const runs: DriftRun[] = [];
  for (const resources of DRIFT_RESOURCES) {
    progress(`drift check: ${resources} managed sources`);
    runs.push(await runDrift({ resources, warmRuns: DRIFT_WARM_RUNS }));
  }
  return runs;
}

/**
 * `--drift-only`: measures the drift check alone and rewrites only its section of the report
 * (the rest of `docs/benchmarks.md` stays as the last full run wrote it).
 */
async function driftOnly(): Promise<void> {
  progress('building dist/ (scripts/build.ts)');
  await build({ quiet: true });
  const section = renderDrift(await measureDrift());
  const previous = await readFile(REPORT_PATH, 'utf8');
  const start = previous.indexOf(DRIFT_HEADING);
  const before = start < 0 ? previous.indexOf('## Commands') : start;
  if (before < 0) throw new Error(`${REPORT_PATH} has no "## Commands" section to put it before`);
  const next = previous.indexOf('\n## ', before + 1);
  const end = start < 0 ? before : next < 0 ? previous.length : next + 1;
  const note = `_This section: \`npm run bench -- --drift-only\` on ${new Date().toISOString()}._`;
  await writeFile(
    REPORT_PATH,
    `${previous.slice(0, before)}${section}\n\n${note}\n\n${previous.slice(end)}`,
  );
  progress(`wrote the drift section of ${REPORT_PATH}`);
}

async function main(): Promise<void> {
  const date = new Date().toISOString();
  progress('building dist/handler.mjs and dist/drift.mjs (scripts/build.ts)');
  await build({ quiet: true });
  const bundlePath = join(projectRoot, 'dist/handler.mjs');
  const nodeOptions = await templateNodeOptions();

  progress(`warm run: ${LATENCY_EVENTS} events per request type`);
  const warm = await measureWarmRun(nodeOptions, {
    events: LATENCY_EVENTS,
    warmups: LATENCY_WARMUPS,
    memoryMb: JUDGED_MEMORY_MB,
    env: {},
    onProgress: (done, total) => progress(`  ${done}/${total} invocations`),
  });

  const load: LoadRun[] = [];
  for (const environments of LOAD_ENVIRONMENTS) {
    for (const resources of LOAD_RESOURCES) {
      const options = {
        ...LOAD_LIMITS,
        resources,
        environments: Math.min(environments, resources),
      };
      progress(`load: ${resources} resources at once on ${options.environments} environments`);
      load.push(await runLoad({ ...options, env: {} }));
    }
  }

  const drift = await measureDrift();

  progress('building the unbundled handler');
  const unbundled = await buildUnbundled(projectRoot);
  try {
    const { NODE_OPTIONS: _nodeOptions, ...functionEnv } = warm.functionEnv;
    const probeEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...LAMBDA_BASICS,
      ...functionEnv,
    };
    const bundled = pathToFileURL(bundlePath).href;
    progress(`CDK's AwsCustomResource handler (aws-cdk-lib@${CDK_VERSION}, cached in .local/)`);
    const cdk = await writeCdkTaskRoot(projectRoot, unbundled.dir);
    const deployedFlags = nodeOptions.split(' ').filter((flag) => flag !== '');
    const bundledTarget: ColdTarget = {
      label:
        deployedFlags.length === 0
          ? 'bundled `dist/handler.mjs`, as deployed (the template sets no `NODE_OPTIONS`)'
          : 'bundled `dist/handler.mjs`',
      nodeFlags: [],
      moduleUrl: bundled,
    };
    const bareTarget: ColdTarget = { label: 'bare node (`node -e 0`)', nodeFlags: [] };
    const sourceMapsTarget: ColdTarget = {
      label: 'bundled, with `--enable-source-maps`',
      nodeFlags: ['--enable-source-maps'],
      moduleUrl: bundled,
    };
    const deployedTarget: ColdTarget | undefined =
      deployedFlags.length === 0
        ? undefined
        : { label: 'bundled, as deployed', nodeFlags: deployedFlags, moduleUrl: bundled };
    const unbundledTarget: ColdTarget = {
      label: 'unbundled (packages from node_modules)',
      nodeFlags: [],
      moduleUrl: unbundled.url,
    };
    const peerImportTarget: ColdTarget = {
      label: `CDK \`AwsCustomResource\` handler (aws-cdk-lib ${cdk.version}): import`,
      nodeFlags: [],
      moduleUrl: cdk.importUrl,
    };
    const peerFirstRequestTarget: ColdTarget = {
      label: `CDK \`AwsCustomResource\` handler: import + its first request’s \`require('${PEER_CLIENT}')\``,
      nodeFlags: [],
      moduleUrl: cdk.firstRequestUrl,
    };
    const targets = [
      bareTarget,
      bundledTarget,
      sourceMapsTarget,
      ...(deployedTarget ? [deployedTarget] : []),
      unbundledTarget,
      peerImportTarget,
      peerFirstRequestTarget,
    ];
    progress(`cold starts: ${targets.length} targets × ${COLD_RUNS} (+${COLD_WARMUPS}) processes`);
    const rows = await measureColdStarts(targets, {
      runs: COLD_RUNS,
      warmups: COLD_WARMUPS,
      env: probeEnv,
      cwd: unbundled.dir,
      onRound: (round, rounds) => {
        if (round % 10 === 0 || round === rounds) progress(`  round ${round}/${rounds}`);
      },
    });
    const row = (target: ColdTarget) => {
      const found = rows.find((r) => r.target === target);
      if (!found) throw new Error(`no row for ${target.label}`);
      return found;
    };
    const bundledRow = row(bundledTarget);

    const generated = renderReport({
      date,
      durationS: (performance.now() - started) / 1000,
      cold: {
        runs: COLD_RUNS,
        warmups: COLD_WARMUPS,
        bare: row(bareTarget),
        bundled: bundledRow,
        sourceMaps: row(sourceMapsTarget),
        deployed: deployedTarget ? row(deployedTarget) : bundledRow,
        unbundled: row(unbundledTarget),
        peerImport: row(peerImportTarget),
        peerFirstRequest: row(peerFirstRequestTarget),
      },
      peer: { version: cdk.version, bytes: cdk.bytes, sha256: cdk.sha256, client: PEER_CLIENT },
      unbundledBuild: unbundled,
      ...(await loadedAtImport(bundlePath)),
      warm,
      load,
      drift,
      probeEnv,
      paths: { projectRoot, scratchDir: unbundled.dir },
    });
    const previous = await readFile(REPORT_PATH, 'utf8').catch(() => '');
    const at = previous.indexOf(HAND_WRITTEN);
    await writeFile(REPORT_PATH, at < 0 ? generated : `${generated}\n${previous.slice(at)}`);
    progress(`wrote ${REPORT_PATH}`);
  } finally {
    await unbundled.remove();
  }
}

if (process.argv.includes('--drift-only')) await driftOnly();
else await main();

/**
 * What an import of the bundle reads: `handler.mjs` and the chunks it imports statically (esbuild's
 * metafile `dist/meta.json` says which), and their maps; the chunks loaded with `import()` only
 * when needed are left out.
 */
async function loadedAtImport(entry: string): Promise<{ bundleBytes: number; mapBytes: number }> {
  const dist = dirname(entry);
  const meta = JSON.parse(await readFile(join(dist, 'meta.json'), 'utf8')) as {
    outputs: Record<string, { imports?: { path: string; kind: string }[] }>;
  };
  const files = new Set<string>();
  const walk = (file: string): void => {
    if (files.has(file) || !meta.outputs[file]) return;
    files.add(file);
    for (const { path, kind } of meta.outputs[file].imports ?? []) {
      if (kind === 'import-statement') walk(path);
    }
  };
  walk(relative(projectRoot, entry));
  let bundleBytes = 0;
  let mapBytes = 0;
  for (const file of files) {
    bundleBytes += (await stat(join(projectRoot, file))).size;
    mapBytes += (await stat(join(projectRoot, `${file}.map`))).size;
  }
  return { bundleBytes, mapBytes };
}
