/**
 * A Delete, top to bottom — and letting go of a source, which a Create CloudFormation gave up
 * on and the rollback of a failed replacement share:
 *
 * | Delete of | what it does |
 * | --- | --- |
 * | an identity source id | lets go of it (below); not found: as a made-up id |
 * | `NotCreated:…`, `CreateUnconfirmed:…`, any other id (one CloudFormation made up) | CloudFormation gave up on the resource's Creates issued before this Delete: records that (a late duplicate then makes nothing), and removes what such a Create made — found in the resource's record, or by replaying the marker's clientToken |
 *
 * **Letting go** ({@link letGo}) of a source: deleted when the resource plainly owns it (or the
 * provider knows no owner); left alone when another resource owns it now (the cleanup Delete
 * after a rename); handed back with the configuration it had before a takeover — always when
 * CloudFormation gave up on the request that took it over (it never took the source), else
 * when the stack (or its root stack) is rolling back, or its status cannot be read.
 *
 * Each goes to the region, and with the role, of the Delete's own properties.
 */
import type { CreateIdentitySourceInput } from '@aws-sdk/client-verifiedpermissions';
import { sleep as realSleep } from '../backoff.js';
import { OUTSIDE_OWNER, type StoreKey } from '../persistence/ownership.js';
import type { GaveUp, Making } from '../persistence/resource-record.js';
import { ApiCallError, bestEffort, isRefusal, reasonOf } from './errors.js';
import type {
  Answer,
  DeleteRequest,
  RawProperties,
  ResourceDependencies,
  ResourceKey,
} from './resource.js';
import { createSource, deleteSource, storeIdOf, type Target, updateSource } from './service.js';
import {
  clientTokenFor,
  createInput,
  effectiveAccount,
  readPhysicalId,
  sameResource,
} from './translate.js';

/** What letting go of a source did. */
export type LetGo = 'deleted' | 'already-gone' | 'handed-back' | 'left-to-owner' | 'nothing';

/** The properties a Delete needs valid: where the source lives, and how to reach it. */
const LOCATION_PROPERTIES = ['PolicyStoreId', 'Region', 'RoleArn'];

/**
 * Answers a Delete request. Only `PolicyStoreId`, `Region` and `RoleArn` need to be valid.
 *
 * @example
 * ```ts
 * await remove(request, deps); // { status: 'SUCCESS', physicalResourceId: request.physicalResourceId }
 * ```
 */
export async function remove(request: DeleteRequest, deps: ResourceDependencies): Promise<Answer> {
  const { physicalResourceId, resource } = request;
  const current = readPhysicalId(physicalResourceId);
  const location = locationOf(request, deps.defaultRegion);
  const done: Answer = { status: 'SUCCESS', physicalResourceId };
  deps.log.info('Plan', { action: 'delete', physicalId: current.kind, ...location.target });
  try {
    // A Delete of the resource's own source gives up on what was issued before it; one whose id
    // is not found (perhaps made up for a Create CloudFormation gave up on) also on what was
    // issued in its own second (X-Amz-Date has one-second resolution).
    let strictlyBefore = false;
    if (current.kind === 'identity-source') {
      if (location.problems !== undefined) {
        return { status: 'FAILED', physicalResourceId, reason: location.problems };
      }
      const source = {
        policyStoreId: location.policyStoreId,
        identitySourceId: current.identitySourceId,
      };
      let outcome = await letGo(location.target, source, resource, deps);
      if (
        outcome === 'already-gone' &&
        (await madeRecently(request, source.identitySourceId, deps))
      ) {
        // Made moments ago (a rollback right after its Create): not visible yet, not gone.
        outcome = await letGo(location.target, source, resource, deps, { madeRecently: true });
      }
      strictlyBefore = outcome !== 'already-gone';
      // The resource no longer has it (a cleanup Delete of a replaced source leaves the new one).
      const released = async () => deps.records?.released(resource, current.identitySourceId);
      await bestEffort(deps.log, 'released', released, undefined);
    }
    // CloudFormation gave up on the requests issued until this Delete (or in its second), and on
    // the Creates among them: with a marker, on that Create, answered or not (it took the
    // FAILED); else on any it never took.
    const at = (request.issuedAt ?? Date.now()) - (strictlyBefore ? 1 : 0);
    const only = markerToken(current);
    const gaveUp = { at, ...(only !== undefined && { only }) };
    const swept = await sweep(resource, gaveUp, givenUpBy(current), deps);
    if (swept === undefined && current.kind === 'create-unconfirmed' && location.replay) {
      // No record of the Create: its clientToken tells what it made.
      const replay = { ...location.replay, clientToken: current.clientToken };
      await letGoUnconfirmed(location.target, replay, resource, deps);
    }
    return done;
  } catch (error) {
    return { status: 'FAILED', physicalResourceId, reason: reasonOf(error, deps.log) };
  }
}

