/**
 * The CloudFormation custom-resource request event: its types and a parser that never throws.
 *
 * CloudFormation sends every scalar resource property as a string; this module keeps
 * `ResourceProperties` as they came and leaves their meaning to the resource.
 */

/** The three request types CloudFormation sends to a custom resource. */
export type RequestType = 'Create' | 'Update' | 'Delete';

/** Property bag as CloudFormation delivers it: a JSON object, scalars as strings. */
export type RawProperties = Readonly<Record<string, unknown>>;

/** A well-formed custom-resource request. */
export interface CustomResourceRequest {
  readonly requestType: RequestType;
  readonly responseUrl: string;
  readonly stackId: string;
  readonly requestId: string;
  readonly resourceType: string;
  readonly logicalResourceId: string;
  /** Present on Update and Delete. */
  readonly physicalResourceId?: string;
  readonly resourceProperties: RawProperties;
  /** Present on Update. */
  readonly oldResourceProperties?: RawProperties;
  /** `ServiceTimeout` (seconds) when the template sets it: CloudFormation waits no longer. */
  readonly serviceTimeoutSeconds?: number;
}

/** What can be echoed back to CloudFormation from an event that is not a valid request. */
export interface RequestEcho {
  readonly responseUrl?: string;
  readonly stackId: string;
  readonly requestId: string;
  readonly logicalResourceId: string;
  readonly physicalResourceId?: string;
  readonly requestType?: string;
}

export type ParsedRequest =
  | { readonly ok: true; readonly request: CustomResourceRequest }
  | { readonly ok: false; readonly echo: RequestEcho; readonly problems: readonly string[] };

/** Longest identifier echoed back; CloudFormation's own are far shorter (physical ids ≤ 1 KB). */
export const MAX_ECHOED_FIELD_BYTES = 800;

const REQUEST_TYPES: readonly string[] = ['Create', 'Update', 'Delete'];

/**
 * Parses a Lambda event as a custom-resource request.
 *
 * @example
 * ```ts
 * const parsed = parseRequest(event);
 * if (!parsed.ok) console.error(parsed.problems.join('; '));
 * ```
 */
export function parseRequest(event: unknown): ParsedRequest {
  const problems: string[] = [];
  const fields = isPlainObject(event) ? event : {};
  if (!isPlainObject(event)) problems.push('event: must be a JSON object');

  const text = (name: string, required: boolean): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === null) {
      if (required) problems.push(`${name}: is required`);
      return undefined;
    }
    if (typeof value !== 'string' || value.length === 0) {
      problems.push(`${name}: must be a non-empty string`);
      return undefined;
    }
    if (jsonBytes(value) > MAX_ECHOED_FIELD_BYTES) {
      problems.push(`${name}: must be at most ${MAX_ECHOED_FIELD_BYTES} bytes (JSON-encoded)`);
      return undefined;
    }
    return value;
  };

  const requestType = text('RequestType', true);
  if (requestType !== undefined && !REQUEST_TYPES.includes(requestType)) {
    problems.push(
      `RequestType: must be one of Create, Update, Delete (got ${JSON.stringify(requestType.slice(0, 40))})`,
    );
  }
  const responseUrl = rawResponseUrl(fields.ResponseURL);
  if (responseUrl === undefined) problems.push('ResponseURL: must be a URL string');
  const stackId = text('StackId', true);
  const requestId = text('RequestId', true);
  const logicalResourceId = text('LogicalResourceId', true);
  const resourceType = text('ResourceType', true);
  const needsPhysicalId = requestType === 'Update' || requestType === 'Delete';
  const physicalResourceId = text('PhysicalResourceId', needsPhysicalId);

  const resourceProperties = fields.ResourceProperties ?? {};
  if (!isPlainObject(resourceProperties)) problems.push('ResourceProperties: must be an object');
  const oldResourceProperties = fields.OldResourceProperties;
  if (requestType === 'Update' && !isPlainObject(oldResourceProperties)) {
    problems.push('OldResourceProperties: must be an object on Update');
  }
  const serviceTimeoutSeconds = isPlainObject(resourceProperties)
    ? parseServiceTimeout(resourceProperties.ServiceTimeout, problems)
    : undefined;

  if (problems.length > 0) {
    return {
      ok: false,
      problems,
      echo: {
        ...(responseUrl !== undefined && { responseUrl }),
        stackId: echoable(fields.StackId),
        requestId: echoable(fields.RequestId),
        logicalResourceId: echoable(fields.LogicalResourceId),
        ...(physicalResourceId !== undefined && { physicalResourceId }),
        ...(requestType !== undefined && { requestType }),
      },
    };
  }
  return {
    ok: true,
    request: {
      requestType: requestType as RequestType,
      responseUrl: responseUrl as string,
      stackId: stackId as string,
      requestId: requestId as string,
      resourceType: resourceType as string,
      logicalResourceId: logicalResourceId as string,
      ...(physicalResourceId !== undefined && { physicalResourceId }),
      resourceProperties: resourceProperties as RawProperties,
      ...(requestType === 'Update' && {
        oldResourceProperties: oldResourceProperties as RawProperties,
      }),
      ...(serviceTimeoutSeconds !== undefined && { serviceTimeoutSeconds }),
    },
  };
}

/** True for `{...}` objects (not arrays, not null). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rawResponseUrl(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 8192 ? value : undefined;
}

function parseServiceTimeout(value: unknown, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  const seconds = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'string' && !/^\d+$/.test(value)) {
    problems.push('ServiceTimeout: must be a whole number of seconds from 1 to 3600');
    return undefined;
  }
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    problems.push('ServiceTimeout: must be a whole number of seconds from 1 to 3600');
    return undefined;
  }
  return seconds;
}

/** Size of a string once written into the JSON response. */
function jsonBytes(value: string): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** A field echoed back on a malformed request: a string cut to the echo limit, else empty. */
function echoable(value: unknown): string {
  if (typeof value !== 'string') return '';
  if (jsonBytes(value) <= MAX_ECHOED_FIELD_BYTES) return value;
  let cut = value.slice(0, MAX_ECHOED_FIELD_BYTES);
  while (jsonBytes(cut) > MAX_ECHOED_FIELD_BYTES) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  return cut;
}
