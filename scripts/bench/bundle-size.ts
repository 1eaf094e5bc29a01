/**
 * The bundle's size (raw and gzip) and what takes the bytes, from esbuild's metafile: bytes in
 * the output per input file, grouped by npm package.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { packageOf } from './packages.js';

/** Bytes of one package or input in the output. */
export interface ByteShare {
  readonly name: string;
  readonly bytes: number;
  /** Of the output's JavaScript. */
  readonly share: number;
  /** Input files that contributed. */
  readonly files: number;
}

/** What {@link measureBundle} found. */
export interface BundleSize {
  /** The output file, relative to the project root. */
  readonly file: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly mapBytes: number;
  readonly mapGzipBytes: number;
  /** Input files bundled. */
  readonly inputs: number;
  readonly byPackage: readonly ByteShare[];
  readonly topInputs: readonly ByteShare[];
  /**
   * Per package, the bytes that would leave the bundle without it: its own and those of every
   * input only it leads to (a dominator-style "retained size" over the import graph).
   */
  readonly retainedByPackage: readonly ByteShare[];
}

/** Measures the `.mjs` output of `metafile` (paths relative to `projectRoot`). */
export async function measureBundle(
  projectRoot: string,
  metafile: Metafile,
  entryPoint: string,
): Promise<BundleSize> {
  const entry = Object.entries(metafile.outputs).find(([file]) => file.endsWith('.mjs'));
  if (!entry) throw new Error('the metafile names no .mjs output');
  const [file, output] = entry;
  const code = await readFile(resolve(projectRoot, file));
  const map = await readFile(resolve(projectRoot, `${file}.map`)).catch(() => Buffer.alloc(0));
  const inputs = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0);
  const packages = new Map<string, { bytes: number; files: number }>();
  for (const [path, input] of inputs) {
    const name = packageOf(path);
    const entrySoFar = packages.get(name) ?? { bytes: 0, files: 0 };
    packages.set(name, {
      bytes: entrySoFar.bytes + input.bytesInOutput,
      files: entrySoFar.files + 1,
    });
  }
  const share = (bytes: number): number => bytes / output.bytes;
  return {
    file,
    rawBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    mapBytes: map.length,
    mapGzipBytes: gzipSync(map, { level: 9 }).length,
    inputs: inputs.length,
    byPackage: [...packages]
      .map(([name, { bytes, files }]) => ({ name, bytes, share: share(bytes), files }))
      .sort((a, b) => b.bytes - a.bytes),
    topInputs: inputs
      .map(([path, input]) => ({
        name: path.replace(/^node_modules\//, ''),
        bytes: input.bytesInOutput,
        share: share(input.bytesInOutput),
        files: 1,
      }))
      .sort((a, b) => b.bytes - a.bytes),
    retainedByPackage: retainedBytes(metafile, entryPoint, output.inputs, output.bytes),
  };
}

/** See {@link BundleSize.retainedByPackage}. */
function retainedBytes(
  metafile: Metafile,
  entryPoint: string,
  inOutput: Metafile['outputs'][string]['inputs'],
  outputBytes: number,
): ByteShare[] {
  const bytesOf = (path: string): number => inOutput[path]?.bytesInOutput ?? 0;
  const reachableBytes = (blocked: (path: string) => boolean): number => {
    const seen = new Set<string>();
    const stack = [entryPoint];
    while (stack.length > 0) {
      const path = stack.pop() as string;
      if (seen.has(path) || blocked(path)) continue;
      seen.add(path);
      for (const imported of metafile.inputs[path]?.imports ?? []) {
        if (!imported.external) stack.push(imported.path);
      }
    }
    return [...seen].reduce((sum, path) => sum + bytesOf(path), 0);
  };
  const all = reachableBytes(() => false);
  const names = new Set(Object.keys(metafile.inputs).map(packageOf));
  names.delete(packageOf(entryPoint));
  return [...names]
    .map((name) => {
      const bytes = all - reachableBytes((path) => packageOf(path) === name);
      const files = Object.keys(inOutput).filter((path) => packageOf(path) === name).length;
      return { name, bytes, share: bytes / outputBytes, files };
    })
    .filter((row) => row.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}
