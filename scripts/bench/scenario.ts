/**
 * The happy-path requests the benchmark sends: one Cognito identity source per policy store,
 * created, updated (new client ids) and deleted, as CloudFormation would send them.
 *
 * @module
 */

import type { InvokeResult } from '../../local/lambda-process.js';
import type { CloudFormationResponse, LocalStack, StackRequest } from '../../local/local-stack.js';
import { cognitoProperties, USER_POOL_ARN } from '../../test/fixtures/requests.js';

/** The request types measured. */
export const REQUEST_TYPES = ['Create', 'Update', 'Delete'] as const;

/** One of {@link REQUEST_TYPES}. */
export type RequestType = (typeof REQUEST_TYPES)[number];

const LOGICAL_ID = 'IdentitySource';

const properties = (storeId: string, clientIds: readonly string[]) =>
  cognitoProperties({
    PolicyStoreId: storeId,
    Configuration: {
      CognitoUserPoolConfiguration: { UserPoolArn: USER_POOL_ARN, ClientIds: [...clientIds] },
    },
  });

/**
 * The request of `type` for the identity source in `storeId`.
 *
 * @param physicalId - the id the Create answered (Update and Delete)
 */
export function requestFor(type: RequestType, storeId: string, physicalId?: string): StackRequest {
  const created = properties(storeId, ['client-a']);
  switch (type) {
    case 'Create':
      return { RequestType: 'Create', LogicalResourceId: LOGICAL_ID, ResourceProperties: created };
    case 'Update':
      return {
        RequestType: 'Update',
        LogicalResourceId: LOGICAL_ID,
        ...(physicalId !== undefined && { PhysicalResourceId: physicalId }),
        ResourceProperties: properties(storeId, ['client-a', 'client-b']),
        OldResourceProperties: created,
      };
    case 'Delete':
      return {
        RequestType: 'Delete',
        LogicalResourceId: LOGICAL_ID,
        ...(physicalId !== undefined && { PhysicalResourceId: physicalId }),
        ResourceProperties: properties(storeId, ['client-a', 'client-b']),
      };
  }
}

/** One invocation and the response CloudFormation would have read. */
export interface Answered {
  readonly invocation: InvokeResult;
  readonly response: CloudFormationResponse;
}

/**
 * Invokes the function with `event` and reads back its response.
 *
 * @throws Error unless the invocation succeeded and the response says SUCCESS (a benchmark of
 *   failures would measure the wrong thing)
 */
export async function invokeExpectingSuccess(
  stack: LocalStack,
  event: Record<string, unknown>,
): Promise<Answered> {
  const invocation = await stack.lambda.invoke(event);
  const response = await stack.responseTo(event);
  if (invocation.error !== undefined || response?.Status !== 'SUCCESS') {
    const why = invocation.error?.errorMessage ?? response?.Reason ?? 'no response';
    throw new Error(
      `${String(event.RequestType)} did not succeed: ${why}\n${invocation.logs.join('\n')}`,
    );
  }
  return { invocation, response };
}
