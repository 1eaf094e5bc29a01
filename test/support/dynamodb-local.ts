/** Moved to `local/dynamodb.ts`; kept until the unit tests import it from there. */
export * from '../../local/dynamodb.js';
