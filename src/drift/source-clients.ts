/**
 * The Verified Permissions clients a drift check reads a source with: the function's own, or,
 * for a source with `RoleArn`, its role's, assumed once per role and region for the whole check
 * (a thousand sources behind one role make one `AssumeRole`, and a role that cannot be assumed
 * fails every source behind it without a call per source).
 */
import type { CallDependencies } from '../identity-source/api-call.js';
import { type AssumeRole, clientsForRole } from '../identity-source/assumed-role.js';
import type { ClientForRegion } from '../identity-source/client.js';

/** The clients for a source's region and role; rejects when the role cannot be assumed. */
export type ClientsForSource = (
  source: { readonly region: string; readonly roleArn?: string },
  deps: CallDependencies,
) => Promise<ClientForRegion>;

/**
 * @example
 * ```ts
 * const clientsFor = sourceClients({ own: verifiedPermissionsClients(), sessionName: 'drift-check-1' });
 * const clientFor = await clientsFor({ region: 'eu-west-1', roleArn }, deps);
 * ```
 */
export function sourceClients(options: {
  /** The function's own clients, per region. */
  readonly own: ClientForRegion;
  /** The STS session name (CloudTrail shows it). */
  readonly sessionName: string;
  readonly assumeRole?: AssumeRole;
}): ClientsForSource {
  const assumed = new Map<string, Promise<ClientForRegion>>();
  return (source, deps) => {
    if (source.roleArn === undefined) return Promise.resolve(options.own);
    const key = `${source.region} ${source.roleArn}`;
    let clients = assumed.get(key);
    if (clients === undefined) {
      clients = clientsForRole(
        { region: source.region, roleArn: source.roleArn, sessionName: options.sessionName },
        { ...deps, ...(options.assumeRole && { assumeRole: options.assumeRole }) },
      );
      assumed.set(key, clients);
    }
    return clients;
  };
}
