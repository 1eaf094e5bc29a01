/**
 * One invocation, end to end: event → request → properties → the request's own handler (once,
 * under the idempotency guard) → response → what follows the answer. The CloudFormation protocol
 * and the identity-source resource meet here and nowhere else.
 */
import type { VerifiedPermissionsClient } from '@aws-sdk/client-verifiedpermissions';
import type { Sleep } from './backoff.js';
import { type Deadline, deadlineFor, waitEndsAt } from './cloudformation/deadline.js';
import type { PutResponse } from './cloudformation/outbound.js';
import {
  type CustomResourceRequest,
  parseRequest,
  type RequestEcho,
} from './cloudformation/request.js';
import { buildResponseBody, type ResourceOutcome } from './cloudformation/response-body.js';
import { deliverResponse } from './cloudformation/response-delivery.js';
import { checkResponseUrl, redactUrl, type SignatureTimes } from './cloudformation/response-url.js';
import { afterCreate, create, makePlan } from './identity-source/create.js';
import { remove } from './identity-source/delete.js';
import { parseProperties } from './identity-source/properties.js';
import type {
  ResourceDependencies,
  ResourceRequest,
  StackReader,
} from './identity-source/resource.js';
import { type AssumeRole, invocationClients, sessionNameFor } from './identity-source/service.js';
import { notCreatedId } from './identity-source/translate.js';
import { afterUpdate, update } from './identity-source/update.js';
import type { InvocationContext } from './lambda-context.js';
import type { Log, LogFields } from './logger.js';
import { parseArn } from './partitions.js';
import type { GuardedOutcome, IdempotencyGuard } from './persistence/idempotency.js';
import type { Ownership } from './persistence/ownership.js';
import type { ResourceRecords } from './persistence/resource-record.js';

export interface ProviderDependencies {
  /** Verified Permissions clients with the function's own credentials, one per region. */
  readonly clientFor: (region: string) => VerifiedPermissionsClient;
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
  /** One durable record per resource; optional. */
  readonly records?: ResourceRecords;
  /** Who owns each store's one source, for renames and adoption; optional. */
  readonly ownership?: Ownership;
  /** What the stack tells: whether it rolls back, which logical ids its template declares. */
  readonly stack?: StackReader;
  readonly sleep?: Sleep;
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
        | 'cloudformation-stopped-waiting';
    };

/**
 * Thrown when the same request is still being handled by another invocation at the end of this
 * one's time: a function error, so that Lambda delivers the event again — the holder may be gone.
 */
export class StillInProgressError extends Error {
  override readonly name = 'StillInProgressError';
}

/** Thrown when the answer could not be delivered in time: Lambda's retry sends it again. */
export class ResponseNotDeliveredError extends Error {
  override readonly name = 'ResponseNotDeliveredError';
}

/** A status the ResponseURL answers for good (403: expired or not signed for this PUT). */
function refusedForGood(statusCode: number | undefined): boolean {
  return statusCode !== undefined && statusCode >= 400 && statusCode < 500 && statusCode !== 429;
}

/**
 * Builds the Lambda handler from its dependencies.
 *
 * @example
 * ```ts
 * const handle = customResourceProvider({
 *   clientFor: ownClients(),
 *   guard: idempotencyGuard({ tableName: undefined, log: logger }),
 *   log: logger,
 *   defaultRegion: 'eu-west-1',
 *   allowedResponseHosts: [],
 * });
 * await handle(event, context);
 * ```
 * @throws {StillInProgressError} when another invocation still holds the request at the end
 * @throws {ResponseNotDeliveredError} when the answer could not be delivered in time
 */
