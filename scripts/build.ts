/**
 * `npm run build`: bundles the provider into `dist/handler.mjs` (+ source map and esbuild
 * metafile `dist/meta.json`) and the drift check into `dist/drift.mjs` (+ source map and
 * `dist/drift-meta.json`). Importable, so test setup and benchmarks build the same way.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { bundleOptions, driftBundleOptions } from './build-options.js';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the handler and the drift check; returns the handler's esbuild metafile. */
export async function build(options: { quiet?: boolean } = {}): Promise<esbuild.Metafile> {
  const [provider] = await Promise.all([
    bundle(bundleOptions, 'dist/meta.json', options),
    bundle(driftBundleOptions, 'dist/drift-meta.json', options),
  ]);
  return provider;
}

async function bundle(
  bundleSettings: typeof bundleOptions,
  metafile: string,
  options: { quiet?: boolean },
): Promise<esbuild.Metafile> {
  const result = await esbuild.build({ ...bundleSettings, absWorkingDir: projectRoot });
  const metaPath = resolve(projectRoot, metafile);
  await mkdir(dirname(metaPath), { recursive: true });
  await writeFile(metaPath, JSON.stringify(result.metafile));
  if (!options.quiet) {
    const out = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs'));
    console.log(`built ${bundleSettings.outfile} (${out ? out[1].bytes : '?'} bytes)`);
  }
  return result.metafile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await build();
}
