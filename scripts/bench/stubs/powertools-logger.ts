/**
 * Measurement-only stand-in for `@aws-lambda-powertools/logger`, used by the benchmark's
 * `no-powertools` build variant through esbuild `alias`: a minimal JSON-lines logger with the
 * methods the provider calls, to show what the package costs at import. Never part of a
 * deployable build.
 *
 * @module
 */

type Fields = Record<string, unknown>;

/** JSON lines on stdout, with persistent keys and the Lambda context. */
export class Logger {
  #keys: Fields = {};
  #context: Fields = {};
  readonly #service: unknown;

  constructor(options: { serviceName?: string } = {}) {
    this.#service = options.serviceName;
  }

  addContext(context: { awsRequestId?: string; functionName?: string }): void {
    this.#context = {
      function_request_id: context.awsRequestId,
      function_name: context.functionName,
    };
  }

  appendKeys(keys: Fields): void {
    Object.assign(this.#keys, keys);
  }

  resetKeys(): void {
    this.#keys = {};
  }

  debug(message: string, ...fields: Fields[]): void {
    this.#write('DEBUG', message, fields);
  }

  info(message: string, ...fields: Fields[]): void {
    this.#write('INFO', message, fields);
  }

  warn(message: string, ...fields: Fields[]): void {
    this.#write('WARN', message, fields);
  }

  error(message: string, ...fields: Fields[]): void {
    this.#write('ERROR', message, fields);
  }

  #write(level: string, message: string, fields: Fields[]): void {
    const line = {
      level,
      message,
      service: this.#service,
      timestamp: new Date().toISOString(),
      ...this.#context,
      ...this.#keys,
      ...Object.assign({}, ...fields),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}
