/**
 * The cold-start targets of one run (bare node, baselines, the bundle with and without source
 * maps, the unbundled builds, every build experiment) and the results sorted back into roles.
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import type { BuiltVariant } from './builds.js';
import type { ColdSeries, ColdTarget } from './cold-import.js';
import { type ColdResults, type ColdRow, coldRow, type Experiment } from './results.js';

/** The flag template.yaml sets in `NODE_OPTIONS`. */
export const SOURCE_MAPS = '--enable-source-maps';

/** What the targets are made from. */
export interface ColdInputs {
  /** `file:` URL of `dist/handler.mjs`. */
  readonly bundledUrl: string;
  readonly unbundled: BuiltVariant;
  readonly unbundledFiles: BuiltVariant;
  readonly experiments: readonly BuiltVariant[];
  /** The Node built-ins the bundle imports. */
  readonly builtinModules: readonly string[];
}

/** The Node built-in modules a build imports (its external imports), sorted. */
export function nodeBuiltinsOf(metafile: Metafile): string[] {
  const imports = Object.values(metafile.outputs).flatMap((output) => output.imports);
  return [...new Set(imports.filter((i) => i.external).map((i) => i.path))].sort();
}

/** `file:` URL of a build's entry module. */
export function entryUrl(built: BuiltVariant): string {
  return pathToFileURL(built.entryFile).href;
}

const target = (
  id: string,
  label: string,
  moduleUrl: string | undefined,
  nodeFlags: string[],
): ColdTarget => ({ id, label, command: { moduleUrl, nodeFlags } });

/**
 * Every target, in round-robin order. Experiments run with and without source maps, except
 * `no-sources-content`, which only differs with them.
 */
export function coldTargets(inputs: ColdInputs): ColdTarget[] {
  const builtinsUrl = `data:text/javascript,${encodeURIComponent(
    inputs.builtinModules.map((name) => `import '${name}';`).join('\n'),
  )}`;
  const targets = [
    target('bare', 'bare node (`node -e 0`)', undefined, []),
    target('empty', 'empty module (probe baseline)', 'data:text/javascript,', []),
    target('builtins', 'only the Node built-ins the bundle imports', builtinsUrl, []),
    target('bundled', 'bundled `dist/handler.mjs`', inputs.bundledUrl, []),
    target('bundled-maps', 'bundled, as deployed', inputs.bundledUrl, [SOURCE_MAPS]),
    target('unbundled', 'unbundled (packages from node_modules)', entryUrl(inputs.unbundled), []),
    target(
      'unbundled-files',
      'unbundled, one file per module',
      entryUrl(inputs.unbundledFiles),
      [],
    ),
  ];
  for (const built of inputs.experiments) {
    const { id, title } = built.variant;
    if (id !== 'no-sources-content') targets.push(target(id, title, entryUrl(built), []));
    targets.push(target(`${id}-maps`, `${title}, source maps`, entryUrl(built), [SOURCE_MAPS]));
  }
  return targets;
}

/** Sorts the measured series back into the report's roles. */
export function coldResults(
  series: readonly ColdSeries[],
  inputs: ColdInputs,
  counts: { runs: number; warmups: number },
): { cold: ColdResults; experiments: Experiment[] } {
  const rows = new Map<string, ColdRow>(series.map((s) => [s.target.id, coldRow(s)]));
  const row = (id: string): ColdRow => {
    const found = rows.get(id);
    if (!found) throw new Error(`no cold-start row ${id}`);
    return found;
  };
  return {
    cold: {
      ...counts,
      bare: row('bare'),
      empty: row('empty'),
      builtins: row('builtins'),
      builtinModules: inputs.builtinModules,
      bundled: row('bundled'),
      bundledWithSourceMaps: row('bundled-maps'),
      unbundled: row('unbundled'),
      unbundledFiles: row('unbundled-files'),
      unbundledBuild: inputs.unbundled,
      unbundledFilesBuild: inputs.unbundledFiles,
    },
    experiments: inputs.experiments.map((built) => ({
      built,
      plain: rows.get(built.variant.id),
      withSourceMaps: row(`${built.variant.id}-maps`),
    })),
  };
}
