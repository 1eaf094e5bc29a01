/**
 * Running the field's own tools, above all the Python ones every machine of this project has
 * (Python 3.11 with cfn-lint and aws-sam-translator): a missing tool is a failure that says how
 * to install it, never a skipped test.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What installs every tool the deploy tests run. */
export const PIP_INSTALL = 'pip install cfn-lint aws-sam-translator';

/** Where the Python drivers of test/deploy live (this folder). */
export const SUPPORT_DIR = dirname(fileURLToPath(import.meta.url));

export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ToolOptions {
  /** Written to the tool's standard input. */
  readonly input?: string;
  /** Replaces the environment (tests use it to hide the tools). */
  readonly env?: NodeJS.ProcessEnv;
  /** The working directory (default: this process's). */
  readonly cwd?: string;
  /** What installs the tool, for the error when it is missing (default {@link PIP_INSTALL}). */
  readonly install?: string;
}

/** Runs `command args…`; rejects, saying how to install it, when it cannot be started. */
export function runTool(
  command: string,
  args: readonly string[],
  options: ToolOptions = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const env = options.env ?? process.env;
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `${command} is not on PATH; install it with: ${options.install ?? PIP_INSTALL}`,
            )
          : error,
      );
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => {}); // a tool that exits before reading its input
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Runs one of the Python drivers beside this module with `input` as JSON on stdin and parses
 * the JSON it prints. A Python package that is not installed is reported with the pip line.
 */
export async function runPythonDriver<T>(
  script: string,
  input: unknown,
  options: Omit<ToolOptions, 'input'> = {},
): Promise<T> {
  const run = await runTool('python3', [join(SUPPORT_DIR, script)], {
    ...options,
    input: JSON.stringify(input),
  });
  const missing = /ModuleNotFoundError: No module named '([^']+)'/.exec(run.stderr);
  if (missing) {
    throw new Error(`Python package ${missing[1]} is not installed; install with: ${PIP_INSTALL}`);
  }
  if (run.code !== 0) throw new Error(`${script} exited with ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
