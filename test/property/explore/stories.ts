/**
 * The stories the exploration tells: what a stack goes through (set up without faults, then the
 * main phase where the fault lands), and one story run end to end — the world, Lambda,
 * CloudFormation, the scheduler — until nothing more happens.
 */
import { CreateIdentitySourceCommand } from '@aws-sdk/client-verifiedpermissions';
import { resetTo, STORY_START } from './clock.js';
import { CloudFormation, type Properties, type Stack, type Template } from './cloudformation.js';
import type { Fault } from './faults.js';
import { Lambda } from './lambda.js';
import { seeded } from './random.js';
import { Scheduler } from './scheduler.js';
import { FUNCTION_ARN, FUNCTION_REGION, type Services, StoryWorld } from './world.js';

export const STORY_KINDS = [
  'create',
  'update',
  'replace',
  'delete',
  'rename',
  'adopt',
  'adopt-sibling-fails',
  'adopt-on-failure-delete',
  'adopt-nested',
  'other-owner',
  'two-in-one-store',
  'typo-region',
] as const;
export type StoryKind = (typeof STORY_KINDS)[number];

/** One story: its kind, whether the stack is deleted at the end, its fault, and its seed. */
export interface StorySpec {
  readonly kind: StoryKind;
  readonly thenDelete: boolean;
  readonly fault?: Fault;
  readonly seed: number;
}

/** A story's replayable id: `kind[+delete]/fault@step/seed` (`none` without a fault). */
export function storyId(spec: StorySpec): string {
  const fault = spec.fault === undefined ? 'none' : `${spec.fault.kind}@${spec.fault.step}`;
  return `${spec.kind}${spec.thenDelete ? '+delete' : ''}/${fault}/${spec.seed}`;
}

/** The spec of a story id. */
export function parseStoryId(id: string): StorySpec {
  const match = /^([a-z-]+?)(\+delete)?\/(none|([a-z-]+)@(\d+))\/(\d+)$/.exec(id);
  if (!match || !STORY_KINDS.includes(match[1] as StoryKind))
    throw new Error(`not a story id: ${id}`);
  return {
    kind: match[1] as StoryKind,
    thenDelete: match[2] !== undefined,
    ...(match[4] !== undefined && {
      fault: { kind: match[4] as Fault['kind'], step: Number(match[5]) },
    }),
    seed: Number(match[6]),
  };
}

/** A source that existed before the story, made outside this stack (its owner expects it unchanged). */
export interface ForeignSource {
  readonly identitySourceId: string;
  readonly policyStoreId: string;
  readonly clientIds: readonly string[];
  readonly principalEntityType: string;
}

/** What a story leaves for the invariants to judge. */
export interface StoryOutcome {
  readonly spec: StorySpec;
  readonly world: StoryWorld;
  readonly cfn: CloudFormation;
  readonly lambda: Lambda;
  readonly foreign: readonly ForeignSource[];
}

const USER_POOL_ARN = `arn:aws:cognito-idp:${FUNCTION_REGION}:123456789012:userpool/${FUNCTION_REGION}_AbCdEf123`;

/** The properties of an identity source resource: a store, and a client id that tells configurations apart. */
function properties(policyStoreId: string, clientId: string, extra: Properties = {}): Properties {
  return {
    ServiceToken: FUNCTION_ARN,
    PolicyStoreId: policyStoreId,
    Configuration: {
      CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, ClientIds: [clientId] },
    },
    PrincipalEntityType: `App::${clientId.replace(/[^A-Za-z0-9]/g, '')}`,
    ...extra,
  };
}

const source = (props: Properties) => ({ type: 'identity-source' as const, properties: props });
const adopting = (store: string, clientId: string) =>
  source(properties(store, clientId, { AdoptExisting: 'true' }));

/** A region whose endpoint's name does not resolve (a typo of us-east-1). */
const TYPO_REGION = 'us-eest-1';

/** Kinds explored without injected faults (their own fault is the story). */
export const FAULTLESS_KINDS: readonly StoryKind[] = ['typo-region'];

let storyCounter = 0;

/**
 * Runs one story to its end: every delivery made, every reaction of CloudFormation done.
 *
 * @example
 * ```ts
 * const outcome = await runStory(services, parseStoryId('create/crash-after@3/42'));
 * ```
 */
