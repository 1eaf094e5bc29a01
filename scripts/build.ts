/**
 * `npm run build`: bundles the provider into `dist/handler.mjs` (+ source map and esbuild
 * metafile `dist/meta.json`). Importable, so test setup and benchmarks build the same way.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { bundleOptions } from './build-options.js';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the handler; returns the esbuild metafile. */
export async function build(options: { quiet?: boolean } = {}): Promise<esbuild.Metafile> {
  const result = await esbuild.build({ ...bundleOptions, absWorkingDir: projectRoot });
  const metaPath = resolve(projectRoot, 'dist/meta.json');
  await mkdir(dirname(metaPath), { recursive: true });
  await writeFile(metaPath, JSON.stringify(result.metafile));
  if (!options.quiet) {
    const out = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.mjs'));
    console.log(`built ${bundleOptions.outfile} (${out ? out[1].bytes : '?'} bytes)`);
  }
  return result.metafile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await build();
}
