/**
 * What the provider under exploration talks to, as the exploration hands it over for one
 * invocation: every port is already wrapped with the invocation's kill switch and the story's
 * step counter (see `world.ts`), so the adapter (`provider-under-test.ts`) only wires them in.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { VerifiedPermissionsClient } from '@aws-sdk/client-verifiedpermissions';

/** A stack as CloudFormation `DescribeStacks` reports it. */
export interface StackDescription {
  readonly stackStatus: string;
  readonly stackStatusReason?: string;
  /** The root stack's id, for a nested stack. */
  readonly rootId?: string;
  /** The parent stack's id, for a nested stack. */
  readonly parentId?: string;
}

/** The template a stack is moving to, as CloudFormation `GetTemplate` reports it. */
export interface StackTemplate {
  readonly resources: Readonly<Record<string, { readonly type: string }>>;
}

/**
 * The ports of one invocation.
 *
 * @example
 * ```ts
 * const invoke = makeInvocation(ports);
 * await invoke(event, context);
 * ```
 */
export interface InvocationPorts {
  /** The function's own region (`AWS_REGION`). */
  readonly functionRegion: string;
  /** A Verified Permissions client for a region (real SDK client, gated `send`). */
  readonly verifiedPermissions: (region: string) => VerifiedPermissionsClient;
  /** A DynamoDB client (real SDK client on dynalite, gated request handler). */
  readonly dynamodb: DynamoDBClient;
  /** The provider's table (idempotency records, journal, ownership). */
  readonly tableName: string;
  /** The PUT of the answer to the pre-signed ResponseURL: what CloudFormation reads. */
  readonly putResponse: (url: string, body: string) => Promise<{ readonly statusCode: number }>;
  /** CloudFormation `DescribeStacks` of one stack; rejects when it cannot be read. */
  readonly describeStack: (stackId: string) => Promise<StackDescription>;
  /** CloudFormation `GetTemplate` of one stack (the template it is moving to). */
  readonly getTemplate: (stackId: string) => Promise<StackTemplate>;
  /** A wait: advances virtual time, never real time. */
  readonly sleep: (ms: number) => Promise<void>;
}

/** One Lambda invocation of the provider: resolves when the handler returns, rejects when it throws. */
export type Invocation = (event: unknown, context: LambdaContext) => Promise<void>;

/** The Lambda context the exploration hands each invocation. */
export interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly logStreamName: string;
  getRemainingTimeInMillis(): number;
}
