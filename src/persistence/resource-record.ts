/**
 * One durable record per resource (StackId + LogicalResourceId): what it is making now, what it
 * last applied, and since when CloudFormation has given up on what it issued before.
 *
 * - **making** — the resource's latest request that makes a source (a Create, or an Update that
 *   replaces): begun before its call, settled after its answer. A request that does not name a
 *   live source (a Delete with a made-up or marker id, the rollback of a failed replacement)
 *   finds there what an unanswered request made, and removes it.
 * - **live** — the source the resource's last SUCCESS answered with, and the properties applied
 *   to it: what the drift check compares with. Removed when a Delete lets go of that source.
 * - **gave up** — when CloudFormation last gave up on the resource's requests (the issue time of
 *   a Delete that lacks the id, or of a rollback), and on one Create's (the Delete of its
 *   marker): a request issued before that — one that waited in Lambda's queue, or a late
 *   duplicate — makes nothing.
 *
 * States of `making`:
 *
 * | state | meaning |
 * | --- | --- |
 * | `in-flight` | the request is calling the API now |
 * | `created` | the API made the source; the answer is not (yet) known to have reached CloudFormation |
 * | `answered` | CloudFormation has the SUCCESS answer |
 * | `failed` | the request failed; `mayHaveTakenEffect` says whether a source might exist |
 * | `cancelled` | CloudFormation gave up on it before it was answered: it must not succeed |
 * | `cleaned` | what the cancelled request made was removed |
 *
 * Which source each policy store's one slot belongs to is kept apart, one record per store
 * (`ownership.ts`): two resources race for a store, not for a resource.
 */
import type { CreateIdentitySourceInput } from '@aws-sdk/client-verifiedpermissions';

/** Which resource a record belongs to. */
export interface ResourceKey {
  readonly stackId: string;
  readonly logicalResourceId: string;
}

export type MakingState = 'in-flight' | 'created' | 'answered' | 'failed' | 'cancelled' | 'cleaned';

/** The resource's latest request that makes a source. */
export interface Making {
  readonly state: MakingState;
  /** A Create request, or an Update that replaces the source. */
  readonly kind: 'create' | 'replacement';
  /** The CloudFormation request making it. */
  readonly requestId: string;
  readonly region: string;
  readonly roleArn?: string;
  /** The Create's input, clientToken included, so it can be replayed. */
  readonly input: CreateIdentitySourceInput;
  /** Epoch ms when CloudFormation issued the request, when known. */
  readonly issuedAt?: number;
  readonly identitySourceId?: string;
  readonly mayHaveTakenEffect?: boolean;
  /** On `cancelled`: the state it was cancelled from. */
  readonly cancelledFrom?: MakingState;
  /** On `cancelled`: the request has finished and could not clean up itself. */
  readonly createFinished?: boolean;
  /**
   * Epoch ms after which the request cannot be running any more (its invocation's deadline): a
   * request cleaning up after it waits no longer than that, even if it crashed without a word.
   */
  readonly endsBy?: number;
}

/** The source the resource's last SUCCESS answered with, and what was applied to it. */
export interface LiveSource {
  readonly identitySourceId: string;
  /** As the properties name it (an alias stays an alias). */
  readonly policyStoreId: string;
  readonly region: string;
  readonly roleArn?: string;
  /** The ResourceProperties applied, as CloudFormation sent them (without `ServiceToken`, `ServiceTimeout`). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** ISO time of the answer. */
  readonly appliedAt: string;
}

export interface ResourceRecordState {
  readonly making?: Making;
  readonly live?: LiveSource;
}

export type MakingResult =
  /** The source was made; `answered`: its SUCCESS reached CloudFormation (then `live`). */
  | { readonly identitySourceId: string; readonly answered: boolean; readonly live?: LiveSource }
  | { readonly failed: true; readonly mayHaveTakenEffect: boolean };

/** What CloudFormation gave up on: requests issued until `at`, all or `only` one clientToken's. */
export interface GaveUp {
  readonly at: number;
  readonly only?: string;
  /** Record it only when a making request was found to give up on. */
  readonly ifFound?: boolean;
}

export interface ResourceRecords {
  read(key: ResourceKey): Promise<ResourceRecordState | undefined>;
  /**
   * Records a request about to make a source (replacing the previous `making`). Answers
   * `given-up` — and records nothing — when CloudFormation gave up on this resource's requests
   * after `issuedAt` (or in the same second): the request must make nothing.
   */
  begin(
    key: ResourceKey,
    making: Omit<Making, 'state' | 'identitySourceId' | 'mayHaveTakenEffect'>,
  ): Promise<'begun' | 'given-up'>;
  /**
   * Records how the request ended. Answers `cancelled` when CloudFormation gave up on it first:
   * the caller must then remove what it made.
   */
  settle(
    key: ResourceKey,
    requestId: string,
    result: MakingResult,
  ): Promise<'recorded' | 'cancelled'>;
  /** A cancelled request removed its source (`cleaned`), or could not (`finished`). */
  closeCancelled(key: ResourceKey, requestId: string, how: 'cleaned' | 'finished'): Promise<void>;
  /**
   * CloudFormation gave up on this resource's requests issued until `gaveUp.at` (epoch ms) — on
   * all of them, or `only` on those of one clientToken (a Delete of a marker names its Create):
   * records it (unless `ifFound`: only when there is something to give up on), and when `making`
   * is one of them (`given(making)`) and not finished, marks it cancelled and returns it as found
   * (before cancelling); `undefined` when there is none.
   */
  cancel(
    key: ResourceKey,
    gaveUp: GaveUp,
    given: (making: Making) => boolean,
  ): Promise<Making | undefined>;
  /**
   * CloudFormation moved on from the resource's requests issued until `at` (an Update issued
   * just after): records it, and answers false when it had moved further already — a request
   * issued after this one was handled, so this one is stale (a late duplicate).
   */
  moveOn(key: ResourceKey, at: number): Promise<boolean>;
  /** Records the source a SUCCESS answered with and what was applied (`live`). */
  applied(key: ResourceKey, live: LiveSource): Promise<void>;
  /** Forgets `live` if it is still that source (a Delete let go of it). */
  released(key: ResourceKey, identitySourceId: string): Promise<void>;
}