/** How long after its request a source may still be invisible to a Delete (eventual consistency). */
const VISIBILITY_WINDOW_MS = 5 * 60_000;

/** Whether the resource's own latest request made this source, still live, moments before this Delete. */
async function madeRecently(
  request: DeleteRequest,
  identitySourceId: string,
  deps: ResourceDependencies,
): Promise<boolean> {
  const read = async () => deps.records?.read(request.resource);
  const { making, live } = (await bestEffort(deps.log, 'read', read, undefined)) ?? {};
  // Still live (no Delete let go of it yet), and made by the resource's latest request.
  if (live?.identitySourceId !== identitySourceId) return false;
  if (making?.identitySourceId !== identitySourceId || making.issuedAt === undefined) return false;
  return (request.issuedAt ?? Date.now()) - making.issuedAt < VISIBILITY_WINDOW_MS;
}

/** The clientToken of the Create a marker names. */
function markerToken(current: ReturnType<typeof readPhysicalId>): string | undefined {
  if (current.kind === 'not-created') return clientTokenFor(current.requestId);
  if (current.kind === 'create-unconfirmed') return current.clientToken;
  return undefined;
}

/** Which Create a Delete that does not name a live source gave up on. */
function givenUpBy(current: ReturnType<typeof readPhysicalId>): (making: Making) => boolean {
  switch (current.kind) {
    case 'not-created':
    case 'create-unconfirmed': {
      const token = markerToken(current);
      return (m) => m.kind === 'create' && m.input.clientToken === token;
    }
    default:
      return (m) => m.kind === 'create' && m.state !== 'answered';
  }
}

/** Where the Delete's source lives; problems only in the properties a Delete needs. */
function locationOf(request: DeleteRequest, defaultRegion: string) {
  const raw: RawProperties = request.properties;
  const { parsed } = request;
  const problems = parsed.ok
    ? []
    : parsed.problems.filter((p) => LOCATION_PROPERTIES.includes(p.path));
  const { PolicyStoreId, Region, RoleArn } = raw;
  const target: Target = {
    region: typeof Region === 'string' ? Region : defaultRegion,
    ...(typeof RoleArn === 'string' && { roleArn: RoleArn }),
  };
  return {
    target,
    policyStoreId: String(PolicyStoreId),
    problems:
      problems.length === 0 ? undefined : problems.map((p) => `${p.path}: ${p.message}`).join('; '),
    /** The Create's input, to replay a `CreateUnconfirmed` token (valid properties only). */
    replay: parsed.ok ? createInput(parsed.properties, 'token') : undefined,
  };
}

/** How often a request cleaning up looks whether the request it gave up on has finished. */
const POLL_MS = 500;

/**
 * CloudFormation gave up on the resource's requests issued until `gaveUp.at`: records that
 * (for an Update only when it found something), and removes what the
 * latest such request of the kind `which` selects made — waiting for it if it still runs,
 * replaying its clientToken if it does not finish in time. The source `keep` (the one the
 * request names) is never removed. Answers what it found.
 */
