/**
 * Virtual time for the exploration: `Date` is faked (vitest fake timers, `Date` only), so the
 * provider, Powertools and the stand-ins read the story's time; it moves only when the
 * exploration moves it — between deliveries, and inside an invocation through `sleep` and slow
 * calls. Real timers stay real (and are never waited on).
 */
import { vi } from 'vitest';

/** When every story begins: a fixed instant, so signing times and expiries replay exactly. */
export const STORY_START = Date.UTC(2026, 11, 1, 10, 0, 0);

/** Starts faking `Date`. */
export function useVirtualTime(): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(STORY_START);
}

/** Back to real time. */
export function useRealTime(): void {
  vi.useRealTimers();
}

/** The story's time, epoch ms. */
export function now(): number {
  return Date.now();
}

/** Moves virtual time to `ms` (never backwards). */
export function moveTo(ms: number): void {
  if (ms > Date.now()) vi.setSystemTime(ms);
}

/** Moves virtual time on by `ms`. */
export function advance(ms: number): void {
  vi.setSystemTime(Date.now() + Math.max(0, ms));
}

/** Resets virtual time to a story's start. */
export function resetTo(ms: number): void {
  vi.setSystemTime(ms);
}
