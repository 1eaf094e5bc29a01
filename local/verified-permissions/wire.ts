/**
 * The AWS JSON 1.0 wire protocol, as the AWS SDK v3 sends and parses it:
 * - requests: `POST /`, `X-Amz-Target: <targetPrefix>.<Operation>`,
 *   `Content-Type: application/x-amz-json-1.0`, SigV4 `Authorization` header (the signature itself
 *   is not checked; the credential's access key and its scope's region and service are read);
 * - responses: JSON; timestamps as ISO 8601 strings, because the model gives `TimestampFormat`
 *   the `iso8601` format and the SDK parses those members with an RFC 3339 parser that rejects
 *   numbers (epoch seconds are only the protocol's default when no format is given);
 * - errors: header `x-amzn-errortype: <Name>`, body `{"__type":"<Name>","message":…}` plus the
 *   error's members, HTTP status from the error's `@httpError` code in the service's Smithy model
 *   (as compiled into the SDK).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** HTTP status of each error, from the `@httpError` traits of the service's Smithy model. */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  MissingAuthenticationTokenException: 403,
  InvalidSignatureException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
};

/** An error answer, thrown inside the operation handlers and turned into an HTTP response. */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly members: Record<string, unknown> = {},
    readonly status: number = ERROR_STATUS[type] ?? 400,
  ) {
    super(message);
  }
}

/** What a request says about itself before its body is looked at. */
export interface RequestHead {
  /** The operation named by `X-Amz-Target` after `<targetPrefix>.`; undefined otherwise. */
  readonly operation: string | undefined;
  /** The raw `X-Amz-Target` header. */
  readonly target: string | undefined;
  /** The SigV4 credential and its scope; undefined when the request is not signed. */
  readonly scope: SigningCredential | undefined;
}

/** Reads the operation and the credential scope of a request. */
export function requestHead(req: IncomingMessage, targetPrefix: string): RequestHead {
  const raw = req.headers['x-amz-target'];
  const target = typeof raw === 'string' ? raw : undefined;
  const prefix = `${targetPrefix}.`;
  return {
    operation: target?.startsWith(prefix) ? target.slice(prefix.length) : undefined,
    target,
    scope: parseCredentialScope(req.headers.authorization),
  };
}

/** Who signed a request and for what: `Credential=<access key>/<date>/<region>/<service>/aws4_request`. */
export interface SigningCredential {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

/** Reads the access key, region and service of a SigV4 `Authorization` header's credential. */
export function parseCredentialScope(
  authorization: string | undefined,
): SigningCredential | undefined {
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
    authorization ?? '',
  );
  return match?.[1] && match[2] && match[3]
    ? { accessKeyId: match[1], region: match[2], service: match[3] }
    : undefined;
}

/** The request body parsed as JSON: `{}` when empty, undefined when it is not JSON. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  try {
    return raw.length === 0 ? {} : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Writes one JSON answer; an `errorType` makes it an error answer. */
export function answer(
  res: ServerResponse,
  status: number,
  body: unknown,
  errorType?: string,
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  res.end(payload);
}

/** The body of an error answer: `__type`, `message` and the error's members. */
export function errorBody(error: ServiceError): Record<string, unknown> {
  return { __type: error.type, message: error.message, ...error.members };
}
