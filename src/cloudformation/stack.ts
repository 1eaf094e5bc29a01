/**
 * What the provider reads of the stack that sent a request, with CloudFormation in the stack's
 * region and the function's own credentials (the client is loaded on first use, a chunk of its
 * own in the bundle: most requests never read the stack):
 *
 * - **rolling back** (`DescribeStacks`): the stack's status, and its root stack's (`RootId`) —
 *   a nested stack its parent's rollback deletes reads `DELETE_IN_PROGRESS`, its root
 *   `…ROLLBACK…`. A stack whose creation failed and that is deleted for it (`OnFailure=DELETE`)
 *   reads `DELETE_IN_PROGRESS` with the reason "The following resource(s) failed to create": a
 *   rollback too.
 * - **declares** (`GetTemplate`, the processed template): whether the template the stack is
 *   moving to declares a logical id.
 *
 * Each answers `undefined` when it cannot be read in the time given.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Log } from '../logger.js';
import { parseArn } from '../partitions.js';

/** What `DescribeStacks` says of a stack, as far as the provider reads it. */
export interface StackDescription {
  readonly StackStatus?: string;
  readonly StackStatusReason?: string;
  readonly RootId?: string;
}

/** The status of a stack whose creation failed and that is being deleted for it. */
const CREATION_FAILED = /failed to create/i;

/**
 * @example
 * ```ts
 * const stack = stackReader({ log: logger });
 * await stack.rollingBack(request.stackId, 5_000); // true while UPDATE_ROLLBACK_IN_PROGRESS
 * await stack.declares(request.stackId, 'OldName', 5_000); // false after a rename
 * ```
 */
export function stackReader(options: {
  readonly log: Log;
  /** `DescribeStacks` of one stack; default the SDK's client in the stack's region. */
  readonly describe?: (stackId: string, timeoutMs: number) => Promise<StackDescription | undefined>;
  /** `GetTemplate` (processed) of one stack; default the SDK's client. */
  readonly template?: (stackId: string, timeoutMs: number) => Promise<string | undefined>;
}) {
  const clients = new Map<string, CloudFormationClient>();
  const sdk = () => import('@aws-sdk/client-cloudformation');
  const clientFor = async (stackId: string) => {
    const region = parseArn(stackId)?.region;
    if (!region) return undefined;
    let client = clients.get(region);
    if (client === undefined) {
      client = new (await sdk()).CloudFormationClient({ region, maxAttempts: 2 });
      clients.set(region, client);
    }
    return client;
  };
  /** AbortSignal.timeout takes whole milliseconds only (a fraction throws a RangeError). */
  const within = (timeoutMs: number) => ({
    abortSignal: AbortSignal.timeout(Math.max(100, Math.floor(timeoutMs))),
  });

  const describeWithSdk = async (stackId: string, timeoutMs: number) => {
    const client = await clientFor(stackId);
    if (client === undefined) return undefined;
    const { DescribeStacksCommand } = await sdk();
    const { Stacks } = await client.send(
      new DescribeStacksCommand({ StackName: stackId }),
      within(timeoutMs),
    );
    return Stacks?.[0];
  };
  const templateWithSdk = async (stackId: string, timeoutMs: number) => {
    const client = await clientFor(stackId);
    if (client === undefined) return undefined;
    const { GetTemplateCommand } = await sdk();
    const command = new GetTemplateCommand({ StackName: stackId, TemplateStage: 'Processed' });
    return (await client.send(command, within(timeoutMs))).TemplateBody;
  };
  const describe = options.describe ?? describeWithSdk;
  const template = options.template ?? templateWithSdk;
  const rolledBack = (stack: { StackStatus?: string; StackStatusReason?: string } | undefined) => {
    const status = stack?.StackStatus;
    if (status === undefined) return undefined;
    return (
      status.includes('ROLLBACK') ||
      (status === 'DELETE_IN_PROGRESS' && CREATION_FAILED.test(stack?.StackStatusReason ?? ''))
    );
  };

  return {
    /** Whether the stack, or its root stack, is rolling back; `undefined`: could not tell. */
    async rollingBack(stackId: string, timeoutMs: number): Promise<boolean | undefined> {
      const endsAt = Date.now() + timeoutMs;
      try {
        const stack = await describe(stackId, timeoutMs);
        const own = rolledBack(stack);
        const rootId = stack?.RootId;
        let root: boolean | undefined = false;
        if (own !== true && rootId !== undefined && rootId !== stackId) {
          root = rolledBack(await describe(rootId, endsAt - Date.now()));
        }
        options.log.info('Stack status', {
          stackStatus: stack?.StackStatus,
          rootId,
          rootRollingBack: root,
        });
        if (own === undefined || root === undefined) return undefined;
        return own || root;
      } catch (error) {
        options.log.warn('Could not read the stack status', { error: (error as Error).name });
        return undefined;
      }
    },
    /** Whether the stack's processed template declares the logical id; `undefined`: could not tell. */
    async declares(
      stackId: string,
      logicalResourceId: string,
      timeoutMs: number,
    ): Promise<boolean | undefined> {
      try {
        const TemplateBody = await template(stackId, timeoutMs);
        if (TemplateBody === undefined) return undefined;
        return resourceNamesOf(TemplateBody)?.includes(logicalResourceId);
      } catch (error) {
        options.log.warn("Could not read the stack's template", { error: (error as Error).name });
        return undefined;
      }
    },
  };
}

/**
 * The logical ids a template's `Resources` declares: JSON, or YAML read by its top-level layout
 * (`Resources:` at the start of a line, its keys at the first indentation below). `undefined`
 * when neither reading finds a `Resources` section.
 *
 * @example
 * ```ts
 * resourceNamesOf('Resources:\n  Source:\n    Type: Custom::X\n'); // ['Source']
 * ```
 */
export function resourceNamesOf(body: string): string[] | undefined {
  try {
    const resources = (JSON.parse(body) as { Resources?: Record<string, unknown> }).Resources;
    return resources === undefined ? undefined : Object.keys(resources);
  } catch {
    // YAML
  }
  const lines = body.split(/\r?\n/);
  const start = lines.findIndex((line) => /^["']?Resources["']?\s*:\s*(#.*)?$/.test(line));
  if (start < 0) return undefined;
  const names: string[] = [];
  let indent: number | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const depth = line.length - line.trimStart().length;
    if (depth === 0) break;
    indent ??= depth;
    const key = depth === indent ? /^\s*["']?([A-Za-z0-9]+)["']?\s*:/.exec(line) : null;
    if (key?.[1] !== undefined) names.push(key[1]);
  }
  return names;
}
