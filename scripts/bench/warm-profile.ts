/**
 * Where a warm invocation's CPU goes. The handler runs in a plain `node` process (no Lambda-like
 * harness, so nothing but the function itself) under `--cpu-prof`, for a series of Creates
 * against a local stack; samples taken after the warm-up are charged to the npm package of the
 * innermost bundle frame on their stack, so Node work (sockets, HTTP parsing, hashing, stdout)
 * counts for the package that asked for it.
 *
 * The same run, timed without the profiler, gives the in-process latency and CPU per
 * invocation: what the function costs without the harness's log capture and IPC. The first
 * invocation after the import is broken down on its own (lazy set-up and compilation).
 *
 * @module
 */

import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLocalStack } from '../../local/local-stack.js';
import type { TimeShare } from './cpu-profile.js';
import { parseResultLine, runNodeChild } from './node-child.js';
import type { CpuTimes } from './process-cpu.js';
import {
  type FrameSource,
  readCpuProfile,
  type Sample,
  samplesBetween,
  sourceResolver,
} from './profile-samples.js';
import { requestFor } from './scenario.js';
import { type Summary, summarize } from './stats.js';

const RESULT_MARKER = '@@driver-result ';

/** Runs the handler over events from a file (ES module; argv: module URL, events file, warm-ups). */
export const DRIVER_SOURCE = [
  "import { readFileSync } from 'node:fs';",
  'const [moduleUrl, eventsFile, warmupText] = process.argv.slice(1);',
  "const events = JSON.parse(readFileSync(eventsFile, 'utf8'));",
  'const warmups = Number(warmupText);',
  'const { handler } = await import(moduleUrl);',
  'const durations = [];',
  'let startedUs = 0n; let cpuAtStart; let firstStartedUs = 0n; let firstEndedUs = 0n;',
  'for (let i = 0; i < events.length; i++) {',
  '  if (i === 0) firstStartedUs = process.hrtime.bigint() / 1000n;',
  '  if (i === warmups) { startedUs = process.hrtime.bigint() / 1000n; cpuAtStart = process.cpuUsage(); }',
  '  const deadline = Date.now() + 300_000;',
  "  const context = { functionName: 'identity-source-provider', functionVersion: '$LATEST',",
  "    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:identity-source-provider',",
  "    memoryLimitInMB: '128', awsRequestId: 'driver-' + i, logGroupName: '/aws/lambda/identity-source-provider',",
  "    logStreamName: 'driver', callbackWaitsForEmptyEventLoop: true,",
  '    getRemainingTimeInMillis: () => deadline - Date.now() };',
  '  const t0 = performance.now();',
  '  await handler(events[i], context);',
  '  if (i >= warmups) durations.push(performance.now() - t0);',
  '  if (i === 0) firstEndedUs = process.hrtime.bigint() / 1000n;',
  '}',
  'const endedUs = process.hrtime.bigint() / 1000n;',
  'const cpu = process.cpuUsage(cpuAtStart);',
  `process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify({ durations,`,
  '  startedUs: String(startedUs), endedUs: String(endedUs),',
  '  firstStartedUs: String(firstStartedUs), firstEndedUs: String(firstEndedUs),',
  '  userMs: cpu.user / 1000, systemMs: cpu.system / 1000 }));',
].join('\n');

/** What {@link profileWarmInvocations} found. */
export interface WarmProfile {
  /** Measured (post-warm-up) Creates per run. */
  readonly events: number;
  /** Create → response delivered inside the process, without the profiler. */
  readonly durationMs: Summary;
  /** CPU per Create inside the process, without the profiler. */
  readonly cpuPerInvocation: CpuTimes;
  readonly intervalUs: number;
  /** Busy time per Create (profiled, so inflated) by the package that asked for it. */
  readonly byPackage: readonly TimeShare[];
  /** The same by original source file (bundle frames only). */
  readonly byFile: readonly TimeShare[];
  /** Busy time of the first invocation after the import, by package (ms for that one call). */
  readonly firstByPackage: readonly TimeShare[];
  /** Wall time of that first invocation under the profiler, ms. */
  readonly firstProfiledMs: number;
  /** Lines the function wrote per Create. */
  readonly logLinesPerInvocation: number;
}

/** Options of {@link profileWarmInvocations}. */
export interface WarmProfileOptions {
  readonly moduleUrl: string;
  readonly events: number;
  readonly warmups: number;
  readonly intervalUs: number;
  /** Node flags of the driver process (e.g. `--enable-source-maps`). */
  readonly nodeFlags: readonly string[];
  /** Added to the function's environment (e.g. the SDK's Node-version warning switch). */
  readonly env: Readonly<Record<string, string>>;
  /** Scratch directory for the events file and the profile. */
  readonly dir: string;
}

interface DriverResult {
  durations: number[];
  startedUs: number;
  endedUs: number;
  firstStartedUs: number;
  firstEndedUs: number;
  userMs: number;
  systemMs: number;
  logLines: number;
}

