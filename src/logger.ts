/**
 * The provider's Powertools logger (JSON lines) and the log surface the other modules use.
 *
 * Correlation keys (RequestType, StackId, RequestId, LogicalResourceId, PhysicalResourceId)
 * are appended per invocation by the handler and cleared after it.
 */
import { Logger } from '@aws-lambda-powertools/logger';

/** The part of a logger the provider's modules call; Powertools' `Logger` satisfies it. */
export interface Log {
  debug(message: string, ...fields: LogFields[]): void;
  info(message: string, ...fields: LogFields[]): void;
  warn(message: string, ...fields: LogFields[]): void;
  error(message: string, ...fields: LogFields[]): void;
}

/** Structured fields of one log line. */
export type LogFields = { [key: string]: unknown };

/** The process-wide logger, service name from `POWERTOOLS_SERVICE_NAME`. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'verified-permissions-identity-source',
});
