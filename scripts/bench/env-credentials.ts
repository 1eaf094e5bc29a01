/**
 * A stand-in for `@aws-sdk/credential-provider-node` that reads credentials from the
 * environment only, used by the benchmark's `env-credentials` build variant (esbuild `alias`).
 *
 * On Lambda the execution role's credentials are always in `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, so the rest of the default chain (SSO, INI
 * files, `credential_process`, web identity, container and instance metadata, with the STS, SSO
 * and sign-in clients they bring) is dead weight in the bundle. This module measures what it
 * costs; it has the same exports as the package so that every importer still links.
 *
 * @module
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentity } from '@smithy/types';

/** Same signature as the package's `defaultProvider`: credentials from the environment. */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);

/** As in the package: credentials with an expiry may need refreshing. */
export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity): boolean =>
  credentials.expiration !== undefined;

/** As in the package: credentials expiring within five minutes count as expired. */
export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity): boolean =>
  credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
