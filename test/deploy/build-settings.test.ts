/**
 * `sam build` makes exactly what `npm run build` makes. The esbuild command line SAM runs is
 * derived from template.yaml's Metadata.BuildProperties by SAM CLI's and aws-lambda-builders'
 * own rules (support/sam-esbuild.ts, with the source files they come from); this test runs the
 * project's esbuild binary with it and requires handler.mjs, the chunks it loads (esbuild's code
 * splitting) and their maps byte for byte equal to dist/ (which test/global-setup.ts builds with
 * scripts/build.ts).
 *
 * Where the output lands matters for the map: esbuild writes its `sources` relative to the
 * output directory, and no esbuild option changes that (evanw/esbuild#2218). So the byte
 * comparison builds into a fresh directory beside dist/ (the same depth below the sources). A
 * second build into <dir>/build/Function, where `sam build --build-in-source` puts it
 * (.aws-sam/build/Function), shows that there only the relative paths in `sources` differ:
 * they name the same files, and the code and every other byte of the map are the same. (Without
 * --build-in-source, SAM builds from a scratch copy of the sources, so they name the copy.)
 *
 * The drift check's function (`DriftFunction`, `drift.mjs`) is held to the same: its
 * BuildProperties are the provider's but the entry point, and its bundle is byte for byte
 * `npm run build`'s.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleOptions,
  driftBundleOptions,
  driftEntryPoint,
  entryPoint,
  outfile,
  target,
} from '../../scripts/build-options.js';
import { runTool } from './support/external-tools.js';
import { samEsbuildArgs, snakeCase } from './support/sam-esbuild.js';
import { loadTemplate, PROVIDER_TEMPLATE, projectRoot } from './support/templates.js';

const template = await loadTemplate(PROVIDER_TEMPLATE);
const fn = template.Resources.Function!;
const props = fn.Properties as Record<string, unknown>;
const metadata = fn.Metadata as { BuildMethod: string; BuildProperties: Record<string, unknown> };
const ESBUILD = join(projectRoot, 'node_modules', '.bin', 'esbuild');
const npmOutDir = join(projectRoot, 'dist');

/** Runs esbuild as `sam build` would, into `outdir`; returns the arguments. */
async function samBuild(
  outdir: string,
  buildProperties = metadata.BuildProperties,
  handler = String(props.Handler),
): Promise<string[]> {
  const args = samEsbuildArgs(buildProperties, {
    outdir: relative(projectRoot, outdir),
    handler,
  });
  const { code, stderr } = await runTool(ESBUILD, args, { cwd: projectRoot, install: 'npm ci' });
  if (code !== 0) throw new Error(`esbuild ${args.join(' ')} failed: ${stderr}`);
  return args;
}

const drift = template.Resources.DriftFunction!;
const driftProps = drift.Properties as Record<string, unknown>;
const driftMetadata = drift.Metadata as typeof metadata;

/** The provider's code and map files in `dir` (dist/ also holds meta.json and the drift check). */
async function outputs(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => /\.mjs(\.map)?$/.test(f) && !f.startsWith('drift.'))
    .sort();
}

let samOutDir: string;
let deepRoot: string;
let driftOutDir: string;
let samArgs: string[];

beforeAll(async () => {
  // Beside dist/, so that the map's relative `sources` can be compared (see above).
  samOutDir = await mkdtemp(join(projectRoot, '.sam-build-'));
  deepRoot = await mkdtemp(join(projectRoot, '.sam-build-'));
  driftOutDir = await mkdtemp(join(projectRoot, '.sam-build-'));
  [samArgs] = await Promise.all([
    samBuild(samOutDir),
    samBuild(join(deepRoot, 'build', 'Function')),
    samBuild(driftOutDir, driftMetadata.BuildProperties, String(driftProps.Handler)),
  ]);
}, 60_000);

