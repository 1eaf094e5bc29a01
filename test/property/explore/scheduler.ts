/**
 * The story's discrete-event queue in virtual time: deliveries, retries, CloudFormation's
 * reactions and timeouts, each run at its time, one at a time, in time order (ties in the order
 * they were scheduled).
 */
import { moveTo, now } from './clock.js';

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly run: () => Promise<void> | void;
}

/**
 * @example
 * ```ts
 * const scheduler = new Scheduler();
 * scheduler.at(now() + 60_000, () => deliver(event));
 * await scheduler.runUntilIdle();
 * ```
 */
export class Scheduler {
  private readonly queue: Scheduled[] = [];
  private seq = 0;

  /** Runs `run` at `at` (or as soon as possible, if that is past). */
  at(at: number, run: () => Promise<void> | void): void {
    this.queue.push({ at, seq: this.seq++, run });
    this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** A promise resolved `ms` from now, in virtual time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(now() + ms, resolve));
  }

  /** Runs everything scheduled, and everything that schedules, until nothing is left. */
  async runUntilIdle(limit = 10_000): Promise<void> {
    await settle();
    for (let done = 0; this.queue.length > 0; done++) {
      if (done >= limit) throw new Error(`scheduler: more than ${limit} events in one story`);
      const next = this.queue.shift() as Scheduled;
      moveTo(next.at);
      await next.run();
      await settle();
    }
  }
}

/** Lets promise chains that wait on nothing but each other (CloudFormation's scripts) run on. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}
