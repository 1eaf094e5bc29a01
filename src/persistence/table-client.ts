/**
 * The DynamoDB client for the provider's table (idempotency records and the create journal):
 * short timeouts, so an unreachable table costs seconds, not the whole time budget.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * @example
 * ```ts
 * const client = tableClient();
 * ```
 */
export function tableClient(): DynamoDBClient {
  return new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
  });
}
