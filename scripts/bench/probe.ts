/**
 * One cold import in a fresh `node` process: the probe script, and the runner that starts it.
 *
 * The probe is run as `node [flags] --input-type=module -e <PROBE_SOURCE> <module URL>`. It
 * times `await import(url)` with `performance.now()` and prints one JSON line; the runner adds
 * the process's wall time, from spawn to exit as seen by the parent.
 *
 * @module
 */
import { parseResultLine, runNodeChild } from './node-child.js';

/** Prefix of the probe's result line (the module may write to stdout too). */
const RESULT_MARKER = '@@probe-result ';

/** The probe's source (an ES module, run with `-e`; `process.argv[1]` is the module URL). */
export const PROBE_SOURCE = [
  'const startedUs = process.hrtime.bigint() / 1000n;',
  'const t0 = performance.now();',
  'await import(process.argv[1]);',
  'const importMs = performance.now() - t0;',
  'const endedUs = process.hrtime.bigint() / 1000n;',
  'const cpu = process.cpuUsage();',
  `process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify({ importMs,`,
  '  startedUs: String(startedUs), endedUs: String(endedUs),',
  '  cpuMs: (cpu.user + cpu.system) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));',
].join('\n');

/** What one probe run measured. */
export interface ProbeResult {
  /** `await import()` inside the process, ms. */
  readonly importMs: number;
  /** Spawn to exit, as seen by the parent, ms. */
  readonly wallMs: number;
  /** CPU time (user + system) of the process up to the end of the import, ms. */
  readonly cpuMs: number;
  /** Peak resident set size of the process up to the end of the import, bytes. */
  readonly maxRssBytes: number;
  /** The import's start and end on the monotonic clock, µs (for matching CPU profiles). */
  readonly startedUs: number;
  readonly endedUs: number;
}

/** How to start one fresh process. */
export interface ProbeCommand {
  /** Node options before the script, e.g. `['--enable-source-maps']`. */
  readonly nodeFlags: readonly string[];
  /** The module to import, as a `file:` or `data:` URL; undefined runs `node -e 0` (bare). */
  readonly moduleUrl: string | undefined;
}

/** The command line of a probe run, for the report. */
export function commandLine(command: ProbeCommand): string[] {
  if (command.moduleUrl === undefined) return ['node', ...command.nodeFlags, '-e', '0'];
  return [
    'node',
    ...command.nodeFlags,
    '--input-type=module',
    '-e',
    PROBE_SOURCE,
    command.moduleUrl,
  ];
}

/**
 * Runs one fresh process and waits for it to exit.
 *
 * @param env - the whole environment of the process (nothing is inherited)
 * @throws Error when the process fails, prints no result, or takes longer than 30 s
 */
export async function runProbe(
  command: ProbeCommand,
  env: Readonly<Record<string, string>>,
  cwd: string,
): Promise<ProbeResult> {
  const [executable, ...args] = commandLine(command);
  const { code, signal, stdout, stderr, wallMs } = await runNodeChild(args, {
    env,
    cwd,
    timeoutMs: 30_000,
  });
  if (code !== 0) throw new Error(`${executable} exited with ${code ?? signal}: ${stderr.trim()}`);
  if (command.moduleUrl === undefined) {
    return {
      importMs: 0,
      wallMs,
      cpuMs: Number.NaN,
      maxRssBytes: Number.NaN,
      startedUs: 0,
      endedUs: 0,
    };
  }
  let parsed: unknown;
  try {
    parsed = parseResultLine(stdout, RESULT_MARKER);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new Error(`no probe result in ${JSON.stringify(stdout)} (stderr: ${stderr.trim()})`);
  }
  const result = parsed as Record<string, unknown>;
  return {
    importMs: Number(result.importMs),
    wallMs,
    cpuMs: Number(result.cpuMs),
    maxRssBytes: Number(result.maxRssBytes),
    startedUs: Number(result.startedUs),
    endedUs: Number(result.endedUs),
  };
}