export async function sweep(
  resource: ResourceKey,
  gaveUp: GaveUp,
  which: (making: Making) => boolean,
  deps: ResourceDependencies,
  keep?: string,
): Promise<Making | undefined> {
  const { records, log } = deps;
  if (records === undefined) return undefined;
  const given = (m: Making) => which(m) && issuedBefore(m, gaveUp.at);
  const found = await bestEffort(
    log,
    'cancel',
    () => records.cancel(resource, gaveUp, given),
    undefined,
  );
  if (found === undefined) return undefined;
  log.info('Cleaning up after a request CloudFormation gave up on', {
    state: found.state,
    kind: found.kind,
    madeBy: found.requestId,
  });
  const target = {
    region: found.region,
    ...(found.roleArn !== undefined && { roleArn: found.roleArn }),
  };
  const cancelled = found.state === 'cancelled' ? found.cancelledFrom : found.state;
  if (cancelled === 'cleaned' || found.state === 'cleaned') return found;
  if (
    found.identitySourceId !== undefined &&
    (cancelled === 'created' || cancelled === 'answered')
  ) {
    if (found.identitySourceId !== keep) {
      const policyStoreId = found.input.policyStoreId as string;
      const made = { policyStoreId, identitySourceId: found.identitySourceId };
      await letGo(target, made, resource, deps, { givenUp: true });
      const gone = async () => records.released(resource, made.identitySourceId);
      await bestEffort(log, 'released', gone, undefined);
    }
    return found;
  }
  if (cancelled === 'failed' && found.mayHaveTakenEffect !== true) return found;
  if (cancelled === 'in-flight' || found.state === 'cancelled') {
    const settled = await waitForCancelled(resource, found.requestId, deps);
    if (settled?.state === 'cleaned') return found;
  }
  await letGoUnconfirmed(target, found.input, resource, deps, keep);
  return found;
}

/** Issued before CloudFormation gave up (X-Amz-Date has one-second resolution); unknown: yes. */
function issuedBefore(making: Making, gaveUpAt: number): boolean {
  return making.issuedAt === undefined || Math.floor(making.issuedAt / 1000) * 1000 <= gaveUpAt;
}

/** Polls until the cancelled request has cleaned up or finished, keeping time to act after. */
async function waitForCancelled(
  resource: ResourceKey,
  requestId: string,
  deps: ResourceDependencies,
): Promise<Making | undefined> {
  const sleep = deps.sleep ?? realSleep;
  const keepMs = Math.max(3_000, (deps.workEndsAt - Date.now()) * 0.3);
  for (;;) {
    let making: Making | undefined;
    try {
      making = (await deps.records?.read(resource))?.making;
    } catch {
      return undefined;
    }
    if (making === undefined || making.requestId !== requestId) return making;
    if (making.state === 'cleaned' || making.createFinished === true) return making;
    const gone = making.endsBy !== undefined && Date.now() > making.endsBy;
    if (gone || deps.workEndsAt - Date.now() - POLL_MS < keepMs) return making;
    await sleep(POLL_MS);
  }
}

/**
 * A Create whose effect is unknown: replaying it with the same clientToken and input returns
 * the source it made (the service remembers a token for 8 hours), which is then let go of. If
 * the store is gone or holds another source, nothing of this resource exists — unless the
 * Create took that source over, which the store's ownership record tells.
 */
async function letGoUnconfirmed(
  target: Target,
  replay: CreateIdentitySourceInput,
  resource: ResourceKey,
  deps: ResourceDependencies,
  keep?: string,
): Promise<LetGo> {
  const policyStoreId = replay.policyStoreId as string;
  let identitySourceId: string;
  try {
    identitySourceId = await createSource(target, replay, deps);
  } catch (error) {
    const foundNothing = ['store-full', 'conflict', 'not-found', 'store-not-found', 'invalid'];
    if (!(error instanceof ApiCallError) || !foundNothing.includes(error.refusal ?? ''))
      throw error;
    const taken =
      isRefusal(error, 'store-full') && deps.ownership !== undefined
        ? await deps.ownership.read(await storeKeyOf(target, policyStoreId, deps))
        : undefined;
    if (
      taken !== undefined &&
      sameResource(taken.owner, resource) &&
      taken.identitySourceId !== keep
    ) {
      const made = { policyStoreId, identitySourceId: taken.identitySourceId };
      return letGo(target, made, resource, deps, { givenUp: true });
    }
    deps.log.info('Replayed create found nothing of this resource', { refusal: error.refusal });
    return 'nothing';
  }
  if (identitySourceId === keep) return 'nothing';
  return letGo(target, { policyStoreId, identitySourceId }, resource, deps, { givenUp: true });
}