afterAll(async () => {
  for (const dir of [samOutDir, deepRoot, driftOutDir])
    if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sam build and npm run build', () => {
  it('build with esbuild', () => {
    expect(metadata.BuildMethod).toBe('esbuild');
  });

  it('write the same handler.mjs and chunks, byte for byte', async () => {
    const files = await outputs(samOutDir);
    expect(files).toContain('handler.mjs');
    expect(files.filter((f) => f.endsWith('.mjs')).length).toBeGreaterThan(1);
    expect(files).toEqual(await outputs(npmOutDir));
    for (const file of files) {
      const sam = await readFile(join(samOutDir, file));
      const npm = await readFile(join(npmOutDir, file));
      expect(sam.equals(npm), file).toBe(true);
    }
  });

  it('write the same handler.mjs.map, byte for byte, without embedded sources', async () => {
    const sam = await readFile(join(samOutDir, 'handler.mjs.map'));
    const npm = await readFile(join(npmOutDir, 'handler.mjs.map'));
    expect(sam.equals(npm)).toBe(true);
    const map = JSON.parse(sam.toString('utf8')) as { sources: string[]; sourcesContent?: unknown };
    expect(map).not.toHaveProperty('sourcesContent');
    expect(map.sources).toContain('../src/handler.ts');
  });

  it("where sam build --build-in-source writes, only the maps' relative `sources` (and so the chunks' hashes) differ", async () => {
    const deep = join(deepRoot, 'build', 'Function');
    // The chunks' names hash their maps too, so there they carry other hashes; with the hashes
    // blanked out, the entry and every chunk are the same code.
    const unhashed = (text: string) => text.replace(/([\w.-]+)-[A-Z0-9]{8}\.mjs/g, '$1-#.mjs');
    const code = async (dir: string) =>
      Promise.all(
        (await outputs(dir))
          .filter((f) => f.endsWith('.mjs'))
          .map(async (f) => `${unhashed(f)}\n${unhashed(await readFile(join(dir, f), 'utf8'))}`),
      );
    expect((await code(deep)).sort()).toEqual((await code(npmOutDir)).sort());
    expect((await readFile(join(deep, 'handler.mjs'))).length).toBe(
      (await readFile(join(npmOutDir, 'handler.mjs'))).length,
    );
    const map = JSON.parse(await readFile(join(deep, 'handler.mjs.map'), 'utf8')) as {
      sources: string[];
    };
    const npm = JSON.parse(await readFile(join(npmOutDir, 'handler.mjs.map'), 'utf8')) as {
      sources: string[];
    };
    expect(map.sources[0]).toMatch(/^\.\.\/\.\.\/\.\.\//);
    const asFromDist = map.sources.map((s) => relative(npmOutDir, resolve(deep, s)));
    expect({ ...map, sources: asFromDist }).toEqual(npm);
  });

  it('SAM writes the module Handler names, its chunks and their maps, and nothing else', async () => {
    const files = (await readdir(samOutDir)).sort();
    expect(files).toContain('handler.mjs');
    expect(
      files.every((f) => /\.mjs(\.map)?$/.test(f)),
      files.join(),
    ).toBe(true);
    expect(basename(outfile)).toBe('handler.mjs');
  });

  it('SAM is told every setting that changes the bytes, as a string where false would be dropped', () => {
    expect(samArgs).toEqual(
      expect.arrayContaining([
        entryPoint,
        '--format=esm',
        `--target=${target}`,
        '--minify',
        '--sourcemap',
        '--sources-content=false',
        '--legal-comments=none',
        '--main-fields=module,main',
        '--out-extension:.js=.mjs',
        '--splitting',
      ]),
    );
    expect(metadata.BuildProperties.SourcesContent).toBe('false');
  });
});

describe('sam build and npm run build, for the drift check (DriftFunction)', () => {
  it('build it as the provider, but from its own entry point and as one file (no chunks)', () => {
    expect(driftMetadata.BuildMethod).toBe('esbuild');
    const { EntryPoints, ...rest } = driftMetadata.BuildProperties;
    const { EntryPoints: _provider, Splitting, ...providerRest } = metadata.BuildProperties;
    expect(Splitting).toBe(true);
    expect(EntryPoints).toEqual([driftEntryPoint]);
    expect(rest).toEqual(providerRest);
    expect(basename(driftBundleOptions.outfile)).toBe('drift.mjs');
    expect(driftProps.Handler).toBe('drift.handler');
  });

  it('write the same drift.mjs and drift.mjs.map, byte for byte', async () => {
    expect((await readdir(driftOutDir)).sort()).toEqual(['drift.mjs', 'drift.mjs.map']);
    for (const file of ['drift.mjs', 'drift.mjs.map']) {
      const sam = await readFile(join(driftOutDir, file));
      const npm = await readFile(join(npmOutDir, file));
      expect(sam.equals(npm), file).toBe(true);
    }
  });
});

describe("SAM's rules for BuildProperties (support/sam-esbuild.ts)", () => {
  const args = (properties: Record<string, unknown>, handler?: string): string[] =>
    samEsbuildArgs(properties, { outdir: 'out', ...(handler ? { handler } : {}) });
  const DEFAULTS = [
    '--bundle',
    '--platform=node',
    '--outdir=out',
    '--target=es2020',
    '--format=cjs',
    '--minify',
  ];

  it('turn PascalCase keys into snake_case, then into --kebab-case flags', () => {
    expect(snakeCase('SourcesContent')).toBe('sources_content');
    expect(snakeCase('OutExtension')).toBe('out_extension');
    expect(args({ EntryPoints: ['a.ts'], MainFields: 'module,main' })).toContain(
      '--main-fields=module,main',
    );
  });

  it('always add --bundle, --platform=node and --outdir, and es2020, cjs and --minify when absent', () => {
    expect(args({ EntryPoints: ['a.ts'] })).toEqual(['a.ts', ...DEFAULTS]);
  });

  it('give true a bare flag, DROP false, a string --flag=value, a list --flag:item each', () => {
    const flags = args({
      EntryPoints: ['a.ts'],
      Format: 'esm',
      Target: 'node24',
      Minify: false,
      Sourcemap: true,
      SourcesContent: false,
      LegalComments: 'none',
      External: ['x', 'y'],
    }).slice(4);
    expect(flags).toEqual([
      '--format=esm',
      '--target=node24',
      '--sourcemap',
      '--legal-comments=none',
      '--external:x',
      '--external:y',
    ]);
  });

  it('ignore keys SAM sets itself, take the entry point from Handler when missing, reject numbers', () => {
    expect(
      args({ Bundle: false, Platform: 'browser', Outdir: 'x', UseNpmCi: true }, 'app.handler'),
    ).toEqual(['app', ...DEFAULTS]);
    expect(() => args({ EntryPoints: ['a.ts'], LogLimit: 10 })).toThrow(
      /type of the configuration/,
    );
  });
});

describe('the function runs what the build produces', () => {
  it('names the output file and its handler export in Handler', () => {
    // SAM writes <entry basename><out extension> into its output directory: handler.mjs.
    const module = basename(entryPoint, extname(entryPoint));
    expect(basename(outfile)).toBe(`${module}.mjs`);
    expect(props.Handler).toBe(`${module}.handler`);
  });

  it('runs the Node.js version the bundle targets, on arm64', () => {
    expect(props.Runtime).toBe(`nodejs${target.replace(/^node/, '')}.x`);
    expect(props.Runtime).toBe('nodejs24.x');
    expect(props.Architectures).toEqual(['arm64']);
  });

  it('ships a source map but leaves Node’s source maps off, for a faster cold start', () => {
    // --enable-source-maps costs every cold start 7–13 ms (docs/benchmarks.md); the shipped
    // map translates a logged stack trace offline.
    expect(bundleOptions.sourcemap).toBe(true);
    const variables = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).not.toHaveProperty('NODE_OPTIONS');
  });
});
