/**
 * The extra builds the benchmark compares with `dist/handler.mjs`: the same handler unbundled
 * (dependencies loaded from `node_modules`), and scratch copies of `scripts/build-options.ts`
 * with one change each, to measure what a proposed option would buy before anyone adopts it.
 * Everything is written to a scratch directory; `scripts/build-options.ts` is only read.
 *
 * @module
 */
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { bundleOptions, entryPoint } from '../build-options.js';

/** One way of building the handler. */
export interface BuildVariant {
  readonly id: string;
  readonly title: string;
  /** What differs from `scripts/build-options.ts`, for the report. */
  readonly change: string;
  /** Whether SAM's esbuild `BuildProperties` in template.yaml can say the same. */
  readonly sam: 'yes' | 'no' | 'n/a';
  /** The esbuild options, given the directory to write to and the project's source files. */
  options(outDir: string, sourceFiles: readonly string[]): esbuild.BuildOptions;
}

/** A variant as built. */
export interface BuiltVariant {
  readonly variant: BuildVariant;
  /** The module to import (absolute path). */
  readonly entryFile: string;
  /** JavaScript files written. */
  readonly files: number;
  /** Bytes of all JavaScript written. */
  readonly totalBytes: number;
  /** Bytes of the JavaScript an import loads before the handler runs (entry + static imports). */
  readonly eagerBytes: number;
  /** Bytes of the source maps written. */
  readonly mapBytes: number;
}

/** Output layout shared by the code-splitting variants. */
const SPLIT_OUTPUT = {
  splitting: true,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
} as const satisfies esbuild.BuildOptions;

/** `scripts/build-options.ts` written into `outDir`, with `overrides`. */
function current(outDir: string, overrides: esbuild.BuildOptions = {}): esbuild.BuildOptions {
  const { outfile: _outfile, ...rest } = bundleOptions;
  const split = overrides.splitting === true;
  return {
    ...rest,
    ...(split ? { outdir: outDir } : { outfile: join(outDir, 'handler.mjs') }),
    ...overrides,
  };
}

const ENV_CREDENTIALS_ALIAS = {
  '@aws-sdk/credential-provider-node': './scripts/bench/env-credentials.ts',
};

/** Measurement-only stubs: what Powertools costs at import (see `stubs/`). */
const POWERTOOLS_STUBS = {
  '@aws-lambda-powertools/idempotency': './scripts/bench/stubs/powertools-idempotency.ts',
  '@aws-lambda-powertools/idempotency/dynamodb': './scripts/bench/stubs/powertools-idempotency.ts',
  '@aws-lambda-powertools/logger': './scripts/bench/stubs/powertools-logger.ts',
};

/**
 * The handler as it would run without bundling its dependencies, the way CDK's
 * `AwsCustomResource` runs on the Lambda runtime (a small handler file; the AWS SDK loaded from
 * `node_modules`): the provider's own code is compiled into one file and every package is
 * imported from `node_modules` as published (`packages: 'external'`), so Node resolves each
 * package's `exports` and loads its files one by one.
 */
export const UNBUNDLED: BuildVariant = {
  id: 'unbundled',
  title: 'unbundled: own code in one file, packages from node_modules',
  change: "bundle: true, packages: 'external' (no minify)",
  sam: 'n/a',
  options: (outDir) => ({
    entryPoints: [entryPoint],
    outfile: join(outDir, 'handler.mjs'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: bundleOptions.target,
    sourcemap: true,
    logLevel: 'error',
  }),
};

/** Like {@link UNBUNDLED}, and the provider's own modules are separate files too (`tsc`-like). */
export const UNBUNDLED_FILES: BuildVariant = {
  id: 'unbundled-files',
  title: 'unbundled, one file per source module',
  change: 'bundle: false, every src/**/*.ts compiled on its own',
  sam: 'n/a',
  options: (outDir, sourceFiles) => ({
    entryPoints: [...sourceFiles],
    outdir: outDir,
    outbase: 'src',
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: bundleOptions.target,
    sourcemap: true,
    logLevel: 'error',
  }),
};

/** Scratch copies of the build options, one change each, then all together. */
export const OPTION_EXPERIMENTS: readonly BuildVariant[] = [
  {
    id: 'no-sources-content',
    title: 'source map without sourcesContent',
    change: 'sourcesContent: false',
    sam: 'yes',
    options: (outDir) => current(outDir, { sourcesContent: false }),
  },
  {
    id: 'split',
    title: 'code splitting (lazy chunks for dynamic imports)',
    change: "splitting: true, outdir: 'dist', chunkNames: 'chunks/[name]-[hash]'",
    sam: 'no',
    options: (outDir) => current(outDir, SPLIT_OUTPUT),
  },
  {
    id: 'env-credentials',
    title: 'credentials from the environment only',
    change: "alias: { '@aws-sdk/credential-provider-node': <env-only module> }",
    sam: 'no',
    options: (outDir) => current(outDir, { alias: ENV_CREDENTIALS_ALIAS }),
  },
  {
    id: 'all',
    title: 'all three',
    change: 'sourcesContent: false + splitting + env-only credentials',
    sam: 'no',
    options: (outDir) =>
      current(outDir, { ...SPLIT_OUTPUT, sourcesContent: false, alias: ENV_CREDENTIALS_ALIAS }),
  },
  {
    id: 'no-powertools',
    title: 'all three + Powertools stubbed out (measurement only)',
    change: 'as “all three”, plus alias of Powertools idempotency and logger to no-op stubs',
    sam: 'no',
    options: (outDir) =>
      current(outDir, {
        ...SPLIT_OUTPUT,
        sourcesContent: false,
        alias: { ...ENV_CREDENTIALS_ALIAS, ...POWERTOOLS_STUBS },
      }),
  },
];

/**
 * Builds one variant into `<scratchDir>/<id>/`.
 *
 * @param sourceFiles - the project's source files (relative to `projectRoot`), for per-file builds
 */
export async function buildVariant(
  variant: BuildVariant,
  projectRoot: string,
  scratchDir: string,
  sourceFiles: readonly string[],
): Promise<BuiltVariant> {
  const outDir = join(scratchDir, variant.id);
  const result = await esbuild.build({
    ...variant.options(outDir, sourceFiles),
    absWorkingDir: projectRoot,
    metafile: true,
  });
  const outputs = result.metafile.outputs;
  const absolute = (file: string): string => resolve(projectRoot, file);
  const entries = Object.entries(outputs).filter(
    ([file, output]) => output.entryPoint === entryPoint && !file.endsWith('.map'),
  );
  const entry = entries[0];
  if (!entry) throw new Error(`${variant.id}: no output for ${entryPoint}`);
  let totalBytes = 0;
  let mapBytes = 0;
  let files = 0;
  for (const [file, output] of Object.entries(outputs)) {
    if (file.endsWith('.map')) mapBytes += output.bytes;
    else {
      totalBytes += output.bytes;
      files += 1;
    }
  }
  return {
    variant,
    entryFile: absolute(entry[0]),
    files,
    totalBytes,
    eagerBytes: eagerBytes(outputs, entry[0]),
    mapBytes,
  };
}

/** Bytes of `entry` and every output it imports statically, transitively. */
function eagerBytes(outputs: esbuild.Metafile['outputs'], entry: string): number {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return [...seen].reduce((sum, file) => sum + (outputs[file]?.bytes ?? 0), 0);
}
