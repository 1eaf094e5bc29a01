/**
 * Report sections about running the function: network calls per request, warm latency and
 * where its CPU goes, memory and the memory size.
 *
 * @module
 */
import { code, mib, ms, percent, table } from './markdown.js';
import { MAX_COLD_CPU_MS, MAX_RSS_SHARE, MB_PER_VCPU } from './memory-size.js';
import type { CallCount } from './network-calls.js';
import type { CpuTimes } from './process-cpu.js';
import type { BenchResults } from './results.js';
import type { WarmLatencyResult } from './warm-latency.js';

const list = (calls: readonly string[]): string =>
  calls.length === 0 ? '–' : `${calls.length}: ${calls.join(', ')}`;

const sameCalls = (a: CallCount, b: CallCount): boolean =>
  JSON.stringify(a.sequence) === JSON.stringify(b.sequence);

const cpuText = (cpu: CpuTimes | undefined, digits = 1): string =>
  cpu === undefined
    ? '–'
    : `${ms(cpu.userMs + cpu.systemMs, digits)} (${cpu.userMs.toFixed(digits)} user + ${cpu.systemMs.toFixed(digits)} sys)`;

/** Network calls per request. */
export function renderNetworkCalls(results: BenchResults): string {
  const { network } = results;
  const labelled: { label: string; count: CallCount; note: string }[] = [
    { label: 'Create, first after cold start', count: network.first, note: '1 request' },
  ];
  for (const { type, samples } of network.byType) {
    const first = samples[0];
    if (!first) continue;
    const identical = samples.every((sample) => sameCalls(sample, first));
    const totals = samples.map((s) => s.total);
    labelled.push({
      label: `${type}, warm`,
      count: first,
      note: identical
        ? `all ${samples.length} identical`
        : `${samples.length} requests, ${Math.min(...totals)}–${Math.max(...totals)} calls`,
    });
  }
  return [
    '## Network calls per request',
    '',
    'Happy path, counted at the stand-ins: Verified Permissions requests as the test double recorded them; DynamoDB and the response PUT (S3) as a counting HTTP proxy in front of each saw them ' +
      '(the function’s `AWS_ENDPOINT_URL_*` and each event’s pre-signed `ResponseURL` point at the proxies; the proxy restores the signed `Host`). ' +
      'A DynamoDB call is labelled with the record it wrote (the item `id` up to its first `#`: Powertools idempotency records start with the function name, the create journal’s with `create-journal`). ' +
      '*New connections*: TCP connections the function opened for the request (Verified Permissions / DynamoDB / S3); 0 = a kept-alive one was reused.',
    '',
    table(
      ['Request', 'Verified Permissions', 'DynamoDB', 'S3', 'total', 'new connections', 'samples'],
      labelled.map(({ label, count, note }) => [
        label,
        list(count.calls.verifiedPermissions),
        list(count.calls.dynamoDb),
        list(count.calls.s3),
        String(count.total),
        `${count.newConnections.verifiedPermissions} / ${count.newConnections.dynamoDb} / ${count.newConnections.s3}`,
        note,
      ]),
      ['l', 'l', 'l', 'l', 'r', 'r', 'l'],
    ),
    '',
    'In the order they reached the stand-ins:',
    '',
    ...labelled.map(({ label, count }) => `- ${label}: ${count.sequence.join(' → ')}`),
  ].join('\n');
}

const heapText = (run: WarmLatencyResult): string =>
  run.memoryMb === undefined
    ? 'this machine’s default heap limits'
    : `the heap limits Lambda sets at ${run.memoryMb} MB`;

