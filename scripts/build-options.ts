/**
 * The one definition of how the provider and its drift check are bundled (two entry points,
 * each its own bundle of the same sources: `sam build` builds each function on its own, so the
 * bundles cannot share chunks; the provider's is split, what the SDK loads on demand in chunks
 * beside `handler.mjs`; the drift check's is one file). `npm run build` uses it, and
 * `template.yaml`'s `Metadata.BuildProperties` must say the same, so that `sam build` and
 * `npm run build` produce the same `handler.mjs` and `handler.mjs.map`, byte for byte
 * (test/deploy/build-settings.test.ts runs the esbuild command line SAM derives from them
 * and compares the files; the same for `drift.mjs`).
 */
import type { BuildOptions } from 'esbuild';

/** Lets bundled CommonJS dependencies call `require` inside an ES module. */
export const requireBanner =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export const entryPoint = 'src/handler.ts';
/** Where the build writes: the entry `handler.mjs` (what the template's Handler names) and its chunks. */
export const outdir = 'dist';
/** The entry module. */
export const outfile = 'dist/handler.mjs';
export const target = 'node24';

export const bundleOptions = {
  entryPoints: [entryPoint],
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // What the SDK loads with import() only when it needs it (the credential providers other than
  // the environment's, their nested STS/SSO clients, …) goes into chunks of its own beside
  // handler.mjs, so a cold start neither reads nor parses it (docs/benchmarks.md).
  splitting: true,
  platform: 'node',
  format: 'esm',
  target,
  minify: true,
  sourcemap: true,
  // The map points into the bundle's sources without embedding them: a third of the size,
  // and a faster cold start with --enable-source-maps (docs/benchmarks.md).
  sourcesContent: false,
  metafile: true,
  legalComments: 'none',
  mainFields: ['module', 'main'],
  banner: { js: requireBanner },
  logLevel: 'warning',
} satisfies BuildOptions;

/** The drift check's entry point and bundle (`drift.handler`); otherwise built as the provider. */
export const driftEntryPoint = 'src/drift.ts';
export const driftOutfile = 'dist/drift.mjs';

const { outdir: _outdir, splitting: _splitting, ...oneFile } = bundleOptions;

/** One file, no chunks: the cold start of a scheduled check matters little. */
export const driftBundleOptions = {
  ...oneFile,
  entryPoints: [driftEntryPoint],
  outfile: driftOutfile,
} satisfies BuildOptions;
