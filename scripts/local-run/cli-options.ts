/**
 * The command line of `npm start` (`scripts/local-run.ts`), parsed.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { LocalRunError } from './local-run-error.js';

/** The template used when none is named. */
export const DEFAULT_TEMPLATE = 'examples/cognito.yaml';

/** The stack's region when none is named (the local stack's default). */
export const DEFAULT_REGION = 'eu-west-1';

/** What the command line asks for. */
export interface CliOptions {
  readonly help: boolean;
  readonly template: string;
  /** Explicit `--update`; undefined = the default (see the usage text). */
  readonly update: string | undefined;
  /** `--set` texts, in order. */
  readonly set: readonly string[];
  /** `--param` values by name. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly region: string;
  readonly json: boolean;
  readonly logs: boolean;
  readonly expectFailure: boolean;
  readonly build: boolean;
}

/**
 * Parses the arguments after the script name.
 *
 * @throws LocalRunError for unknown options, a missing value, two templates, a `--param`
 *   without `=`, or a malformed region.
 */
export function parseCliOptions(args: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new LocalRunError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1 || (positionals.length === 1 && values.template !== undefined)) {
    throw new LocalRunError('name one template (--template or a single argument)');
  }
  const parameters: Record<string, string> = {};
  for (const text of values.param ?? []) {
    const at = text.indexOf('=');
    if (at <= 0) throw new LocalRunError(`--param ${text}: expected Name=value`);
    parameters[text.slice(0, at)] = text.slice(at + 1);
  }
  const region = values.region ?? DEFAULT_REGION;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new LocalRunError(`--region ${region}: not a region name (e.g. eu-west-1)`);
  }
  return {
    help: values.help ?? false,
    template: values.template ?? positionals[0] ?? DEFAULT_TEMPLATE,
    update: values.update,
    set: values.set ?? [],
    parameters,
    region,
    json: values.json ?? false,
    logs: values.logs ?? false,
    expectFailure: values['expect-failure'] ?? false,
    build: !(values['no-build'] ?? false),
  };
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      template: { type: 'string', short: 't' },
      update: { type: 'string', short: 'u' },
      set: { type: 'string', short: 's', multiple: true },
      param: { type: 'string', short: 'p', multiple: true },
      region: { type: 'string', short: 'r' },
      json: { type: 'boolean' },
      logs: { type: 'boolean' },
      'expect-failure': { type: 'boolean' },
      'no-build': { type: 'boolean' },
    },
  });
}
