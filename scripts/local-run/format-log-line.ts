/**
 * The function's log lines in a compact form: Powertools JSON lines become
 * `LEVEL message key=value …` without the keys every line repeats; other lines stay as they are.
 *
 * @module
 */

/** Keys Powertools or the request context put on every line. */
const COMMON_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'RequestType',
  'StackId',
  'RequestId',
  'LogicalResourceId',
  'PhysicalResourceId',
]);

/**
 * @example
 * formatLogLine('{"level":"INFO","message":"Plan","service":"x","action":"create"}') // 'INFO Plan action=create'
 */
export function formatLogLine(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof parsed !== 'object' || parsed === null || !('message' in parsed)) return line;
  const record = parsed as Record<string, unknown>;
  const extras = Object.entries(record)
    .filter(([key]) => !COMMON_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [record.level, record.message, ...extras].filter((part) => part !== undefined).join(' ');
}
