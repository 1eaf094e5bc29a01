/**
 * Reading `node --cpu-prof` profiles: the samples taken in a time window, with their stacks, and
 * the npm package a JavaScript frame belongs to (through the file's source map, when it has one).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { packageOf } from './packages.js';

/** A frame of a V8 CPU profile (0-based line and column). */
export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

/** The parts of a `.cpuprofile` used here. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: CallFrame;
    readonly children?: readonly number[];
  }[];
  /** µs on the monotonic clock (`process.hrtime`). */
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One sample: its stack (innermost frame first) and the time it stands for, µs. */
export interface Sample {
  readonly stack: readonly CallFrame[];
  readonly us: number;
}

/** Reads a `.cpuprofile` file. */
export async function readCpuProfile(file: string): Promise<CpuProfile> {
  return JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
}

/** The samples taken between `startUs` and `endUs` (monotonic µs, as `process.hrtime`). */
export function samplesBetween(profile: CpuProfile, startUs: number, endUs: number): Sample[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const stackOf = (id: number): CallFrame[] => {
    const stack: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const node = byId.get(at);
      if (node) stack.push(node.callFrame);
    }
    return stack;
  };
  const samples: Sample[] = [];
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    time += us;
    if (time >= startUs && time <= endUs) samples.push({ stack: stackOf(id), us });
  });
  return samples;
}

/** Bundle code no source maps to: the module's own top level (line 0, column 0). */
export const BUNDLE_TOP_LEVEL = '(bundle: top-level statements)';

/**
 * Bundle code no source maps to elsewhere: esbuild's runtime helpers, above all the lazy
 * `__esm`/`__commonJS` wrappers. V8 compiles a wrapped module's body lazily on its first call
 * and the profiler books that compile time to the calling wrapper, so this is mostly
 * compilation.
 */
export const BUNDLE_WRAPPERS = '(bundle: esbuild wrappers, incl. lazy compile of wrapped modules)';

/** The `-e` script of a probe or driver. */
export const EVAL_SCRIPT = '(benchmark driver script)';

/** Where a JavaScript frame's code came from. */
export interface FrameSource {
  /** npm package (`own code (src/)` for the provider's, or one of the bundle labels above). */
  readonly pkg: string;
  /** The original file, from `node_modules/` on (or the label). */
  readonly file: string;
}

/**
 * A function naming the npm package of a JavaScript frame (`file:` URL), through the file's
 * `.map` when there is one; undefined for other frames (Node internals, V8, native). Bundle
 * frames without a mapping get {@link BUNDLE_TOP_LEVEL} or {@link BUNDLE_WRAPPERS}.
 */
export function packageResolver(): (frame: CallFrame) => string | undefined {
  const resolve = sourceResolver();
  return (frame) => resolve(frame)?.pkg;
}

/** Like {@link packageResolver}, with the original file too. */
export function sourceResolver(): (frame: CallFrame) => FrameSource | undefined {
  const maps = new Map<string, SourceMap | undefined>();
  const mapFor = (url: string): SourceMap | undefined => {
    if (!maps.has(url)) {
      const mapFile = `${fileURLToPath(url)}.map`;
      const payload = existsSync(mapFile) ? JSON.parse(readFileSync(mapFile, 'utf8')) : undefined;
      maps.set(url, payload === undefined ? undefined : new SourceMap(payload));
    }
    return maps.get(url);
  };
  const label = (text: string): FrameSource => ({ pkg: text, file: text });
  const fromPath = (path: string): FrameSource => ({
    pkg: packageOf(path),
    file: path.replace(/^.*?node_modules\//, '').replace(/^(\.\.\/)+/, ''),
  });
  return (frame) => {
    if (!frame.url.startsWith('file:')) return undefined;
    if (frame.url.endsWith(']')) return label(EVAL_SCRIPT);
    const map = mapFor(frame.url);
    if (map === undefined) return fromPath(fileURLToPath(frame.url));
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
    };
    if (entry.originalSource !== undefined) return fromPath(entry.originalSource);
    return label(
      frame.lineNumber === 0 && frame.columnNumber === 0 ? BUNDLE_TOP_LEVEL : BUNDLE_WRAPPERS,
    );
  };
}
