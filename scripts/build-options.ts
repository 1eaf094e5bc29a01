/**
 * The one definition of how the provider is bundled. `npm run build` uses it, and
 * `template.yaml`'s `Metadata.BuildProperties` must say the same (a test checks it), so that
 * `sam build` and `npm run build` produce the same `handler.mjs`.
 */
import type { BuildOptions } from 'esbuild';

/** Lets bundled CommonJS dependencies call `require` inside an ES module. */
export const requireBanner =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export const entryPoint = 'src/handler.ts';
export const outfile = 'dist/handler.mjs';
export const target = 'node22';

export const bundleOptions = {
  entryPoints: [entryPoint],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target,
  minify: true,
  sourcemap: true,
  metafile: true,
  legalComments: 'none',
  mainFields: ['module', 'main'],
  banner: { js: requireBanner },
  logLevel: 'warning',
} satisfies BuildOptions;