export async function runStory(services: Services, spec: StorySpec): Promise<StoryOutcome> {
  resetTo(STORY_START);
  services.double.reset();
  storyCounter += 1;
  const random = seeded(spec.seed);
  const originalRandom = Math.random;
  Math.random = seeded(spec.seed ^ 0x5bd1e995);
  try {
    const scheduler = new Scheduler();
    const cfn = new CloudFormation(scheduler, random);
    const world = new StoryWorld(services, spec.fault, cfn);
    const lambda = new Lambda(world, scheduler, random, { duplicates: 0 });
    cfn.lambda = lambda;
    // Fresh stores each story (the table keeps its items: keys differ by stack and store ids).
    const storeId = (name: string) =>
      services.double.addPolicyStore(
        `PS${name}${String(storyCounter).padStart(8, '0')}x${spec.seed % 1000}`,
      );
    const A = storeId('A');
    const B = storeId('B');
    const F = storeId('F');
    // Made before the story runs: the script itself must do no I/O (the scheduler would find
    // nothing to run while it waits, and end the story).
    const foreign: ForeignSource[] = spec.kind.startsWith('adopt')
      ? [await makeForeignSource(services, F)]
      : [];

    const script = async () => {
      const startMain = () => {
        world.counting = true;
        lambda.duplicates = 0.3;
      };
      const app = cfn.stack('app');
      let main: Stack = app;
      switch (spec.kind) {
        case 'create':
          startMain();
          await cfn.createStack(app, { R: source(properties(A, 'app-1')) });
          break;
        case 'update':
        case 'replace':
        case 'delete':
          await cfn.createStack(app, { R: source(properties(A, 'app-1')) });
          startMain();
          if (spec.kind === 'update')
            await cfn.updateStack(app, { R: source(properties(A, 'app-2')) });
          if (spec.kind === 'replace')
            await cfn.updateStack(app, { R: source(properties(B, 'app-1')) });
          if (spec.kind === 'delete') await cfn.deleteStack(app);
          break;
        case 'rename':
          await cfn.createStack(app, { R1: source(properties(A, 'app-1')) });
          startMain();
          await cfn.updateStack(app, { R2: source(properties(A, 'app-2')) });
          break;
        case 'adopt':
        case 'adopt-sibling-fails':
        case 'adopt-on-failure-delete':
        case 'adopt-nested': {
          startMain();
          const template: Template =
            spec.kind === 'adopt'
              ? { R: adopting(F, 'app-1') }
              : { R: adopting(F, 'app-1'), Sibling: { type: 'fails' } };
          if (spec.kind === 'adopt-nested') {
            main = cfn.stack('parent');
            await cfn.createStack(main, {
              Child: { type: 'nested', template: { R: adopting(F, 'app-1') } },
              Sibling: { type: 'fails' },
            });
          } else if (spec.kind === 'adopt-on-failure-delete') {
            main = cfn.stack('app-once', { onFailure: 'DELETE' });
            await cfn.createStack(main, template);
          } else {
            await cfn.createStack(app, template);
          }
          break;
        }
        case 'other-owner': {
          const other = cfn.stack('other');
          await cfn.createStack(other, { R: source(properties(A, 'other-1')) });
          startMain();
          await cfn.createStack(app, { R: source(properties(A, 'app-1')) });
          break;
        }
        case 'typo-region':
          // Every call to that region's endpoint is refused: nothing is ever sent.
          world.unreachableRegions.add(TYPO_REGION);
          startMain();
          await cfn.createStack(app, {
            R: source(properties(A, 'app-1', { Region: TYPO_REGION })),
          });
          break;
        case 'two-in-one-store':
          startMain();
          await cfn.createStack(app, {
            R1: source(properties(A, 'app-1')),
            R2: source(properties(A, 'app-2')),
          });
          break;
      }
      if (spec.thenDelete) await cfn.deleteStack(main);
    };

    let scriptError: unknown;
    let finished = false;
    const done = script().then(
      () => {
        finished = true;
      },
      (error: unknown) => {
        finished = true;
        scriptError = error;
      },
    );
    await scheduler.runUntilIdle();
    if (!finished)
      throw new Error('story stalled: CloudFormation waits for something never scheduled');
    await done;
    if (scriptError !== undefined) throw scriptError;
    return { spec, world, cfn, lambda, foreign };
  } finally {
    Math.random = originalRandom;
  }
}

/** A source made before the story, outside this provider (as the native type would make it). */
async function makeForeignSource(
  services: Services,
  policyStoreId: string,
): Promise<ForeignSource> {
  const clientIds = ['foreign-app'];
  const principalEntityType = 'Foreign::User';
  const output = await services.vpClient(FUNCTION_REGION).send(
    new CreateIdentitySourceCommand({
      policyStoreId,
      principalEntityType,
      configuration: { cognitoUserPoolConfiguration: { userPoolArn: USER_POOL_ARN, clientIds } },
    }),
  );
  return {
    identitySourceId: output.identitySourceId as string,
    policyStoreId,
    clientIds,
    principalEntityType,
  };
}
