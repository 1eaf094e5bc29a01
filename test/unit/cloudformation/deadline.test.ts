import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REMAINING_MS,
  deadlineFor,
  FINAL_MARGIN_MS,
} from '../../../src/cloudformation/deadline.js';

const context = (remaining: number) => ({ getRemainingTimeInMillis: () => remaining });

describe('deadlineFor', () => {
  it('keeps a tenth of a long budget (at most 8 s) for the response', () => {
    const d = deadlineFor(context(300_000), undefined, 0);
    expect(d.responseEndsAt).toBe(300_000 - FINAL_MARGIN_MS);
    expect(d.workEndsAt).toBe(300_000 - FINAL_MARGIN_MS - 8_000);
  });

  it('leaves at least a second for the response when time allows', () => {
    const d = deadlineFor(context(5_000), undefined, 0);
    expect(d.responseEndsAt - d.workEndsAt).toBe(1_000);
  });

  it('splits a very short budget in half', () => {
    const d = deadlineFor(context(1_200), undefined, 0);
    expect(d.workEndsAt).toBe(500);
    expect(d.responseEndsAt).toBe(1_000);
  });

  it('honours a ServiceTimeout shorter than the Lambda time', () => {
    const d = deadlineFor(context(900_000), 60, 0);
    expect(d.responseEndsAt).toBe(60_000 - FINAL_MARGIN_MS);
  });

  it('counts down and never goes negative', () => {
    const d = deadlineFor(context(10_000), undefined, 0);
    expect(d.workRemainingMs(1_000)).toBe(d.workEndsAt - 1_000);
    expect(d.workRemainingMs(1e9)).toBe(0);
    expect(d.responseRemainingMs(1e9)).toBe(0);
  });

  it('assumes a default budget when the context cannot say', () => {
    const d = deadlineFor({} as never, undefined, 0);
    expect(d.responseEndsAt).toBe(DEFAULT_REMAINING_MS - FINAL_MARGIN_MS);
  });
});
