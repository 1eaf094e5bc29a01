/**
 * A stand-in for AWS STS `AssumeRole`, on the real wire protocol (AWS Query, see
 * `aws-query.ts`), for end-to-end tests of `RoleArn`. Every role may be assumed unless a test
 * denies it ({@link StsStandIn.deny}: an `AccessDenied` answer, as a trust policy or a missing
 * `sts:AssumeRole` permission gives). Each AssumeRole hands out fresh temporary credentials
 * (`ASIA…` access keys) and remembers which role, account, session name and region they were
 * for, so that another stand-in can tell which account signed a request
 * ({@link StsStandIn.accountOf}).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  escapeXml,
  type QueryCall,
  QueryError,
  type QueryService,
  startQueryService,
} from './aws-query.js';

/** Credentials the stand-in handed out. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly roleArn: string;
  /** The role's account. */
  readonly accountId: string;
  readonly sessionName: string;
  /** The region the AssumeRole was signed for. */
  readonly region: string;
  /** The access key that called AssumeRole. */
  readonly callerAccessKeyId: string;
}

export interface StsStandIn extends QueryService {
  /** Every credential handed out, oldest first. */
  readonly issued: readonly IssuedCredentials[];
  /** From now on AssumeRole of `roleArn` answers `AccessDenied`. */
  deny(roleArn: string): void;
  /** Undoes {@link deny}. */
  allow(roleArn: string): void;
  /** The account whose role `accessKeyId` was issued for; undefined when not issued here. */
  accountOf(accessKeyId: string): string | undefined;
}

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * @example
 * ```ts
 * const sts = await startSts();
 * process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
 * sts.deny('arn:aws:iam::111122223333:role/Untrusted');
 * ```
 */
export async function startSts(): Promise<StsStandIn> {
  const issued: IssuedCredentials[] = [];
  const denied = new Set<string>();

  function AssumeRole({ params, accessKeyId: caller, region }: QueryCall): string {
    const roleArn = params.RoleArn ?? '';
    const sessionName = params.RoleSessionName ?? '';
    const role = ROLE_ARN.exec(roleArn);
    if (!role) {
      throw new QueryError('ValidationError', `${roleArn} is invalid: RoleArn must be a role ARN`);
    }
    if (!SESSION_NAME.test(sessionName)) {
      throw new QueryError(
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length 2 to 64`,
      );
    }
    if (denied.has(roleArn)) {
      throw new QueryError(
        'AccessDenied',
        `User with access key ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );
    }
    const [, partition, accountId, roleName] = role as unknown as [string, string, string, string];
    const credentials = {
      accessKeyId: `ASIA${alphanumeric(16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
    };
    issued.push({
      accessKeyId: credentials.accessKeyId,
      roleArn,
      accountId,
      sessionName,
      region,
      callerAccessKeyId: caller,
    });
    const seconds = Number(params.DurationSeconds ?? 3600);
    const expiration = new Date(Date.now() + seconds * 1000).toISOString();
    return [
      '<Credentials>',
      `<AccessKeyId>${credentials.accessKeyId}</AccessKeyId>`,
      `<SecretAccessKey>${escapeXml(credentials.secretAccessKey)}</SecretAccessKey>`,
      `<SessionToken>${escapeXml(credentials.sessionToken)}</SessionToken>`,
      `<Expiration>${expiration}</Expiration>`,
      '</Credentials>',
      '<AssumedRoleUser>',
      `<Arn>arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}</Arn>`,
      `<AssumedRoleId>AROA${alphanumeric(16)}:${sessionName}</AssumedRoleId>`,
      '</AssumedRoleUser>',
    ].join('');
  }

  const service = await startQueryService({
    signingName: 'sts',
    namespace: NAMESPACE,
    actions: { AssumeRole },
  });
  return {
    ...service,
    issued,
    deny: (roleArn) => void denied.add(roleArn),
    allow: (roleArn) => void denied.delete(roleArn),
    accountOf: (accessKeyId) => issued.find((c) => c.accessKeyId === accessKeyId)?.accountId,
  };
}

function alphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}
