/**
 * CPU time of another process, from `/proc/<pid>/stat` (Linux only).
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc` times (`getconf CLK_TCK`; 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time a process has used, ms. */
export interface CpuTimes {
  readonly userMs: number;
  readonly systemMs: number;
}

/**
 * User and system CPU time `pid` has used so far (10 ms resolution); undefined when it cannot be
 * read (not Linux, or the process is gone).
 */
export function processCpuTimes(pid: number | undefined): CpuTimes | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    const toMs = (ticks: number) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
    return { userMs: toMs(userTicks), systemMs: toMs(systemTicks) };
  } catch {
    return undefined;
  }
}

/** `after − before`, per field; undefined when either is. */
export function cpuSince(
  after: CpuTimes | undefined,
  before: CpuTimes | undefined,
): CpuTimes | undefined {
  if (after === undefined || before === undefined) return undefined;
  return { userMs: after.userMs - before.userMs, systemMs: after.systemMs - before.systemMs };
}
