/**
 * The one Lambda context type of the provider: the fields of `@types/aws-lambda`'s `Context`
 * it reads. Only `getRemainingTimeInMillis` is relied on; the rest is read when present (a
 * direct invocation or a test may pass less).
 */
import type { Context } from 'aws-lambda';

export type InvocationContext = Pick<Context, 'getRemainingTimeInMillis'> &
  Partial<Pick<Context, 'awsRequestId' | 'functionName' | 'invokedFunctionArn' | 'logStreamName'>>;
