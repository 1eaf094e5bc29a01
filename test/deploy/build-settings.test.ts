/**
 * `sam build` (template.yaml's Metadata.BuildProperties) and `npm run build`
 * (scripts/build-options.ts) bundle the provider the same way, into the file the function's
 * Handler names.
 */
import { basename, extname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleOptions, entryPoint, requireBanner, target } from '../../scripts/build-options.js';
import { loadTemplate, PROVIDER_TEMPLATE } from './support/templates.js';

const template = await loadTemplate(PROVIDER_TEMPLATE);
const fn = template.Resources.Function!;
const props = fn.Properties as Record<string, unknown>;
const metadata = fn.Metadata as { BuildMethod: string; BuildProperties: Record<string, unknown> };
const build = metadata.BuildProperties;

/**
 * esbuild options of build-options.ts that SAM's esbuild builder cannot take or always sets
 * itself: it always passes --bundle and --platform=node and chooses the output directory;
 * metafile and logLevel are build-time diagnostics; legalComments only moves license comments.
 * Any other option added to build-options.ts must be mirrored in BuildProperties.
 */
const NOT_EXPRESSIBLE_IN_SAM = [
  'bundle',
  'platform',
  'outfile',
  'metafile',
  'logLevel',
  'legalComments',
];

describe('template.yaml BuildProperties agree with scripts/build-options.ts', () => {
  it('builds with esbuild', () => {
    expect(metadata.BuildMethod).toBe('esbuild');
    expect(bundleOptions.bundle).toBe(true);
    expect(bundleOptions.platform).toBe('node');
  });

  it('has the same entry point', () => {
    expect(build.EntryPoints).toEqual([entryPoint]);
    expect(bundleOptions.entryPoints).toEqual([entryPoint]);
  });

  it('has the same format, target, minify and source map settings', () => {
    expect(build.Format).toBe(bundleOptions.format);
    expect(build.Target).toBe(target);
    expect(bundleOptions.target).toBe(target);
    expect(build.Minify).toBe(bundleOptions.minify);
    expect(build.Sourcemap).toBe(bundleOptions.sourcemap);
    expect(build.SourcesContent).toBe(bundleOptions.sourcesContent);
  });

  it('has the same main fields', () => {
    expect(build.MainFields).toBe(bundleOptions.mainFields.join(','));
  });

  it('has the same require banner', () => {
    expect(build.Banner).toEqual([`js=${requireBanner}`]);
    expect(bundleOptions.banner).toEqual({ js: requireBanner });
  });

  it('writes .mjs, as the outfile does', () => {
    expect(build.OutExtension).toEqual([`.js=${extname(bundleOptions.outfile)}`]);
    expect(extname(bundleOptions.outfile)).toBe('.mjs');
  });

  it('has no other BuildProperties, and build-options.ts no option left unmirrored', () => {
    expect(Object.keys(build).sort()).toEqual([
      'Banner',
      'EntryPoints',
      'Format',
      'MainFields',
      'Minify',
      'OutExtension',
      'Sourcemap',
      'SourcesContent',
      'Target',
    ]);
    const mirrored = [
      'entryPoints',
      'format',
      'target',
      'minify',
      'sourcemap',
      'sourcesContent',
      'mainFields',
      'banner',
    ];
    expect(Object.keys(bundleOptions).sort()).toEqual(
      [...mirrored, ...NOT_EXPRESSIBLE_IN_SAM].sort(),
    );
  });
});

describe('the function runs what the build produces', () => {
  it('names the outfile and its handler export in Handler', () => {
    // SAM writes <entry basename><out extension> at the code root: src/handler.ts → handler.mjs.
    const module = basename(entryPoint, extname(entryPoint));
    expect(basename(bundleOptions.outfile)).toBe(`${module}.mjs`);
    expect(props.Handler).toBe(`${module}.handler`);
  });

  it('runs the Node.js version the bundle targets, on arm64', () => {
    expect(props.Runtime).toBe(`nodejs${target.replace(/^node/, '')}.x`);
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
  });

  it('enables source maps at run time, since the bundle ships one', () => {
    const variables = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(String(variables.NODE_OPTIONS).split(/\s+/)).toContain('--enable-source-maps');
  });
});