export function customResourceProvider(deps: ProviderDependencies) {
  return async function handle(
    event: unknown,
    context: InvocationContext,
  ): Promise<InvocationResult> {
    const parsed = parseRequest(event);
    const echo: RequestEcho = parsed.ok ? parsed.request : parsed.echo;
    const { log } = deps;
    log.appendKeys({
      RequestType: echo.requestType,
      StackId: echo.stackId,
      RequestId: echo.requestId,
      LogicalResourceId: echo.logicalResourceId,
      PhysicalResourceId: echo.physicalResourceId,
    });
    try {
      const verdict = checkResponseUrl(echo.responseUrl ?? '', deps.allowedResponseHosts);
      const waitEnd =
        verdict.allowed && parsed.ok ? waitEndsAt(parsed.request, verdict.signed) : undefined;
      const unawaited = verdict.allowed
        ? noLongerAwaited(verdict.signed, waitEnd)
        : {
            why: 'response-url-not-allowed' as const,
            message: 'ResponseURL is not allowed: no response sent, no API called',
            fields: { reason: verdict.reason, responseUrl: redactUrl(echo.responseUrl ?? '') },
          };
      if (unawaited !== undefined || !verdict.allowed) {
        log.error(unawaited?.message ?? '', unawaited?.fields ?? {});
        return { answered: false, why: unawaited?.why ?? 'response-url-not-allowed' };
      }
      // The time budget ends when CloudFormation stops waiting, counted from when it issued the
      // request; without a signing time to count from, ServiceTimeout from now.
      const serviceTimeout = parsed.ok ? parsed.request.serviceTimeoutSeconds : undefined;
      const waitLeft = waitEnd === undefined ? serviceTimeout : (waitEnd - Date.now()) / 1000;
      const deadline = deadlineFor(context, waitLeft);
      const resourceDeps = resourceDependencies(deps, echo, context, deadline);
      const request = parsed.ok ? resourceRequestOf(parsed.request, verdict.signed) : undefined;

      const result: GuardedOutcome =
        parsed.ok && request !== undefined
          ? await handleOnce(deps, parsed.request, request, context, resourceDeps, deadline)
          : {
              kind: 'computed',
              outcome: invalidRequest(parsed.ok ? [] : parsed.problems, echo, log),
            };
      if (result.kind === 'in-progress') {
        log.warn(
          'Still handled by another invocation: ending with an error, so that Lambda delivers it again',
        );
        throw new StillInProgressError(
          'the same request is still in progress in another invocation, which may be gone',
        );
      }
      const { outcome } = result;
      const replayed = result.kind === 'replayed';
      if (replayed) log.info('Repeated delivery: re-sending the stored outcome');
      const { status, physicalResourceId, reason } = outcome;
      log.info('Outcome', { status, physicalResourceId, reason });

      const body = buildResponseBody(echo, outcome, context?.logStreamName ?? 'unknown');
      if (body.shortened !== 'nothing' || body.droppedData.length > 0) {
        const { shortened, droppedData } = body;
        log.warn('Response shortened to fit 4096 bytes', { shortened, droppedData });
      }
      const delivery = await deliverResponse(verdict.url, body.json, {
        endsAt: deadline.responseEndsAt,
        log,
        ...(deps.put !== undefined && { put: deps.put }),
      });
      if (request !== undefined && outcome.status === 'SUCCESS') {
        const afterDeps = { ...resourceDeps, workEndsAt: deadline.responseEndsAt };
        await afterAnswer(request, outcome.physicalResourceId, delivery.delivered, afterDeps);
      }
      if (!delivery.delivered && !refusedForGood(delivery.statusCode)) {
        // The answer may never have reached CloudFormation: a function error makes Lambda
        // deliver the event again, and the retry re-sends it (a SUCCESS is stored).
        throw new ResponseNotDeliveredError(
          `the response could not be delivered (last status: ${delivery.statusCode ?? 'no answer'})`,
        );
      }
      return { answered: true, outcome, delivered: delivery.delivered, replayed };
    } finally {
      log.resetKeys();
    }
  };
}

/** What the resource's handlers need, for this invocation: its own clients and deadline. */
function resourceDependencies(
  deps: ProviderDependencies,
  request: Pick<CustomResourceRequest, 'logicalResourceId' | 'requestId'>,
  context: InvocationContext,
  deadline: Deadline,
): ResourceDependencies {
  const accountId =
    context?.invokedFunctionArn === undefined
      ? undefined
      : parseArn(context.invokedFunctionArn)?.accountId;
  const timing = {
    workEndsAt: deadline.workEndsAt,
    log: deps.log,
    ...(deps.sleep !== undefined && { sleep: deps.sleep }),
  };
  return {
    ...timing,
    clients: invocationClients({
      own: deps.clientFor,
      sessionName: sessionNameFor(request.logicalResourceId, request.requestId),
      ...(deps.assumeRole !== undefined && { assumeRole: deps.assumeRole }),
      deps: timing,
    }),
    defaultRegion: deps.defaultRegion,
    ...(accountId && { functionAccountId: accountId }),
    ...(deps.records !== undefined && { records: deps.records }),
    ...(deps.ownership !== undefined && { ownership: deps.ownership }),
    ...(deps.stack !== undefined && { stack: deps.stack }),
  };
}

