/**
 * The esbuild command line `sam build` runs for a function with `BuildMethod: esbuild`, derived
 * from its `Metadata.BuildProperties` exactly as SAM CLI and aws-lambda-builders derive it
 * (read in their sources, aws/aws-sam-cli and aws/aws-lambda-builders):
 *
 * - SAM CLI, `samcli/lib/build/app_builder.py` (`_get_build_options`): for the npm-esbuild
 *   workflow the BuildProperties are normalized with
 *   `ResourceMetadataNormalizer.normalize_build_properties`, and without `EntryPoints` the
 *   entry point is the Handler's module (`handler.split(".")[0]`).
 * - SAM CLI, `samcli/lib/samlib/resource_metadata_normalizer.py`: each key goes from
 *   PascalCase to snake_case with the pattern `(?<!^)(?=[A-Z])` replaced by `_`, then
 *   lower-cased (`SourcesContent` → `sources_content`). Values keep the type YAML gave them.
 * - aws-lambda-builders, `aws_lambda_builders/workflows/nodejs_npm_esbuild/actions.py`
 *   (`EsbuildBundleAction.execute`): the arguments are
 *   `build_entry_points().build_default_values().build_esbuild_args_from_config()`, in that
 *   order; with skip_deps (the auto dependency layer of `sam sync`, not `sam build`) every
 *   package.json dependency is also marked `--external:`.
 * - aws-lambda-builders, `aws_lambda_builders/workflows/nodejs_npm_esbuild/esbuild.py`
 *   (`EsbuildCommandBuilder`): entry points are passed as given; the defaults are always
 *   `--bundle --platform=node --outdir=<artifacts dir>`, plus `--target=es2020`,
 *   `--format=cjs` and `--minify` when `target`, `format`, `minify` are absent; then every
 *   other key (not `bundle`, `platform`, `outdir`, `use_npm_ci`, `entry_points`) becomes a
 *   flag named by `_convert_snake_to_kebab_case` (`_` → `-`): a bool `True` a bare `--key`,
 *   a bool `False` NOTHING (silently), a str `--key=value`, a list one `--key:item` per
 *   item, anything else (a number) an EsbuildCommandError.
 * - esbuild runs with the build directory as its working directory (`workflow.py`: the
 *   source itself with build-in-source, else a scratch copy of it).
 */

/** Keys aws-lambda-builders sets itself and never takes from the configuration. */
const NON_CONFIGURABLE = new Set(['bundle', 'platform', 'outdir']);
/** Keys that are Lambda Builders options, not esbuild flags. */
const IGNORED = new Set(['use_npm_ci', 'entry_points']);

/** SAM CLI's PascalCase → snake_case (`OutExtension` → `out_extension`). */
export function snakeCase(key: string): string {
  return key.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase();
}

export interface SamEsbuildOptions {
  /** The artefacts directory SAM passes as `--outdir`. */
  readonly outdir: string;
  /** The function's Handler (`module.export`), for the default entry point. */
  readonly handler?: string;
}

/** The esbuild arguments `sam build` uses for these BuildProperties. */
export function samEsbuildArgs(
  buildProperties: Readonly<Record<string, unknown>>,
  options: SamEsbuildOptions,
): string[] {
  const config = new Map(Object.entries(buildProperties).map(([k, v]) => [snakeCase(k), v]));
  if (!buildProperties.EntryPoints && options.handler) {
    config.set('entry_points', [options.handler.split('.')[0]]);
  }
  const entryPoints = config.get('entry_points');
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) {
    throw new Error('entry_points must be a non-empty list');
  }

  const args: string[] = entryPoints.map(String);
  args.push('--bundle', '--platform=node', `--outdir=${options.outdir}`);
  if (!config.has('target')) args.push('--target=es2020');
  if (!config.has('format')) args.push('--format=cjs');
  if (!config.has('minify')) args.push('--minify');

  for (const [key, value] of config) {
    if (NON_CONFIGURABLE.has(key) || IGNORED.has(key)) continue;
    const flag = `--${key.replaceAll('_', '-')}`;
    if (typeof value === 'boolean') {
      if (value) args.push(flag);
    } else if (typeof value === 'string') {
      args.push(`${flag}=${value}`);
    } else if (Array.isArray(value)) {
      for (const item of value) args.push(`${flag}:${String(item)}`);
    } else {
      throw new Error(`Failed to determine the type of the configuration: ${String(value)}`);
    }
  }
  return args;
}
