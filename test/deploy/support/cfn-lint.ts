/**
 * The field's CloudFormation linter: the Python `cfn-lint` on PATH, run as users run it. Each
 * run lints many templates in one process (starting cfn-lint costs about a second), each in the
 * regions the template itself declares (see cfn-regions.ts) unless `regions` says otherwise.
 *
 * A finding is anything cfn-lint reports by default (errors and warnings); a template is
 * clean when it has none.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DeploymentParameters } from './deployments.js';
import { runTool, type ToolOptions } from './external-tools.js';

export interface LintFinding {
  /** The rule, e.g. `E3006`. */
  readonly rule: string;
  readonly level: string;
  readonly message: string;
  /** Where, e.g. `Resources/Function/Properties/Runtime`. */
  readonly path: string;
  readonly line: number;
}

interface CfnLintJsonMatch {
  Filename: string;
  Level: string;
  Message: string;
  Rule: { Id: string };
  Location: { Path?: Array<string | number> | null; Start: { LineNumber: number } };
}

export interface LintOptions extends Omit<ToolOptions, 'input'> {
  /** Lint every template in these regions instead of the ones it declares. */
  readonly regions?: readonly string[];
}

/** Findings by file name (as given) of `cfn-lint --format json -- files…`; every file has an entry. */
export async function cfnLint(
  files: readonly string[],
  options: LintOptions = {},
): Promise<Record<string, LintFinding[]>> {
  const regions = options.regions ? ['--regions', ...options.regions] : [];
  return findingsByFile(
    files,
    await runTool('cfn-lint', ['--format', 'json', ...regions, '--', ...files], options),
  );
}

export interface Deployment {
  /** Path of the template. */
  readonly template: string;
  /** Parameter values, as a CloudFormation deployment would give them (lists as arrays). */
  readonly parameters: DeploymentParameters;
}

/**
 * Lints each template with the parameter values of its deployments, through cfn-lint's
 * deployment files (Git sync format, written into `dir`), all in one run. Findings by
 * template path (a finding about a deployment file itself is listed under that file's path).
 */
export async function cfnLintDeployments(
  deployments: readonly Deployment[],
  dir: string,
  options: Omit<LintOptions, 'regions'> = {},
): Promise<Record<string, LintFinding[]>> {
  const files: string[] = [];
  for (const [i, { template, parameters }] of deployments.entries()) {
    const file = join(dir, `deployment-${i}.json`);
    await writeFile(file, JSON.stringify({ 'template-file-path': template, parameters }));
    files.push(file);
  }
  const run = await runTool('cfn-lint', ['--format', 'json', '--deployment-files', ...files], {
    ...options,
  });
  return findingsByFile([...new Set(deployments.map((d) => d.template))], run);
}

function findingsByFile(
  files: readonly string[],
  run: { code: number; stdout: string; stderr: string },
): Record<string, LintFinding[]> {
  // Exit status: 0 clean, 2/4/8 (or their sum) findings by level; anything else a crash.
  if ((run.code & ~14) !== 0) {
    throw new Error(`cfn-lint failed (exit ${run.code}): ${run.stderr || run.stdout}`);
  }
  let matches: CfnLintJsonMatch[];
  try {
    matches = JSON.parse(run.stdout) as CfnLintJsonMatch[];
  } catch {
    throw new Error(`cfn-lint printed no JSON: ${run.stdout}${run.stderr}`);
  }
  const out: Record<string, LintFinding[]> = Object.fromEntries(files.map((f) => [f, []]));
  // cfn-lint names a file as given, or relative to the working directory: match resolved paths.
  const given = new Map(files.map((f) => [resolve(f), f]));
  for (const m of matches) {
    const file = given.get(resolve(m.Filename)) ?? m.Filename;
    out[file] ??= [];
    out[file].push({
      rule: m.Rule.Id,
      level: m.Level,
      message: m.Message,
      path: (m.Location.Path ?? []).join('/'),
      line: m.Location.Start.LineNumber,
    });
  }
  return out;
}
