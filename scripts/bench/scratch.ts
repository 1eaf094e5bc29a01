/**
 * A throw-away directory for the benchmark's extra builds, laid out like a Lambda task root:
 * `package.json` with `"type": "module"` and `node_modules` (a link to the project's), so an
 * unbundled build resolves its dependencies from `node_modules` as it would in `/var/task`.
 *
 * @module
 */
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch task root. */
export interface Scratch {
  readonly dir: string;
  /** Removes the directory (the linked `node_modules` is left alone). */
  remove(): Promise<void>;
}

/** Creates a scratch task root whose `node_modules` links to `projectRoot`'s. */
export async function createScratch(projectRoot: string): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'provider-bench-'));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  await symlink(join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
