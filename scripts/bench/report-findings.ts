/**
 * The report's short "what stands between the figures and the goals" section, derived from the
 * measurements (no judgement beyond what the numbers show).
 *
 * @module
 */
import { code, ms, signedMs } from './markdown.js';
import type { BenchResults } from './results.js';

/** One bullet per goal area, with the figures that explain it. */
export function renderFindings(results: BenchResults): string {
  const { cold, experiments, network, latency } = results;
  const bare = cold.bare.wallMs.median;
  const overBare = (wall: number) => signedMs(wall - bare);
  const best = [...experiments].sort(
    (a, b) => a.withSourceMaps.wallMs.median - b.withSourceMaps.wallMs.median,
  );
  const deployable = experiments.filter((e) => !e.built.variant.id.startsWith('no-powertools'));
  const bestDeployable = [...deployable].sort(
    (a, b) => a.withSourceMaps.wallMs.median - b.withSourceMaps.wallMs.median,
  )[0];
  const floor = best[0];
  const create = network.byType.find((t) => t.type === 'Create')?.samples[0];
  const fourCall = latency.byType.filter((t) => t.type !== 'Create');
  const createLatency = latency.byType.find((t) => t.type === 'Create');
  const lines = [
    '## Findings',
    '',
    `- **Cold start**: as deployed, bare node ${overBare(cold.bundledWithSourceMaps.wallMs.median)} (${overBare(cold.bundled.wallMs.median)} without \`--enable-source-maps\`). ` +
      (bestDeployable === undefined
        ? ''
        : `The best build-option experiment (${bestDeployable.built.variant.title}) reaches bare node ${overBare(bestDeployable.withSourceMaps.wallMs.median)} with source maps and ${overBare(bestDeployable.plain?.wallMs.median ?? Number.NaN)} without. `) +
      (floor === undefined || floor === bestDeployable
        ? ''
        : `Stubbing Powertools out as well (measurement only) shows the floor with the two SDK clients alone: ${overBare(floor.withSourceMaps.wallMs.median)} with source maps, ${overBare(floor.plain?.wallMs.median ?? Number.NaN)} without.`),
  ];
  if (create !== undefined) {
    lines.push(
      `- **Network calls**: Create makes ${create.total}: ${create.sequence.join(' → ')}. ` +
        `Update and Delete make ${network.byType
          .filter((t) => t.type !== 'Create')
          .map((t) => t.samples[0]?.total ?? 0)
          .join(' and ')}.`,
    );
  }
  if (createLatency !== undefined) {
    lines.push(
      `- **Warm latency**: Create (${create?.total ?? '?'} calls) p50 ${ms(createLatency.deliveredMs.median)}; ` +
        `${fourCall.map((t) => `${t.type} p50 ${ms(t.deliveredMs.median)}`).join(', ')} with ${network.byType.find((t) => t.type === 'Update')?.samples[0]?.total ?? '?'} calls. ` +
        `The function itself uses ${ms(results.warmProfile.cpuPerInvocation.userMs + results.warmProfile.cpuPerInvocation.systemMs)} of CPU per Create in a plain process; the rest is the stand-ins answering (they share this machine’s ${results.machine.cores} cores).`,
    );
  }
  lines.push(
    `- **Memory**: peak RSS ${code(`${(latency.peakRssBytes / 1024 ** 2).toFixed(1)} MiB`)} with 128 MB heap limits; an error’s first stack trace adds ${code(`${(results.memoryInputs.errorStackRssBytes / 1024 ** 2).toFixed(1)} MiB`)} with \`--enable-source-maps\`.`,
  );
  return lines.join('\n');
}
