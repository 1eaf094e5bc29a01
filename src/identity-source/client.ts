/**
 * One Verified Permissions client per region, made on first use. Retries are the provider's
 * own (see `retry-policy.ts`), sized to the deadline, so the SDK makes one attempt per call.
 */
import { VerifiedPermissionsClient } from '@aws-sdk/client-verifiedpermissions';

export type ClientForRegion = (region: string) => VerifiedPermissionsClient;

/**
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
      client = new VerifiedPermissionsClient({
        region,
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 3_000 },
      });
      clients.set(region, client);
    }
    return client;
  };
}
