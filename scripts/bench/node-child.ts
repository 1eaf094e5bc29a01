/**
 * Runs a script in a fresh `node` process (the one running the benchmark) and collects what it
 * wrote. The benchmark's probes report through one marked line on stdout, since the module they
 * import may write to stdout too; {@link parseResultLine} finds and parses it.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** How to start the process. */
export interface NodeChildOptions {
  /** The whole environment of the process (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Sends `SIGKILL` after this many ms; unset, the process may run as long as it likes. */
  readonly timeoutMs?: number;
}

/** How the process ended and what it wrote. */
export interface NodeChildExit {
  /** Exit code; null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From right before the spawn to the close of the process's output, as the parent sees it, ms. */
  readonly wallMs: number;
}

/**
 * Runs `node <args>` with stdin closed and waits for the process to exit and its output to close.
 * Resolves whatever the exit code; judging it is the caller's business.
 *
 * @example
 * ```ts
 * const exit = await runNodeChild(['-e', 'console.log(1 + 1)'], { env: {}, cwd, timeoutMs: 5_000 });
 * if (exit.code !== 0) throw new Error(`exited with ${exit.code ?? exit.signal}: ${exit.stderr}`);
 * exit.stdout; // '2\n'
 * ```
 *
 * @throws Error when the process cannot be started
 */
export function runNodeChild(
  args: readonly string[],
  options: NodeChildOptions,
): Promise<NodeChildExit> {
  const { env, cwd, timeoutMs } = options;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const timer =
      timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, wallMs });
    });
  });
}

/**
 * The JSON after `marker` on the first line of `stdout` that starts with it; undefined when no
 * line does.
 *
 * @example
 * ```ts
 * parseResultLine('log\n@@result {"ms":1}', '@@result '); // { ms: 1 }
 * ```
 *
 * @throws SyntaxError when the rest of that line is not JSON
 */
export function parseResultLine(stdout: string, marker: string): unknown {
  const line = stdout.split('\n').find((l) => l.startsWith(marker));
  return line === undefined ? undefined : JSON.parse(line.slice(marker.length));
}
