/**
 * The machine a benchmark ran on, for the report header.
 *
 * @module
 */
import { cpus, release, totalmem, type } from 'node:os';

/** Where and when the figures were taken. */
export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly arch: string;
  /** ISO 8601, UTC. */
  readonly date: string;
}

/** Describes this machine and this Node.js. */
export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${type()} ${release()}`,
    arch: process.arch,
    date: new Date().toISOString(),
  };
}