/** Times, then profiles, warm Creates in fresh policy stores. */
export async function profileWarmInvocations(options: WarmProfileOptions): Promise<WarmProfile> {
  const stack = await startLocalStack({ env: options.env });
  try {
    const eventsFor = async (): Promise<string> => {
      const events = [];
      for (let i = 0; i < options.warmups + options.events; i++) {
        events.push(
          await stack.event(requestFor('Create', stack.verifiedPermissions.addPolicyStore())),
        );
      }
      const file = join(options.dir, `events-${Date.now()}.json`);
      await writeFile(file, JSON.stringify(events));
      return file;
    };
    const { NODE_OPTIONS: _ignored, ...functionEnv } = stack.env;
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...functionEnv, ...options.env };
    const run = async (profileFlags: readonly string[]): Promise<DriverResult> => {
      const eventsFile = await eventsFor();
      try {
        const args = [
          ...options.nodeFlags,
          ...profileFlags,
          '--input-type=module',
          '-e',
          DRIVER_SOURCE,
          options.moduleUrl,
          eventsFile,
          String(options.warmups),
        ];
        return await runDriver(args, env, options.dir);
      } finally {
        await rm(eventsFile, { force: true });
      }
    };

    const timed = await run([]);
    const profileName = 'warm.cpuprofile';
    const profiled = await run([
      '--cpu-prof',
      `--cpu-prof-dir=${options.dir}`,
      `--cpu-prof-name=${profileName}`,
      `--cpu-prof-interval=${options.intervalUs}`,
    ]);
    const profileFile = join(options.dir, profileName);
    const profile = await readCpuProfile(profileFile);
    await rm(profileFile, { force: true });

    const steady = charge(samplesBetween(profile, profiled.startedUs, profiled.endedUs));
    const first = charge(samplesBetween(profile, profiled.firstStartedUs, profiled.firstEndedUs));
    return {
      events: options.events,
      durationMs: summarize(timed.durations),
      cpuPerInvocation: {
        userMs: timed.userMs / options.events,
        systemMs: timed.systemMs / options.events,
      },
      intervalUs: options.intervalUs,
      byPackage: shares(steady.byPackage, steady.busyUs, options.events),
      byFile: shares(steady.byFile, steady.busyUs, options.events),
      firstByPackage: shares(first.byPackage, first.busyUs, 1),
      firstProfiledMs: (profiled.firstEndedUs - profiled.firstStartedUs) / 1000,
      logLinesPerInvocation: timed.logLines / (options.warmups + options.events),
    };
  } finally {
    await stack.close().catch(() => undefined);
  }
}

/** Native leaves that are system calls writing to sockets and pipes. */
const WRITE_SYSCALLS = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String']);

/** Busy samples charged to packages and files; see the module documentation. */
function charge(samples: readonly Sample[]) {
  const sourceOf = sourceResolver();
  const byPackage = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busyUs = 0;
  for (const { stack: frames, us } of samples) {
    const leaf = frames[0];
    if (!leaf || leaf.functionName === '(idle)') continue;
    busyUs += us;
    let owner: FrameSource | undefined;
    for (const frame of frames) {
      owner = sourceOf(frame);
      if (owner !== undefined) break;
    }
    const name = WRITE_SYSCALLS.has(leaf.functionName)
      ? 'socket and pipe writes (system calls)'
      : (owner?.pkg ??
        (leaf.functionName === '(garbage collector)'
          ? 'garbage collection'
          : 'Node.js and V8, outside any handler frame (event loop, HTTP parsing)'));
    byPackage.set(name, (byPackage.get(name) ?? 0) + us);
    if (owner !== undefined) byFile.set(owner.file, (byFile.get(owner.file) ?? 0) + us);
  }
  return { byPackage, byFile, busyUs };
}

/** Totals as ms per invocation and shares of the busy time, largest first. */
function shares(totals: Map<string, number>, busyUs: number, invocations: number): TimeShare[] {
  return [...totals]
    .map(([name, us]) => ({ name, ms: us / 1000 / invocations, share: us / busyUs }))
    .sort((a, b) => b.ms - a.ms);
}

async function runDriver(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): Promise<DriverResult> {
  const { code, stdout, stderr } = await runNodeChild(args, { env, cwd });
  const failed = () =>
    new Error(`the driver failed (exit ${code}): ${stderr.trim().slice(0, 2000)}`);
  if (code !== 0) throw failed();
  const parsed = parseResultLine(stdout, RESULT_MARKER) as Record<string, unknown> | undefined;
  if (parsed === undefined) throw failed();
  return {
    durations: parsed.durations as number[],
    startedUs: Number(parsed.startedUs),
    endedUs: Number(parsed.endedUs),
    firstStartedUs: Number(parsed.firstStartedUs),
    firstEndedUs: Number(parsed.firstEndedUs),
    userMs: Number(parsed.userMs),
    systemMs: Number(parsed.systemMs),
    logLines: stdout.split('\n').filter((line) => line.startsWith('{')).length,
  };
}
