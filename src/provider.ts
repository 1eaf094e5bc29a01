/**
 * One invocation, end to end: event → request → (guarded) provision → response.
 * The CloudFormation protocol and the identity-source logic meet here and nowhere else.
 */
import { type Deadline, deadlineFor } from './cloudformation/deadline.js';
import type { PutResponse } from './cloudformation/outbound.js';
import { signatureTimes } from './cloudformation/presigned-url.js';
import {
  type CustomResourceRequest,
  parseRequest,
  type RequestEcho,
} from './cloudformation/request.js';
import { buildResponseBody, type ResourceOutcome } from './cloudformation/response-body.js';
import { deliverResponse } from './cloudformation/response-delivery.js';
import { checkResponseUrl, redactUrl } from './cloudformation/response-url.js';
import type { StackRollingBack } from './cloudformation/stack-status.js';
import { waitEndsAt } from './cloudformation/wait.js';
import type { AssumeRole } from './identity-source/assumed-role.js';
import type { ClientForRegion } from './identity-source/client.js';
import { notCreatedId } from './identity-source/physical-id.js';
import type { InvocationContext } from './lambda-context.js';
import type { Log, LogFields } from './logger.js';
import { parseArn } from './partitions.js';
import type { CreateJournal } from './persistence/create-journal.js';
import type { GuardedOutcome, IdempotencyGuard } from './persistence/idempotency.js';
import type { Ownership } from './persistence/ownership.js';
import { afterAnswer, type ProvisionDependencies, provision } from './provision.js';

export interface ProviderDependencies {
  readonly clientFor: ClientForRegion;
  readonly guard: IdempotencyGuard;
  readonly log: Log & {
    appendKeys(keys: Record<string, unknown>): void;
    resetKeys(): void;
  };
  readonly defaultRegion: string;
  /** Assumes a resource's `RoleArn`; default STS in the resource's region. */
  readonly assumeRole?: AssumeRole;
  readonly allowedResponseHosts: readonly string[];
  readonly put?: PutResponse;
  /** Records Creates so a Delete that lacks the id can find them; optional. */
  readonly journal?: CreateJournal;
  /** Records who owns each store's one source, for renames and adoption; optional. */
  readonly ownership?: Ownership;
  /** Tells whether a stack is rolling back (an adopted source is then handed back). */
  readonly stackRollingBack?: StackRollingBack;
}

/** The dependencies with what one invocation knows. */
type InvocationDependencies = ProviderDependencies &
  Pick<ProvisionDependencies, 'roleClients' | 'functionAccountId'>;

/** The function's own account, from its ARN (`arn:<partition>:lambda:<region>:<account>:…`). */
function optionalAccount(functionArn: string | undefined): { functionAccountId?: string } {
  const accountId = functionArn === undefined ? undefined : parseArn(functionArn)?.accountId;
  return accountId ? { functionAccountId: accountId } : {};
}

/** What an invocation did, for tests and the local runner; CloudFormation only sees the PUT. */
export type InvocationResult =
  | {
      readonly answered: true;
      readonly outcome: ResourceOutcome;
      readonly delivered: boolean;
      readonly replayed: boolean;
    }
  | {
      readonly answered: false;
      readonly why:
        | 'response-url-not-allowed'
        | 'response-url-expired'
        | 'cloudformation-stopped-waiting'
        | 'in-progress-elsewhere';
    };

/**
 * Builds the Lambda handler from its dependencies.
 *
 * @example
 * ```ts
 * const handle = customResourceProvider({
 *   clientFor: verifiedPermissionsClients(),
 *   guard: idempotencyGuard({ tableName: undefined, log: logger }),
 *   log: logger,
 *   defaultRegion: 'eu-west-1',
 *   allowedResponseHosts: [],
 * });
 * await handle(event, context);
 * ```
 */
