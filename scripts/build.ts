/**
 * `npm run build`: bundles the provider into `dist/handler.mjs` (+ source map and esbuild
 * metafile `dist/meta.json`) and the drift check into `dist/drift.mjs` (+ source map and
 * `dist/drift-meta.json`). Importable, so test setup and benchmarks build the same way.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { bundleOptions, driftBundleOptions, outfile } from './build-options.js';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the handler and the drift check; returns the handler's esbuild metafile. */
export async function build(options: { quiet?: boolean } = {}): Promise<esbuild.Metafile> {
  // chunks of an earlier build (their names carry content hashes) would linger beside the new ones
  const outdir = resolve(projectRoot, bundleOptions.outdir);
  await mkdir(outdir, { recursive: true });
  for (const file of await readdir(outdir)) {
    if (/\.mjs(\.map)?$/.test(file)) await rm(resolve(outdir, file));
  }
  const result = await esbuild.build({ ...bundleOptions, absWorkingDir: projectRoot });
  const metaPath = resolve(projectRoot, 'dist/meta.json');
  await mkdir(dirname(metaPath), { recursive: true });
  await writeFile(metaPath, JSON.stringify(result.metafile));
  if (!options.quiet) {
    const outputs = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.mjs'));
    const entry = outputs.find(([file]) => file === outfile);
    console.log(
      `built ${outfile} (${entry ? entry[1].bytes : '?'} bytes) and ${outputs.length - 1} chunks`,
    );
  }
  const drift = await esbuild.build({ ...driftBundleOptions, absWorkingDir: projectRoot });
  await writeFile(resolve(projectRoot, 'dist/drift-meta.json'), JSON.stringify(drift.metafile));
  if (!options.quiet) {
    const bytes = drift.metafile.outputs[driftBundleOptions.outfile]?.bytes ?? '?';
    console.log(`built ${driftBundleOptions.outfile} (${bytes} bytes)`);
  }
  return result.metafile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await build();
}