/** Warm latency per request type, and where a warm Create's CPU goes. */
export function renderLatency(results: BenchResults): string {
  const { latency, latencyUnlimited, warmProfile } = results;
  const createOf = (run: WarmLatencyResult) => run.byType.find((t) => t.type === 'Create');
  const other = createOf(latencyUnlimited);
  return [
    '## Warm latency',
    '',
    `Event handed to the Lambda-like child → S3 answered the response PUT (*delivered*), all endpoints on loopback, \`NODE_OPTIONS=${latency.nodeOptions}\` (template.yaml’s \`--enable-source-maps\` and ${heapText(latency)}). ` +
      `One identity source per policy store: ${latency.byType[0]?.deliveredMs.n ?? 0} Creates in fresh stores, then an Update and a Delete of each; ${latency.warmups} Creates before them are not counted. ` +
      '*invocation*: until the handler returned (includes work after the PUT). *CPU*: the child’s, per invocation (`/proc/<pid>/stat`). The stand-ins run in the benchmark’s own process, so their work is in the latency but not in the CPU.',
    '',
    table(
      [
        'Request',
        'n',
        'delivered p50',
        'delivered p95',
        'invocation p50',
        'invocation p95',
        'CPU per invocation',
        'log lines',
      ],
      latency.byType.map((t) => [
        t.type,
        String(t.deliveredMs.n),
        ms(t.deliveredMs.median),
        ms(t.deliveredMs.p95),
        ms(t.invocationMs.median),
        ms(t.invocationMs.p95),
        cpuText(t.cpuPerInvocation),
        t.logLines.toFixed(1),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `- First invocation after the cold start (a Create): delivered after ${ms(latency.firstDeliveredMs)}, CPU ${cpuText(latency.firstCpu, 0)}, following an import of ${ms(latency.initMs)}: clients, credentials, signing keys and connections are set up on first use.`,
    `- With ${heapText(latencyUnlimited)}: Create delivered p50 ${ms(other?.deliveredMs.median)}, p95 ${ms(other?.deliveredMs.p95)}.`,
    '',
    '### Where a warm Create’s CPU goes',
    '',
    `The handler in a plain \`node --enable-source-maps\` process (no harness), ${warmProfile.events} Creates after warm-up, against a local stack: ` +
      `handler duration p50 ${ms(warmProfile.durationMs.median)}, p95 ${ms(warmProfile.durationMs.p95)}; CPU per Create ${cpuText(warmProfile.cpuPerInvocation, 2)}; ${warmProfile.logLinesPerInvocation.toFixed(1)} log lines per Create. ` +
      `Then the same under \`--cpu-prof --cpu-prof-interval=${warmProfile.intervalUs}\`: each busy sample is charged to the npm package of the innermost bundle frame on its stack (so hashing, socket writes and stdout count for the package that asked for them).`,
    '',
    table(
      ['Charged to', 'busy ms per Create (profiled)', 'share'],
      warmProfile.byPackage.slice(0, 12).map((p) => [p.name, ms(p.ms, 2), percent(p.share)]),
      ['l', 'r', 'r'],
    ),
    '',
    'By original source file (innermost bundle frame):',
    '',
    table(
      ['File', 'busy ms per Create (profiled)', 'share'],
      warmProfile.byFile.slice(0, 10).map((p) => [code(p.name), ms(p.ms, 2), percent(p.share)]),
      ['l', 'r', 'r'],
    ),
    '',
    `The first invocation after the import took ${ms(warmProfile.firstProfiledMs)} under the profiler; its busy time by package (V8 compiles each function lazily on its first call; the profiler books that compile time to the calling frame):`,
    '',
    table(
      ['Charged to', 'busy ms', 'share'],
      warmProfile.firstByPackage.slice(0, 10).map((p) => [p.name, ms(p.ms), percent(p.share)]),
      ['l', 'r', 'r'],
    ),
  ].join('\n');
}

/** Memory, and the memory size chosen from the figures. */
export function renderMemory(results: BenchResults): string {
  const { memory, memoryInputs, latency, latencyUnlimited, cold } = results;
  return [
    '## Memory and memory size',
    '',
    `- Peak RSS of the Lambda-like child over the warm-latency run (${latency.invocations} invocations) with ${heapText(latency)}: **${mib(latency.peakRssBytes)}**; with ${heapText(latencyUnlimited)}: ${mib(latencyUnlimited.peakRssBytes)}.`,
    `- Max RSS at the end of the cold import: ${mib(cold.bundledWithSourceMaps.maxRssBytes?.median)} with \`--enable-source-maps\`, ${mib(cold.bundled.maxRssBytes?.median)} without.`,
    '- Lambda’s Node.js runtime sets the heap limits from the memory size in its bootstrap: a new space of a tenth of the memory (two semi-spaces) and the rest as old space (`scripts/bench/lambda-flags.ts`). ' +
      'Its own runtime client also lives in the process, which the local child imitates with a few dozen lines, so real “Max Memory Used” figures come out somewhat higher.',
    '',
    `Lambda gives CPU in proportion to memory (${MB_PER_VCPU} MB = one vCPU). Scaling the CPU time measured here ` +
      `(cold: ${ms(memoryInputs.initCpuMs)} process start + import, ${ms(memoryInputs.firstInvocationCpuMs, 0)} first invocation; warm Create: ${ms(memoryInputs.warmCpuMs)}) by each size’s share of a vCPU ` +
      'estimates the CPU-bound part of each; network time to real AWS endpoints comes on top and does not shrink with memory. ' +
      `Peak RSS is the 128 MB run’s at 128 MB and the default-limits run’s (an upper bound) above it, plus the ${mib(memoryInputs.errorStackRssBytes)} the first error stack trace adds by decoding the source map. Lambda’s “MB” are MiB.`,
    '',
    table(
      [
        'Memory',
        'vCPU share',
        'cold start, CPU-bound',
        'warm Create, CPU-bound',
        'peak RSS + error stack / memory',
        'fits',
      ],
      memory.estimates.map((e) => [
        `${e.memoryMb} MB`,
        percent(e.cpuShare, 0),
        ms(e.coldCpuMs, 0),
        ms(e.warmCpuMs, 0),
        percent(e.rssShare, 0),
        e.fits ? 'yes' : 'no',
      ]),
      ['r', 'r', 'r', 'r', 'r', 'l'],
    ),
    '',
    `Rule: the smallest size whose peak RSS, error stack included, is at most ${percent(MAX_RSS_SHARE, 0)} of its memory (room for the runtime’s own client, larger responses, retries and GC slack; an out-of-memory kill leaves CloudFormation without an answer until its timeout) ` +
      `and whose CPU-bound cold start stays under ${ms(MAX_COLD_CPU_MS, 0)} (a Graviton core is slower than this machine’s, so the estimate is optimistic). **Chosen: ${memory.chosenMb} MB** (${code(`MemorySize: ${memory.chosenMb}`)}). ` +
      'Cost does not argue for less: below one vCPU the CPU-bound part costs the same GB-seconds at any size, only the waiting costs more, and a custom resource runs a handful of times per deployment.',
  ].join('\n');
}