/**
 * Lets go of a resource's source: delete it, leave it to its new owner, or hand it back.
 *
 * @example
 * ```ts
 * await letGo({ region: 'eu-west-1' }, { policyStoreId, identitySourceId }, resource, deps);
 * ```
 */
export async function letGo(
  target: Target,
  source: { readonly policyStoreId: string; readonly identitySourceId: string },
  resource: ResourceKey,
  deps: ResourceDependencies,
  options: {
    /** The source was made or taken by a request CloudFormation gave up on: it never took it. */
    readonly givenUp?: boolean;
    /** Made moments ago: a "not found" may only mean "not visible yet". */
    readonly madeRecently?: boolean;
  } = {},
): Promise<LetGo> {
  const { ownership, log } = deps;
  const { identitySourceId } = source;
  const remove = () => deleteSource(target, source, deps, options);
  if (ownership === undefined) return remove();
  const store = await storeKeyOf(target, source.policyStoreId, deps);
  if (await ownership.releaseIfPlain(store, identitySourceId, resource)) return remove();
  const record = await ownership.read(store);
  if (record === undefined || record.identitySourceId !== identitySourceId) return remove();
  if (!sameResource(record.owner, resource)) {
    // Taken over by another resource (a rename): it is theirs now, and the takeover complete.
    if (record.handBack?.from !== undefined && sameResource(record.handBack.from, resource)) {
      const { handBack: _done, ...taken } = record;
      await ownership.write(store, taken, record);
    }
    log.info('The identity source belongs to another resource now: leaving it', {
      identitySourceId,
      owner: record.owner.logicalResourceId,
    });
    return 'left-to-owner';
  }
  const { handBack } = record;
  if (handBack === undefined) return deleteSource(target, source, deps);
  if (options.givenUp !== true) {
    // Half the time left: the hand-back after it needs time too.
    const budget = (deps.workEndsAt - Date.now()) / 2;
    const rollingBack = await deps.stack?.rollingBack(resource.stackId, budget);
    if (rollingBack === false) {
      // The takeover stands and its resource goes: so does the source.
      const removed = await deleteSource(target, source, deps);
      await ownership.write(store, undefined, record);
      return removed;
    }
    if (rollingBack === undefined) {
      log.warn(
        `Could not read the stack's status: handing the ${handBack.adopted ? 'adopted' : 'renamed'} source back, not deleting it`,
      );
    }
  }
  log.info('Handing the identity source back with the configuration it had before', {
    identitySourceId,
    to: handBack.from?.logicalResourceId ?? 'its owner outside this provider',
  });
  await updateSource(
    target,
    {
      ...source,
      updateConfiguration: handBack.previous.configuration,
      ...(handBack.previous.principalEntityType !== undefined && {
        principalEntityType: handBack.previous.principalEntityType,
      }),
    },
    deps,
  );
  const back = { identitySourceId, owner: handBack.from ?? OUTSIDE_OWNER };
  await ownership.write(store, back, record);
  return 'handed-back';
}

/**
 * Which ownership record is about a store: its effective account (the role's, or the function's
 * own), its region, and the store's id — an alias resolved, so that an alias and the id of one
 * store share one record.
 *
 * @example
 * ```ts
 * await storeKeyOf({ region: 'eu-west-1' }, 'policy-store-alias/payments', deps);
 * // { accountId: '123456789012', region: 'eu-west-1', policyStoreId: 'PSEXAMPLEabcdefg111111' }
 * ```
 */
export async function storeKeyOf(
  target: Target,
  policyStoreId: string,
  deps: ResourceDependencies,
): Promise<StoreKey> {
  return {
    accountId: effectiveAccount(target, deps.functionAccountId) ?? 'self',
    region: target.region,
    policyStoreId: await storeIdOf(target, policyStoreId, deps),
  };
}
