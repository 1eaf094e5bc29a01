/**
 * The create journal: what the latest Create of each resource (StackId + LogicalResourceId)
 * is doing, so that a Delete which does not know the identity source id — CloudFormation
 * cancelled a slow Create, or made an id up for it — can find what that Create made and
 * remove it, and never touch a source whose Create was answered (that one is live).
 *
 * States of an entry:
 *
 * | state | meaning |
 * | --- | --- |
 * | `in-flight` | the Create is calling the API now |
 * | `created` | the API made the source; the answer is not (yet) known to have reached CloudFormation |
 * | `answered` | CloudFormation has the SUCCESS answer: the source is live; a Delete must name it |
 * | `failed` | the Create failed; `mayHaveTakenEffect` says whether a source might exist |
 * | `cancelled` | a Delete arrived before the Create was answered; the Create must not succeed |
 * | `cleaned` | a cancelled Create removed what it made |
 *
 * Beside the entry, a resource keeps when CloudFormation last gave up on a Create of it (a
 * Delete that lacks the id was handled): a Create that CloudFormation issued before that — one
 * that waited in Lambda's queue longer than CloudFormation waited for it — must make nothing.
 */
import type { CreateIdentitySourceInput } from '@aws-sdk/client-verifiedpermissions';

/** Which resource an entry belongs to. */
export interface ResourceKey {
  readonly stackId: string;
  readonly logicalResourceId: string;
}

export type JournalState =
  | 'in-flight'
  | 'created'
  | 'answered'
  | 'failed'
  | 'cancelled'
  | 'cleaned';

export interface JournalEntry {
  readonly state: JournalState;
  /** The CloudFormation request that made the Create. */
  readonly requestId: string;
  readonly region: string;
  /** The Create's input, clientToken included, so it can be replayed. */
  readonly input: CreateIdentitySourceInput;
  readonly identitySourceId?: string;
  readonly mayHaveTakenEffect?: boolean;
  /** On `cancelled`: the state the Delete found. */
  readonly cancelledFrom?: JournalState;
  /** On `cancelled`: the Create has finished and could not clean up itself. */
  readonly createFinished?: boolean;
  /**
   * Epoch ms after which the Create cannot be running any more (its invocation's deadline):
   * a Delete waits for it no longer than that, even if it crashed without a word.
   */
  readonly endsBy?: number;
}

export type CreateResult =
  /** The source was made; `answered`: its SUCCESS reached CloudFormation. */
  | { readonly identitySourceId: string; readonly answered: boolean }
  | { readonly failed: true; readonly mayHaveTakenEffect: boolean };

export interface CreateJournal {
  /** Records a Create about to call the API (replacing the resource's previous entry). */
  /**
   * Records a Create about to call the API (replacing the resource's previous entry). Answers
   * `given-up` — and records nothing — when CloudFormation gave up on this resource's Creates
   * after `issuedAt` (or at the same second): the Create must make nothing.
   */
  begin(
    key: ResourceKey,
    entry: {
      requestId: string;
      region: string;
      input: CreateIdentitySourceInput;
      endsBy: number;
      /** Epoch ms when CloudFormation issued the Create; unknown: never given up. */
      issuedAt?: number;
    },
  ): Promise<'begun' | 'given-up'>;
  /**
   * Records how the Create ended. Answers `cancelled` when a Delete got there first: the
   * caller must then remove what it made.
   */
  settle(
    key: ResourceKey,
    requestId: string,
    result: CreateResult,
  ): Promise<'recorded' | 'cancelled'>;
  /** A cancelled Create removed its source (`cleaned`), or could not (`finished`). */
  closeCancelled(key: ResourceKey, requestId: string, how: 'cleaned' | 'finished'): Promise<void>;
  /**
   * For a Delete that does not know the id: records that CloudFormation gave up on this
   * resource's Creates issued until `gaveUpAt` (epoch ms, the Delete's own issue time), marks
   * the latest unanswered Create cancelled and returns its entry as found (before cancelling);
   * `undefined` when there is none.
   */
  cancel(key: ResourceKey, gaveUpAt: number): Promise<JournalEntry | undefined>;
  read(key: ResourceKey): Promise<JournalEntry | undefined>;
}