/**
 * The request in the resource's terms: what to do to which resource, with which properties
 * (read), issued when.
 */
function resourceRequestOf(
  request: CustomResourceRequest,
  signed: SignatureTimes | undefined,
): ResourceRequest {
  const base = {
    requestId: request.requestId,
    resource: { stackId: request.stackId, logicalResourceId: request.logicalResourceId },
    properties: request.resourceProperties,
    parsed: parseProperties(request.resourceProperties),
    ...(signed !== undefined && { issuedAt: signed.signedAt }),
  };
  const physicalResourceId = request.physicalResourceId ?? '';
  switch (request.requestType) {
    case 'Create':
      return { ...base, action: 'create' };
    case 'Update': {
      const oldProperties = request.oldResourceProperties ?? {};
      return {
        ...base,
        action: 'update',
        physicalResourceId,
        oldProperties,
        oldParsed: parseProperties(oldProperties),
      };
    }
    case 'Delete':
      return { ...base, action: 'delete', physicalResourceId };
  }
}

/** The answer of a valid request: its handler, run once under the idempotency guard. */
async function handleOnce(
  deps: ProviderDependencies,
  raw: CustomResourceRequest,
  request: ResourceRequest,
  context: InvocationContext,
  resourceDeps: ResourceDependencies,
  deadline: Deadline,
): Promise<GuardedOutcome> {
  const handle = () => {
    switch (request.action) {
      case 'create':
        return create(request, resourceDeps);
      case 'update':
        return update(request, resourceDeps);
      case 'delete':
        return remove(request, resourceDeps);
    }
  };
  try {
    // Another invocation holding the request is waited for until this one's work time ends.
    return await deps.guard.run(raw, context, handle, { waitUntil: deadline.workEndsAt });
  } catch (error) {
    deps.log.error('Unexpected error', { error: error as Error });
    return {
      kind: 'computed',
      outcome: {
        status: 'FAILED',
        physicalResourceId: raw.physicalResourceId ?? notCreatedId(raw.requestId),
        reason: `internal error: ${(error as Error)?.message ?? String(error)}`,
      },
    };
  }
}

/** After a SUCCESS was sent: what the request's handler does then (settle, live record). */
async function afterAnswer(
  request: ResourceRequest,
  identitySourceId: string,
  delivered: boolean,
  deps: ResourceDependencies,
): Promise<void> {
  if (request.action === 'update') {
    return afterUpdate(
      request,
      { status: 'SUCCESS', physicalResourceId: identitySourceId },
      delivered,
      deps,
    );
  }
  if (request.action !== 'create' || !request.parsed.ok) return;
  const plan = makePlan(request, request.parsed.properties, 'create', deps.defaultRegion);
  await afterCreate(plan, identitySourceId, delivered, deps);
}

/**
 * Why CloudFormation no longer waits for the answer, if it does not: the ResponseURL has
 * expired, or the request waited in Lambda's queue past `ServiceTimeout`. Nobody could then
 * learn what the request did, so it is not acted on.
 */
function noLongerAwaited(
  signed: SignatureTimes | undefined,
  waitEnd: number | undefined,
  now: number = Date.now(),
):
  | {
      readonly why: 'response-url-expired' | 'cloudformation-stopped-waiting';
      readonly message: string;
      readonly fields: LogFields;
    }
  | undefined {
  if (signed !== undefined && signed.expiresAt <= now) {
    return {
      why: 'response-url-expired',
      message: 'ResponseURL has expired: the request is not acted on, no API called',
      fields: { expiredAt: new Date(signed.expiresAt).toISOString() },
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

/** The FAILED outcome of an event that is not a valid custom-resource request. */
function invalidRequest(problems: readonly string[], echo: RequestEcho, log: Log): ResourceOutcome {
  log.error('Invalid request event', { problems });
  return {
    status: 'FAILED',
    physicalResourceId: echo.physicalResourceId ?? notCreatedId(echo.requestId || 'unknown'),
    reason: `Invalid request: ${problems.join('; ')}`,
  };
}
