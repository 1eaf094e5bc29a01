import { describe, expect, it } from 'vitest';
import { backoffMs, sleep } from '../../src/backoff.js';

describe('backoffMs', () => {
  const options = { baseMs: 100, capMs: 1_000 };

  it('draws the wait between 0 and a ceiling that doubles with each retry (full jitter)', () => {
    expect([1, 2, 3, 4].map((retry) => backoffMs(retry, options, () => 1))).toEqual([
      100, 200, 400, 800,
    ]);
    expect(backoffMs(3, options, () => 0)).toBe(0);
    expect(backoffMs(3, options, () => 0.5)).toBe(200);
  });

  it('never exceeds the cap, and never goes below the floor', () => {
    expect(backoffMs(50, options, () => 1)).toBe(1_000);
    expect(backoffMs(1, { ...options, floorMs: 300 }, () => 0)).toBe(300);
    expect(backoffMs(1, { ...options, floorMs: 300 }, () => 1)).toBe(300);
    expect(backoffMs(4, { ...options, floorMs: 300 }, () => 0.5)).toBe(550);
  });
});

describe('sleep', () => {
  it('waits at least the time asked', async () => {
    const started = performance.now();
    await sleep(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });
});
