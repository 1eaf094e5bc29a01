/**
 * What `--enable-source-maps` costs when something goes wrong: the first stack trace that passes
 * through the bundle makes Node decode the whole source map. A fresh process imports the module,
 * then calls the handler with an event whose every property read formats a stack trace (the
 * first read happens inside the bundle's own code, so the trace has bundle frames), and reports
 * how long that took and how much the resident set grew.
 *
 * @module
 */
import { parseResultLine, runNodeChild } from './node-child.js';
import { type Summary, summarize } from './stats.js';

const RESULT_MARKER = '@@stack-result ';

/** The probe (ES module; `process.argv[1]` is the module URL). */
export const STACK_PROBE_SOURCE = [
  'const { handler } = await import(process.argv[1]);',
  'let result;',
  'const event = new Proxy({}, { get() {',
  '  if (result === undefined) {',
  '    const rssBefore = process.memoryUsage().rss; const t0 = performance.now();',
  "    const frames = new Error('probe').stack.split('\\n').length;",
  '    result = { ms: performance.now() - t0, rssBytes: process.memoryUsage().rss - rssBefore, frames };',
  '  }',
  '  return undefined;',
  '} });',
  'await handler(event, { getRemainingTimeInMillis: () => 1000 }).catch(() => undefined);',
  `process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(result ?? null));`,
].join('\n');

/** The first stack trace's cost, over several fresh processes. */
export interface StackTraceCost {
  readonly ms: Summary;
  /** Growth of the resident set while formatting it, bytes. */
  readonly rssBytes: Summary;
}

/**
 * Runs the probe `runs` times with `nodeFlags`.
 *
 * @throws Error when a probe fails or the handler never read the event
 */
export async function measureFirstStackTrace(
  moduleUrl: string,
  nodeFlags: readonly string[],
  options: { runs: number; env: Readonly<Record<string, string>>; cwd: string },
): Promise<StackTraceCost> {
  const samples: { ms: number; rssBytes: number }[] = [];
  for (let run = 0; run < options.runs; run++) {
    const args = [...nodeFlags, '--input-type=module', '-e', STACK_PROBE_SOURCE, moduleUrl];
    samples.push(await runOnce(args, options.env, options.cwd));
  }
  return {
    ms: summarize(samples.map((s) => s.ms)),
    rssBytes: summarize(samples.map((s) => s.rssBytes)),
  };
}

async function runOnce(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): Promise<{ ms: number; rssBytes: number }> {
  const { code, stdout, stderr } = await runNodeChild(args, { env, cwd });
  const failed = () =>
    new Error(`stack-trace probe failed (exit ${code}): ${stderr.trim().slice(0, 1000)}`);
  if (code !== 0) throw failed();
  const parsed = parseResultLine(stdout, RESULT_MARKER) ?? null;
  if (parsed === null) throw failed();
  return parsed as { ms: number; rssBytes: number };
}
