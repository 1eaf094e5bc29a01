/**
 * Deterministic exploration of the provider's lifecycle (issue 15): for each kind of story —
 * Create, Update in place, replacement, Delete, rename, adoption (plain, with a failing sibling,
 * with OnFailure=DELETE, nested), a store another stack owns, two resources on one store — the
 * invocation is made to fail at each step in turn (a crash before or after a call, a slow call
 * the service applies after the provider gave up, a denied call, a call never sent), while
 * Lambda retries and duplicates and CloudFormation rolls back and cleans up as they do. After
 * every story the invariants of `invariants.ts` must hold.
 *
 * The provider runs in-process (`provider-under-test.ts`, the one file that knows `src/`'s
 * wiring) on the Verified Permissions double and dynalite, in virtual time.
 *
 * EXPLORE_SEED=<n> changes the seed of every story's choices (duplicates, delays); EXPLORE_ROUNDS=<n>
 * explores every step n times, each with its own seed (default 1: about 2 000 stories);
 * EXPLORE_STORY=<id> replays one story and prints its trace; EXPLORE_REPORT=<file> writes every
 * failing story there; EXPLORE_PROGRESS=1 prints each story's id as it starts.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRealTime, useVirtualTime } from './clock.js';
import { FAULT_KINDS } from './faults.js';
import { check, type Violation } from './invariants.js';
import { derive } from './random.js';
import {
  FAULTLESS_KINDS,
  parseStoryId,
  runStory,
  STORY_KINDS,
  type StorySpec,
  storyId,
} from './stories.js';
import { type Services, startServices } from './world.js';

const BASE_SEED = Number(process.env.EXPLORE_SEED ?? 20261204);
const ONLY = process.env.EXPLORE_STORY;
/** No story of today has this many steps; a fault that never lands ends the enumeration sooner. */
const MAX_STEP = 80;
/** Each step of each story is explored this many times, each time with its own seed (duplicates, delays). */
const ROUNDS = Number(process.env.EXPLORE_ROUNDS ?? 1);

let services: Services;
beforeAll(async () => {
  services = await startServices();
  useVirtualTime();
});
afterAll(async () => {
  useRealTime();
  await services?.stop();
});

interface Failure {
  readonly id: string;
  readonly violations: readonly Violation[];
}

/** A story runs in virtual time: one that takes real seconds is stuck (the exploration cannot go on). */
const STALL_MS = 20_000;

async function withinRealTime<T>(run: Promise<T>, id: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`story ${id} stalled (no end after ${STALL_MS / 1000} s of real time)`)),
      STALL_MS,
    );
  });
  try {
    return await Promise.race([run, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every story of the exploration, in order, each with its own seed. */
function* stories(): Generator<StorySpec, void, boolean> {
  let index = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of STORY_KINDS) {
      for (const thenDelete of [false, true]) {
        if (kind === 'delete' && thenDelete) continue;
        yield { kind, thenDelete, seed: derive(BASE_SEED, index++) };
        if (FAULTLESS_KINDS.includes(kind)) continue;
        for (const faultKind of FAULT_KINDS) {
          for (let step = 0; step < MAX_STEP; step++) {
            const landed = yield {
              kind,
              thenDelete,
              fault: { kind: faultKind, step },
              seed: derive(BASE_SEED, index++),
            };
            if (!landed) break;
          }
        }
      }
    }
  }
}

describe('exploration: kill, delay, deny at every step; Lambda and CloudFormation react', () => {
  it(ONLY
    ? `replays ${ONLY}`
    : `holds every invariant in every story (seed ${BASE_SEED})`, async () => {
    if (ONLY !== undefined) {
      const outcome = await runStory(services, parseStoryId(ONLY));
      const violations = check(outcome);
      console.log(
        [
          `story ${ONLY}: fault ${JSON.stringify(outcome.world.hit ?? 'none landed')}`,
          ...outcome.world.trace,
          'requests:',
          ...outcome.cfn.requests.map(
            (r) =>
              `  ${r.label}: ${r.answer ? `${r.answer.status} ${r.answer.physicalId} ${r.answer.reason ?? ''}` : 'NO ANSWER'}${r.late.length ? ` (late: ${r.late.map((l) => l.status).join(',')})` : ''}`,
          ),
          'deliveries:',
          ...outcome.lambda.deliveries.map(
            (d) => `  ${new Date(d.at).toISOString()} ${d.label} #${d.attempt}: ${d.end}`,
          ),
          'stacks:',
          ...outcome.cfn.stacks.map(
            (s) =>
              `  ${s.name} ${s.status} ${[...s.resources.values()].map((r) => `${r.logicalId}=${r.physicalId} (${r.state})`).join(' ')}`,
          ),
          'sources:',
          ...services.double
            .identitySources()
            .map((s) => `  ${s.identitySourceId} ${s.policyStoreId} ${s.principalEntityType}`),
          'violations:',
          ...violations.map((v) => `  ${v.invariant}: ${v.detail}`),
        ].join('\n'),
      );
      expect(violations).toEqual([]);
      return;
    }
    const started = performance.now();
    const failures: Failure[] = [];
    let explored = 0;
    const all = stories();
    let next = all.next(true);
    while (!next.done) {
      const spec = next.value;
      if (process.env.EXPLORE_PROGRESS) console.error(storyId(spec));
      const outcome = await withinRealTime(runStory(services, spec), storyId(spec));
      explored += 1;
      const violations = check(outcome);
      if (violations.length > 0) failures.push({ id: storyId(spec), violations });
      next = all.next(spec.fault === undefined || outcome.world.hit !== undefined);
    }
    const seconds = (performance.now() - started) / 1000;
    const byInvariant = new Map<string, number>();
    for (const f of failures) {
      for (const name of new Set(f.violations.map((v) => v.invariant))) {
        byInvariant.set(name, (byInvariant.get(name) ?? 0) + 1);
      }
    }
    console.log(
      [
        `explored ${explored} stories in ${seconds.toFixed(1)} s (${((seconds * 1000) / explored).toFixed(1)} ms each), seed ${BASE_SEED}`,
        `${failures.length} stories broke an invariant${failures.length ? ':' : ''}`,
        ...[...byInvariant].map(([name, n]) => `  ${name}: ${n} stories`),
        ...failures
          .slice(0, 40)
          .map(
            (f) =>
              `  EXPLORE_STORY=${f.id} npx vitest run test/property/explore — ${f.violations.map((v) => `${v.invariant}: ${v.detail}`).join('; ')}`,
          ),
      ].join('\n'),
    );
    if (process.env.EXPLORE_REPORT) {
      writeFileSync(
        process.env.EXPLORE_REPORT,
        failures
          .map(
            (f) => `${f.id}\t${f.violations.map((v) => `${v.invariant}: ${v.detail}`).join('; ')}`,
          )
          .join('\n'),
      );
    }
    expect(failures.map((f) => f.id)).toEqual([]);
  }, 600_000);
});
