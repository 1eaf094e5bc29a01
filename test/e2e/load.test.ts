/**
 * Load (issue 11, part 6): 30 resources at once, as CloudFormation creates a large stack's
 * identity sources in parallel, worked through by 4 Lambda-like environments that share one
 * Verified Permissions double, one DynamoDB table and one response bucket; then their Deletes.
 * The double throttles as the service does — 1 write per second per policy store — and on top
 * of that account-wide (10 writes per second), so that throttling is real. Every request must be
 * answered SUCCESS within its deadline, no response lost, no second source, no orphan.
 *
 * How long it takes and how many attempts it costs are measured by `npm run bench` (the same
 * scenario at N = 10, 30 and 100, `docs/benchmarks.md`), not here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type LoadPhase, type LoadRun, runLoad } from '../../scripts/bench/load-run.js';
import { signatureLeaks } from '../support/log-scan.js';

const N = 30;
let run: LoadRun;
beforeAll(async () => {
  run = await runLoad({
    resources: N,
    environments: 4,
    perStoreWritesPerSecond: 1,
    accountWritesPerSecond: 10,
    timeoutMs: 120_000,
  });
}, 600_000);

function expectEveryAnswerInTime(phase: LoadPhase) {
  expect(phase.outcomes).toHaveLength(N);
  for (const outcome of phase.outcomes) {
    expect(outcome.error, outcome.logicalId).toBeUndefined();
    expect(outcome.timedOut, outcome.logicalId).toBe(false);
    // no response lost: CloudFormation would have read every answer from the bucket
    expect(outcome.response?.Status, outcome.logicalId).toBe('SUCCESS');
    expect(outcome.response?.LogicalResourceId).toBe(outcome.logicalId);
    expect(outcome.answeredAt, outcome.logicalId).toBeLessThanOrEqual(outcome.deadlineAt);
  }
}

describe(`${N} resources at once across 4 environments, writes throttled per store and account-wide`, () => {
  it('answers every Create SUCCESS within its deadline, each with a source of its own', () => {
    expectEveryAnswerInTime(run.create);
    const ids = run.create.outcomes.map((o) => o.response?.PhysicalResourceId);
    expect(new Set(ids).size).toBe(N);
    for (const outcome of run.create.outcomes) {
      expect(outcome.response?.Data?.IdentitySourceId).toBe(outcome.response?.PhysicalResourceId);
    }
    // no second source in any store
    expect(run.sourcesPerStore).toEqual(Array(N).fill(1));
  });

  it('answers every Delete SUCCESS within its deadline and leaves no orphan', () => {
    expectEveryAnswerInTime(run.delete);
    expect(run.left).toEqual([]);
  });

  it('was throttled for real, and retried without a storm', () => {
    expect(run.create.throttled + run.delete.throttled).toBeGreaterThan(0);
    for (const phase of [run.create, run.delete]) {
      // throttled attempts are retried; an accepted write is never repeated
      expect(phase.attempts - phase.throttled).toBe(N);
      expect(phase.attempts).toBeLessThan(3 * N);
    }
  });

  it('logs no pre-signed URL query', () => {
    const logs = [run.create, run.delete].flatMap((p) => p.outcomes.flatMap((o) => o.logs));
    expect(logs.length).toBeGreaterThan(0);
    expect(signatureLeaks(logs)).toEqual([]);
  });
});
