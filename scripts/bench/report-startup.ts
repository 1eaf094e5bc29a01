/**
 * Report sections about starting the function: cold import, where its time goes, build-option
 * experiments, and the bundle's bytes.
 *
 * @module
 */
import type { ImportProfile } from './cpu-profile.js';
import { code, kib, mib, ms, percent, signedMs, table, times } from './markdown.js';
import type { BenchResults, ColdRow } from './results.js';
import type { StackTraceCost } from './stack-trace.js';

const stackText = (cost: StackTraceCost): string =>
  `${ms(cost.ms.median)} and ${mib(cost.rssBytes.median)} more RSS`;

const flagsOf = (row: ColdRow): string =>
  row.command.nodeFlags.length === 0 ? '–' : row.command.nodeFlags.map(code).join(' ');

/** The cold-import comparison. */
export function renderColdImport(results: BenchResults): string {
  const { cold } = results;
  const rows = [
    cold.bare,
    cold.empty,
    cold.builtins,
    cold.bundled,
    cold.bundledWithSourceMaps,
    cold.unbundled,
    cold.unbundledFiles,
  ];
  const body = table(
    [
      'Target',
      'Node flags',
      'import p50',
      'import p90',
      'wall p50',
      'wall p90',
      'wall − bare (p50)',
      'CPU p50',
      'max RSS p50',
    ],
    rows.map((row) => [
      row.label,
      flagsOf(row),
      row === cold.bare ? '–' : ms(row.importMs.median),
      row === cold.bare ? '–' : ms(row.importMs.p90),
      ms(row.wallMs.median),
      ms(row.wallMs.p90),
      row === cold.bare ? '–' : signedMs(row.wallMs.median - cold.bare.wallMs.median),
      ms(row.cpuMs?.median),
      mib(row.maxRssBytes?.median),
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const importRatio = cold.unbundled.importMs.median / cold.bundled.importMs.median;
  const wallRatio = cold.unbundled.wallMs.median / cold.bundled.wallMs.median;
  const filesRatio = cold.unbundledFiles.importMs.median / cold.bundled.importMs.median;
  const mapCost = cold.bundledWithSourceMaps.importMs.median - cold.bundled.importMs.median;
  const mapWall = cold.bundledWithSourceMaps.wallMs.median - cold.bundled.wallMs.median;
  const mapRss =
    (cold.bundledWithSourceMaps.maxRssBytes?.median ?? 0) - (cold.bundled.maxRssBytes?.median ?? 0);
  const wall = (row: ColdRow) => row.wallMs.median;
  return [
    '## Cold import',
    '',
    `${cold.runs} fresh processes per target (after ${cold.warmups} discarded), the targets interleaved round-robin. ` +
      '*import*: `performance.now()` around `await import()` inside the process; *wall*: spawn → exit as the parent sees it; ' +
      '*CPU* and *max RSS*: the process’s own (`process.cpuUsage()`, `resourceUsage().maxRSS`) at the end of the import, Node’s start-up included.',
    '',
    body,
    '',
    `- **Where the ${signedMs(wall(cold.bundledWithSourceMaps) - wall(cold.bare))} over bare node go** (medians of wall time): ` +
      `the probe and Node’s ES module loader ${signedMs(wall(cold.empty) - wall(cold.bare))}; ` +
      `the ${cold.builtinModules.length} Node built-ins the bundle imports (${cold.builtinModules.map(code).join(', ')}) ${signedMs(wall(cold.builtins) - wall(cold.empty))}; ` +
      `the bundle’s own parsing, compiling and top-level code ${signedMs(wall(cold.bundled) - wall(cold.builtins))}; ` +
      `\`--enable-source-maps\` ${signedMs(wall(cold.bundledWithSourceMaps) - wall(cold.bundled))}.`,
    `- **Bundled vs unbundled:** the import is ${times(importRatio)} faster (p50 ${ms(cold.bundled.importMs.median)} vs ${ms(cold.unbundled.importMs.median)}); ` +
      `the whole process ${times(wallRatio)} (${ms(cold.bundled.wallMs.median)} vs ${ms(cold.unbundled.wallMs.median)}). ` +
      `With the provider’s own modules as separate files too, unbundled is ${times(filesRatio)} slower than bundled.`,
    `- **\`--enable-source-maps\`** (template.yaml sets it in \`NODE_OPTIONS\`): ${signedMs(mapCost)} import (p50), ${signedMs(mapWall)} wall, ` +
      `${mapRss >= 0 ? '+' : '−'}${mib(Math.abs(mapRss))} RSS: Node reads and parses \`handler.mjs.map\` (${kib(results.bundle.mapBytes)}) when the module loads. ` +
      `The first stack trace through the bundle (any error logged with its stack) then decodes the whole map: ${stackText(results.stackTraces.current)}` +
      `${results.stackTraces.noSourcesContent === undefined ? '' : `; with \`sourcesContent: false\` ${stackText(results.stackTraces.noSourcesContent)}`}; without the flag ${stackText(results.stackTraces.withoutFlag)} (medians of ${results.stackTraces.current.ms.n} fresh processes).`,
    `- In the Lambda-like child of the warm-latency run (\`NODE_OPTIONS=${results.latency.nodeOptions}\`) the import took ${ms(results.latency.initMs)}.`,
    '',
    '**What “unbundled” is.** CDK’s `AwsCustomResource` runs a small handler file and loads the AWS SDK from the runtime’s `node_modules`, file by file. ' +
      'The honest equivalent for this provider is its own code compiled to one file with every dependency left external ' +
      `(esbuild ${code(cold.unbundledBuild.variant.change)}, ${kib(cold.unbundledBuild.totalBytes)}), run from a task root whose \`node_modules\` is the project’s: ` +
      'Node then resolves each package’s `exports`/`main` and loads its published files: the AWS SDK v3’s `dist-cjs` builds (one file per package) and Powertools’ ES modules (one file per source module). ' +
      'This is the comparison the goal uses. The second unbundled row also compiles every source module to its own file (`bundle: false`), as `tsc` would; it changes little because the dependencies dominate.',
  ].join('\n');
}

/** The CPU-profile breakdown of the bundled import (and of the best experiment). */
export function renderProfile(results: BenchResults): string {
  const { bundled, best } = results.profiles;
  const phaseTable = (profile: ImportProfile) =>
    table(
      ['Phase', 'ms per import', 'share'],
      profile.phases.map((p) => [p.name, ms(p.ms), percent(p.share)]),
      ['l', 'r', 'r'],
    );
  const sections = [
    '## Where the cold import’s time goes',
    '',
    `\`node --cpu-prof --cpu-prof-interval=${bundled.intervalUs}\` on ${bundled.runs} cold imports of \`dist/handler.mjs\` ` +
      `(flags: ${results.profiles.bundledCommand.nodeFlags.map(code).join(' ') || 'none'}); only samples taken during \`await import()\` count. ` +
      `Profiling slows the import down (${ms(bundled.sampledMs)} sampled vs ${ms(results.cold.bundledWithSourceMaps.importMs.median)} unprofiled), so read the shares. ` +
      'Samples in the bundle are traced back to their npm package through the source map (self time). ' +
      `The profiler inflates native-heavy phases: importing only the Node built-ins, unprofiled, costs ${signedMs(results.cold.builtins.wallMs.median - results.cold.empty.wallMs.median)} (see above).`,
    '',
    phaseTable(bundled),
    '',
    'Top-level code by package (self time):',
    '',
    table(
      ['Package', 'ms per import', 'share of import'],
      bundled.packages.slice(0, 12).map((p) => [p.name, ms(p.ms), percent(p.share)]),
      ['l', 'r', 'r'],
    ),
  ];
  if (best !== undefined) {
    sections.push(
      '',
      `The same for the \`${best.id}\` experiment (see below), to show what is left:`,
      '',
      phaseTable(best.profile),
    );
  }
  return sections.join('\n');
}

/** Scratch builds with one build-option change each. */
export function renderExperiments(results: BenchResults): string {
  const { cold } = results;
  const baseWall = cold.bundledWithSourceMaps.wallMs.median;
  const rows = [
    [
      'current `scripts/build-options.ts`',
      '–',
      '–',
      `${kib(results.bundle.rawBytes)} (1 file)`,
      ms(cold.bundled.importMs.median),
      ms(cold.bundled.wallMs.median),
      ms(cold.bundledWithSourceMaps.importMs.median),
      ms(baseWall),
      '–',
    ],
    ...results.experiments.map((experiment) => {
      const { built, plain, withSourceMaps } = experiment;
      const eager =
        built.files === 1
          ? `${kib(built.eagerBytes)} (1 file)`
          : `${kib(built.eagerBytes)} of ${kib(built.totalBytes)} (${built.files} files)`;
      return [
        built.variant.title,
        code(built.variant.change),
        built.variant.sam,
        eager,
        plain === undefined ? 'as current' : ms(plain.importMs.median),
        plain === undefined ? 'as current' : ms(plain.wallMs.median),
        ms(withSourceMaps.importMs.median),
        ms(withSourceMaps.wallMs.median),
        signedMs(withSourceMaps.wallMs.median - baseWall),
      ];
    }),
  ];
  return [
    '## Build-option experiments',
    '',
    'Scratch copies of `scripts/build-options.ts` with one change each (then all together), built into a temporary directory and cold-started like the rows above, in the same round-robin. ' +
      '*SAM* says whether template.yaml’s `Metadata.BuildProperties` (SAM’s esbuild builder: EntryPoints, External, Format, Loader, MainFields, Minify, OutExtension, Sourcemap, SourcesContent, Target, Banner) can express the change; ' +
      'where it cannot, `sam build` would have to take the output of `npm run build` instead (e.g. `CodeUri: dist/` without `BuildMethod: esbuild`).',
    '',
    table(
      [
        'Build',
        'Change',
        'SAM',
        'JS loaded at import',
        'import p50',
        'wall p50',
        'import p50, source maps',
        'wall p50, source maps',
        'Δ wall, source maps',
      ],
      rows,
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    '- *env-only credentials*: esbuild `alias` replaces `@aws-sdk/credential-provider-node` (the default chain: SSO, INI files, `credential_process`, web identity, container and instance metadata, with the STS, SSO-OIDC and sign-in clients they load) ' +
      'by `scripts/bench/env-credentials.ts`, which reads `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, where Lambda always puts the execution role’s credentials.',
    '- *code splitting*: the chain’s `await import()`s and other lazy paths become chunks that load only when called; chunks that the entry needs are still loaded at import.',
    '- *Powertools stubbed out* is a measurement, not a build to ship: `scripts/bench/stubs/` replaces Powertools idempotency (with JMESPath and the DynamoDB marshalling it pulls in) and the logger by no-op or minimal stand-ins, to show what those packages cost at import.',
  ].join('\n');
}

/** Bundle size and what takes the bytes. */
export function renderBundle(results: BenchResults): string {
  const { bundle } = results;
  const shareTable = (
    header: string,
    rows: readonly { name: string; bytes: number; share: number; files: number }[],
    withFiles: boolean,
  ) =>
    table(
      withFiles ? [header, 'bytes', 'share', 'files'] : [header, 'bytes', 'share'],
      rows.map((r) => {
        const cells = [r.name, kib(r.bytes), percent(r.share)];
        return withFiles ? [...cells, String(r.files)] : cells;
      }),
      ['l', 'r', 'r', 'r'],
    );
  return [
    '## Bundle size',
    '',
    table(
      ['File', 'raw', 'gzip -9'],
      [
        [code(bundle.file), kib(bundle.rawBytes), kib(bundle.gzipBytes)],
        [code(`${bundle.file}.map`), kib(bundle.mapBytes), kib(bundle.mapGzipBytes)],
      ],
      ['l', 'r', 'r'],
    ),
    '',
    `${bundle.inputs} input files. Bytes in the output by npm package (from \`dist/meta.json\`):`,
    '',
    shareTable('Package', bundle.byPackage.slice(0, 15), true),
    '',
    'What each package *retains*: the bytes that would leave the bundle without it (its own, and those of every input only it leads to):',
    '',
    shareTable('Package', bundle.retainedByPackage.slice(0, 12), false),
    '',
    'Largest single inputs:',
    '',
    shareTable('Input', bundle.topInputs.slice(0, 12), false),
  ].join('\n');
}
