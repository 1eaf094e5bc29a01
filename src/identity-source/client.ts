/**
 * Verified Permissions clients: one per region with the function's own credentials, made on
 * first use and kept for the process; and, for a resource with `RoleArn`, clients with that
 * role's credentials, made for one invocation only (see `assumed-role.ts`). Retries are the
 * provider's own (see `retry-policy.ts`), sized to the deadline, so the SDK makes one attempt
 * per call.
 */
import { VerifiedPermissionsClient } from '@aws-sdk/client-verifiedpermissions';

export type ClientForRegion = (region: string) => VerifiedPermissionsClient;

/** Temporary credentials, as STS hands them out. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/**
 * A client for a region, with the given credentials (default: the function's own).
 *
 * @example
 * ```ts
 * await verifiedPermissionsClient('eu-west-1').send(new GetIdentitySourceCommand(input));
 * ```
 */
export function verifiedPermissionsClient(
  region: string,
  credentials?: Credentials,
): VerifiedPermissionsClient {
  return new VerifiedPermissionsClient({
    region,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 3_000 },
    ...(credentials !== undefined && { credentials }),
  });
}

/**
 * The process's clients with the function's own credentials, one per region.
 *
 * @example
 * ```ts
 * const clientFor = verifiedPermissionsClients();
 * await clientFor('eu-west-1').send(new GetIdentitySourceCommand(input));
 * ```
 */
export function verifiedPermissionsClients(): ClientForRegion {
  const clients = new Map<string, VerifiedPermissionsClient>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = verifiedPermissionsClient(region);
      clients.set(region, client);
    }
    return client;
  };
}
