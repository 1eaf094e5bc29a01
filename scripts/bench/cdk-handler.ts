/**
 * CDK's real `AwsCustomResource` handler, for the side-by-side cold start: the file CDK deploys
 * as that custom resource's Lambda function, taken from the published `aws-cdk-lib` tarball at
 * bench time (`npm pack`, then `tar` extracts that one file), cached under `.local/` (gitignored)
 * between runs. It is never committed and never a project dependency.
 *
 * On the `nodejs24.x` runtime the handler's `require('@aws-sdk/…')` calls resolve to the SDK v3
 * that the runtime ships; here they resolve to the project's `node_modules` (a task root whose
 * `node_modules` links to it; `@aws-sdk/credential-providers`, which the handler requires at
 * import, is a dev dependency for this).
 *
 * @example
 * ```ts
 * const cdk = await writeCdkTaskRoot(projectRoot, scratchDir);
 * // cdk.importUrl: the handler alone; cdk.firstRequestUrl: it and the client its first request loads
 * ```
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The `aws-cdk-lib` release whose handler is measured. */
export const CDK_VERSION = '2.278.0';
/** The handler's path inside the `aws-cdk-lib` tarball. */
const HANDLER_IN_TARBALL =
  'package/custom-resource-handlers/dist/custom-resources/aws-custom-resource-handler/index.js';
/**
 * The client the handler `require`s on its first request for a Verified Permissions call
 * (`@aws-sdk/client-${service}`, service `verifiedpermissions`).
 */
export const PEER_CLIENT = '@aws-sdk/client-verifiedpermissions';

/** CDK's handler, ready to cold-start. */
export interface CdkTaskRoot {
  readonly version: string;
  /** The handler file as CDK ships it (`index.js`, CommonJS). */
  readonly importUrl: string;
  /** A module that imports the handler, then `require`s {@link PEER_CLIENT} as its first request does. */
  readonly firstRequestUrl: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** The cached handler file, fetched with `npm pack` and `tar` when absent. */
async function cachedHandler(projectRoot: string): Promise<string> {
  const cached = join(projectRoot, '.local/bench', `aws-cdk-lib-${CDK_VERSION}`, 'index.js');
  if (await stat(cached).catch(() => undefined)) return cached;
  const scratch = await mkdtemp(join(tmpdir(), 'aws-cdk-lib-'));
  try {
    const { stdout } = await run(
      'npm',
      ['pack', `aws-cdk-lib@${CDK_VERSION}`, '--pack-destination', scratch, '--silent'],
      { cwd: scratch, maxBuffer: 16 * 1024 * 1024 },
    );
    const tarball = stdout.trim().split('\n').at(-1) ?? '';
    await run('tar', ['-xzf', join(scratch, tarball), '-C', scratch, HANDLER_IN_TARBALL]);
    await mkdir(dirname(cached), { recursive: true });
    await copyFile(join(scratch, HANDLER_IN_TARBALL), cached);
    return cached;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Writes a task root for CDK's handler into `parentDir` (`aws-custom-resource/`: the handler as
 * `index.js`, `package.json` without `"type"` so it loads as CommonJS, `node_modules` linked to the
 * project's) and a module for its first request beside it.
 */
export async function writeCdkTaskRoot(
  projectRoot: string,
  parentDir: string,
): Promise<CdkTaskRoot> {
  const source = await readFile(await cachedHandler(projectRoot));
  const dir = join(parentDir, 'aws-custom-resource');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), '{}\n');
  await symlink(join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const handler = join(dir, 'index.js');
  await writeFile(handler, source);
  const firstRequest = join(dir, 'first-request.mjs');
  await writeFile(
    firstRequest,
    [
      "import { createRequire } from 'node:module';",
      "await import('./index.js');",
      `createRequire(import.meta.url)('${PEER_CLIENT}');`,
      '',
    ].join('\n'),
  );
  return {
    version: CDK_VERSION,
    importUrl: pathToFileURL(handler).href,
    firstRequestUrl: pathToFileURL(firstRequest).href,
    bytes: source.length,
    sha256: createHash('sha256').update(source).digest('hex'),
  };
}
