/**
 * Lambda's asynchronous invocation, as the provider meets it: each event is delivered at least
 * once (a duplicate may follow, seconds to an hour later); an invocation that ends in a function
 * error — the process killed, a timeout, a thrown error — is retried twice, about one and then
 * two minutes later; one that returns normally is never retried.
 */
import { now } from './clock.js';
import { makeInvocation } from './provider-under-test.js';
import { pick, type Random } from './random.js';
import type { Scheduler } from './scheduler.js';
import { FUNCTION_ARN, type StoryWorld } from './world.js';

/** Waits before Lambda's first and second retry of a failed invocation. */
const RETRY_DELAYS_MS = [60_000, 120_000];
/** When a duplicate of an event arrives, after the event itself. */
const DUPLICATE_DELAYS_MS = [2_000, 45_000, 10 * 60_000, 65 * 60_000];

/** How one invocation ended. */
export type InvocationEnd = 'returned' | 'threw' | 'died' | 'timed-out';

/** One delivery of an event, as it happened. */
export interface DeliveryRecord {
  readonly label: string;
  readonly attempt: number;
  readonly at: number;
  end?: InvocationEnd;
}

/**
 * @example
 * ```ts
 * const lambda = new Lambda(world, scheduler, random, { duplicates: 0.3 });
 * lambda.invoke(event, 'Create R1', waitEnd);
 * ```
 */
export class Lambda {
  /** Chance that an event is delivered twice (0 during a story's setup). */
  duplicates: number;
  readonly deliveries: DeliveryRecord[] = [];

  constructor(
    private readonly world: StoryWorld,
    private readonly scheduler: Scheduler,
    private readonly random: Random,
    options: { duplicates: number },
  ) {
    this.duplicates = options.duplicates;
  }

  /** Queues an event (and perhaps its duplicate) for delivery. */
  invoke(event: Record<string, unknown>, label: string, waitEnd: number | undefined): void {
    const queued = 50 + Math.floor(this.random() * 950);
    this.scheduler.at(now() + queued, () => this.deliver(event, label, waitEnd, 1));
    if (this.random() < this.duplicates) {
      const later = pick(this.random, DUPLICATE_DELAYS_MS);
      this.scheduler.at(now() + queued + later, () =>
        this.deliver(event, `${label} (duplicate)`, waitEnd, 1),
      );
    }
  }

  private async deliver(
    event: Record<string, unknown>,
    label: string,
    waitEnd: number | undefined,
    attempt: number,
  ): Promise<void> {
    const record: DeliveryRecord = { label, attempt, at: now() };
    this.deliveries.push(record);
    const run = this.world.startInvocation(`${label} #${attempt}`, waitEnd);
    const context = {
      awsRequestId: `invocation-${run.id}`,
      functionName: 'provider',
      invokedFunctionArn: FUNCTION_ARN,
      logStreamName: `2026/12/01/[$LATEST]environment${run.id}`,
      getRemainingTimeInMillis: () => Math.max(0, run.lambdaDeadline - now()),
    };
    const invoke = makeInvocation(run.ports);
    const ended: Promise<InvocationEnd> = invoke(event, context).then(
      () => 'returned' as const,
      () => 'threw' as const,
    );
    const follow = async (): Promise<void> => {
      const end = await Promise.race([
        ended,
        run.died.then(() => 'died' as const),
        run.nextStall().then(() => 'stalled' as const),
      ]);
      if (end === 'stalled') {
        // The world goes on while this invocation waits; it resumes later, as its own event.
        const resumeAt = run.stalledUntil();
        this.scheduler.at(resumeAt, async () => {
          run.resume();
          await follow();
        });
        return;
      }
      // Past its deadline, Lambda had stopped it: a timeout, whatever it did after.
      record.end = end === 'returned' && now() > run.lambdaDeadline ? 'timed-out' : end;
      await run.finish();
      const delay = RETRY_DELAYS_MS[attempt - 1];
      if (record.end !== 'returned' && delay !== undefined) {
        this.scheduler.at(now() + delay, () => this.deliver(event, label, waitEnd, attempt + 1));
      }
    };
    await follow();
  }
}
