/**
 * A throw-away certificate authority and one server certificate for chosen host names, made with
 * `openssl` at test time (Node's crypto makes keys but no certificates), so a local TLS server can
 * answer as `cloudformation-custom-resource-response-….s3.<region>.<dnsSuffix>` and a client that
 * trusts the CA (`NODE_EXTRA_CA_CERTS`) checks it as it checks S3's certificate. Valid for one day;
 * the keys never leave the temporary directory that {@link TestCertificates.remove} deletes.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The CA and the server certificate. */
export interface TestCertificates {
  /** The CA certificate's file (PEM): what `NODE_EXTRA_CA_CERTS` names. */
  readonly caFile: string;
  /** The server's private key and certificate (PEM), for `tls.createSecureContext`. */
  readonly key: string;
  readonly cert: string;
  /** Deletes the directory with the keys. */
  remove(): Promise<void>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Issues a CA and a server certificate whose subject alternative names are exactly `hostNames`.
 *
 * @throws Error naming the package to install when `openssl` is not on PATH.
 * @example
 * ```ts
 * const certificates = await issueTestCertificates(['bucket.s3.eu-west-1.amazonaws.com']);
 * tls.createServer({ key: certificates.key, cert: certificates.cert });
 * ```
 */
export async function issueTestCertificates(
  hostNames: readonly string[],
): Promise<TestCertificates> {
  const directory = await mkdtemp(join(tmpdir(), 'test-certificates-'));
  const file = (name: string) => join(directory, name);
  try {
    await openssl([
      'req',
      '-x509',
      ...EC_KEY,
      '-days',
      '1',
      '-subj',
      '/CN=Local test CA (identity-source provider tests)',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
    ]);
    await openssl([
      'req',
      ...EC_KEY,
      '-subj',
      '/CN=local response host',
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
    ]);
    await writeFile(
      file('server.ext'),
      [
        `subjectAltName=${hostNames.map((name) => `DNS:${name}`).join(',')}`,
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
      ].join('\n'),
    );
    await openssl([
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      '1',
      '-days',
      '1',
      '-extfile',
      file('server.ext'),
      '-out',
      file('server.pem'),
    ]);
    return {
      caFile: file('ca.pem'),
      key: await readFile(file('server.key'), 'utf8'),
      cert: await readFile(file('server.pem'), 'utf8'),
      remove: () => rm(directory, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await promisify(execFile)('openssl', args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'openssl is not on PATH; the TLS tests need it: apt-get install openssl (or brew install openssl)',
      );
    }
    throw error;
  }
}