export function customResourceProvider(deps: ProviderDependencies) {
  return async function handle(
    event: unknown,
    context: InvocationContext,
  ): Promise<InvocationResult> {
    const parsed = parseRequest(event);
    const echo: RequestEcho = parsed.ok ? parsed.request : parsed.echo;
    deps.log.appendKeys({
      RequestType: echo.requestType,
      StackId: echo.stackId,
      RequestId: echo.requestId,
      LogicalResourceId: echo.logicalResourceId,
      PhysicalResourceId: echo.physicalResourceId,
    });
    try {
      const verdict = checkResponseUrl(echo.responseUrl ?? '', deps.allowedResponseHosts);
      if (!verdict.allowed) {
        deps.log.error('ResponseURL is not allowed: no response sent, no API called', {
          reason: verdict.reason,
          responseUrl: echo.responseUrl === undefined ? undefined : redactUrl(echo.responseUrl),
        });
        return { answered: false, why: 'response-url-not-allowed' };
      }
      const waitEnd = parsed.ok ? waitEndsAt(parsed.request) : undefined;
      const unawaited = noLongerAwaited(verdict.url, waitEnd);
      if (unawaited !== undefined) {
        deps.log.error(unawaited.message, unawaited.fields);
        return { answered: false, why: unawaited.why };
      }
      // What this invocation alone knows: the function's account, and its assumed roles.
      const invocationDeps: InvocationDependencies = {
        ...deps,
        roleClients: new Map(),
        ...optionalAccount(context?.invokedFunctionArn),
      };
      // The time budget ends when CloudFormation stops waiting, counted from when it issued the
      // request; without a signing time to count from, ServiceTimeout from now.
      const serviceTimeout = parsed.ok ? parsed.request.serviceTimeoutSeconds : undefined;
      const waitLeft = waitEnd === undefined ? serviceTimeout : (waitEnd - Date.now()) / 1000;
      const deadline = deadlineFor(context, waitLeft);

      const result = parsed.ok
        ? await decide(invocationDeps, parsed.request, context, deadline)
        : { kind: 'computed' as const, outcome: invalidRequest(parsed.problems, echo, deps.log) };
      if (result.kind === 'in-progress') {
        deps.log.warn(
          'The same request is already being handled by another invocation; it will answer',
        );
        return { answered: false, why: 'in-progress-elsewhere' };
      }
      const { outcome } = result;
      const replayed = result.kind === 'replayed';
      if (replayed) deps.log.info('Repeated delivery: re-sending the stored outcome');
      deps.log.info('Outcome', {
        status: outcome.status,
        physicalResourceId: outcome.physicalResourceId,
        reason: outcome.reason,
      });

      const body = buildResponseBody(echo, outcome, context?.logStreamName ?? 'unknown');
      if (body.shortened !== 'nothing' || body.droppedData.length > 0) {
        deps.log.warn('Response shortened to fit 4096 bytes', {
          shortened: body.shortened,
          droppedData: body.droppedData,
        });
      }
      const delivery = await deliverResponse(verdict.url, body.json, {
        endsAt: deadline.responseEndsAt,
        log: deps.log,
        ...(deps.put !== undefined && { put: deps.put }),
      });
      if (parsed.ok) {
        const afterDeps = { ...invocationDeps, workEndsAt: deadline.responseEndsAt };
        await afterAnswer(parsed.request, outcome, delivery.delivered, afterDeps);
      }
      return { answered: true, outcome, delivered: delivery.delivered, replayed };
    } finally {
      deps.log.resetKeys();
    }
  };
}

/**
 * Why CloudFormation no longer waits for the answer, if it does not: the ResponseURL has
 * expired, or the request waited in Lambda's queue past `ServiceTimeout`. Nobody could then
 * learn what the request did, so it is not acted on.
 */
function noLongerAwaited(
  responseUrl: URL,
  waitEnd: number | undefined,
  now: number = Date.now(),
):
  | {
      readonly why: 'response-url-expired' | 'cloudformation-stopped-waiting';
      readonly message: string;
      readonly fields: LogFields;
    }
  | undefined {
  const expiresAt = signatureTimes(responseUrl.href)?.expiresAt;
  if (expiresAt !== undefined && expiresAt <= now) {
    return {
      why: 'response-url-expired',
      message: 'ResponseURL has expired: the request is not acted on, no API called',
      fields: { expiredAt: new Date(expiresAt).toISOString() },
    };
  }
  if (waitEnd !== undefined && waitEnd <= now) {
    return {
      why: 'cloudformation-stopped-waiting',
      message:
        'CloudFormation stopped waiting for this request (ServiceTimeout after it was issued): it is not acted on, no API called',
      fields: { stoppedWaitingAt: new Date(waitEnd).toISOString() },
    };
  }
  return undefined;
}

/** The outcome of a valid request: provisioned once, under the idempotency guard. */
async function decide(
  deps: InvocationDependencies,
  request: CustomResourceRequest,
  context: InvocationContext,
  deadline: Deadline,
): Promise<GuardedOutcome> {
  try {
    return await deps.guard.run(request, context, () =>
      provision(request, { ...deps, workEndsAt: deadline.workEndsAt }),
    );
  } catch (error) {
    deps.log.error('Unexpected error', { error: error as Error });
    return {
      kind: 'computed',
      outcome: {
        status: 'FAILED',
        physicalResourceId: request.physicalResourceId ?? notCreatedId(request.requestId),
        reason: `internal error: ${(error as Error)?.message ?? String(error)}`,
      },
    };
  }
}

/** The FAILED outcome of an event that is not a valid custom-resource request. */
function invalidRequest(problems: readonly string[], echo: RequestEcho, log: Log): ResourceOutcome {
  log.error('Invalid request event', { problems });
  return {
    status: 'FAILED',
    physicalResourceId: echo.physicalResourceId ?? notCreatedId(echo.requestId || 'unknown'),
    reason: `Invalid request: ${problems.join('; ')}`,
  };
}
