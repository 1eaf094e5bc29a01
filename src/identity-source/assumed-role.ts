/**
 * Credentials of a resource's `RoleArn`: STS `AssumeRole` in the resource's region (a regional
 * STS endpoint of its partition: a global one fails in opt-in regions), with a session name
 * that names the stack's request, made once per invocation and never kept beyond it.
 */
import { type CallDependencies, call } from './api-call.js';
import { type ClientForRegion, type Credentials, verifiedPermissionsClient } from './client.js';
import { ApiCallError } from './errors.js';

/** Assumes a role in a region; replaceable in tests. */
export type AssumeRole = (
  input: { readonly region: string; readonly roleArn: string; readonly sessionName: string },
  signal: AbortSignal,
) => Promise<Credentials>;

/**
 * The SDK's STS client in the region (it honours `AWS_ENDPOINT_URL_STS`).
 *
 * @example
 * ```ts
 * const credentials = await assumeRoleWithSts({ region: 'eu-west-1', roleArn, sessionName }, signal);
 * ```
 */
const assumeRoleWithSts: AssumeRole = async ({ region, roleArn, sessionName }, signal) => {
  // Loaded on first use (a chunk of its own in the bundle): most resources have no RoleArn.
  const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
  const sts = new STSClient({ region, maxAttempts: 1 });
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }),
      { abortSignal: signal },
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw Object.assign(new Error('AssumeRole answered without credentials'), {
        name: 'InvalidResponse',
      });
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken !== undefined && { sessionToken: c.SessionToken }),
      ...(c.Expiration !== undefined && { expiration: c.Expiration }),
    };
  } finally {
    sts.destroy();
  }
};

/**
 * The session name for a request: `cfn-<logical id>-<request id>`, cut to STS's 64 characters,
 * so CloudTrail shows which stack request used the role.
 *
 * @example
 * ```ts
 * sessionNameFor('IdentitySource', '4f2a9c3e-1b7d-4e0a-9c8b-0123456789ab'); // 'cfn-IdentitySource-4f2a9c3e-1b7d-4e0a-9c8b-0123456789ab'
 * ```
 */
export function sessionNameFor(logicalResourceId: string, requestId: string): string {
  const clean = (text: string) => text.replace(/[^\w+=,.@-]/g, '');
  const id = clean(requestId).slice(0, 40);
  return `cfn-${clean(logicalResourceId).slice(0, 64 - 5 - id.length)}-${id}`.slice(0, 64);
}

/**
 * Clients whose calls use the role's credentials, assumed now (so a denied role fails before
 * any Verified Permissions call).
 *
 * @throws {ApiCallError} naming the role when it cannot be assumed
 */
export async function clientsForRole(
  target: { readonly region: string; readonly roleArn: string; readonly sessionName: string },
  deps: CallDependencies & { readonly assumeRole?: AssumeRole },
): Promise<ClientForRegion> {
  const assume = deps.assumeRole ?? assumeRoleWithSts;
  let credentials: Credentials;
  try {
    credentials = await call('AssumeRole', target.region, deps, (signal) => assume(target, signal));
  } catch (error) {
    if (!(error instanceof ApiCallError)) throw error;
    const cause = error.cause as { message?: string } | undefined;
    throw new ApiCallError(
      `could not assume RoleArn ${target.roleArn} in ${target.region}: ${error.errorName}${cause?.message ? `: ${cause.message}` : ''}. The role's trust policy must let the provider's function role call sts:AssumeRole, and the provider stack must list the role in its AssumableRoleArns parameter.`,
      {
        operation: 'AssumeRole',
        errorName: error.errorName,
        mayHaveTakenEffect: false,
        cause: error,
      },
    );
  }
  const clients = new Map<string, ReturnType<ClientForRegion>>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = verifiedPermissionsClient(region, credentials);
      clients.set(region, client);
    }
    return client;
  };
}
