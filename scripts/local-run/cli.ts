/**
 * The command line of `npm start` (`scripts/local-run.ts`): its options, parsed, and its
 * `--help` text.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { partitionOfRegion } from '../../src/partitions.js';
import { SIMULATED_TYPES } from './simulated-stack.js';
import { LocalRunError } from './template.js';

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
 *   without `=`, or a region the SDK's partition data does not know.
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
  if (partitionOfRegion(region) === undefined) {
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

/** The usage text, ending with a newline. */
export const USAGE = `Usage: npm start -- [options] [template]
       npx tsx scripts/local-run.ts [options] [template]

Runs the Custom::VerifiedPermissionsIdentitySource resources of a CloudFormation template
through the built provider (dist/handler.mjs) the way CloudFormation would: Create, Update,
Delete. Before the Delete, one identity source is changed behind the stack's back and the
drift check (dist/drift.mjs) runs once: its result and the events it put on the bus are in
the report. Everything is local: a Verified Permissions test double, dynalite for the
idempotency table, a local S3 bucket for the pre-signed ResponseURLs, an EventBridge stand-in,
and the bundles in Lambda-like child processes. No AWS account, no network.

Options
  -t, --template <file>     the template to create (default ${DEFAULT_TEMPLATE})
  -u, --update <file>       the template for the Update step (default: <name>-update.yaml
                            beside the template, if that file exists)
  -s, --set <path=value>    change a property for the Update step (repeatable; applied on
                            top of the update template, or of the template itself). The path
                            is below Properties; start it with the logical id when the
                            template has several custom resources. The value is JSON, or
                            else plain text; it may hold intrinsics, e.g. {"Ref":"UserPool"}.
  -p, --param <name=value>  a template parameter (repeatable); lists comma-separated
  -r, --region <region>     the stack's and the function's region (default ${DEFAULT_REGION})
      --json                print one JSON document with every step instead of text
      --logs                show the function's own log lines
      --expect-failure      succeed only if some response is FAILED
      --no-build            use the existing dist/ bundles instead of building them
  -h, --help                this text

What it resolves
  Ref to parameters (--param, else Default) and pseudo parameters (AWS::Region, ::AccountId
  123456789012, ::Partition, ::URLSuffix, ::StackName, ::StackId, ::NoValue); Fn::Sub,
  Fn::Join, Fn::Select, Fn::Split; Ref and Fn::GetAtt of these resource types, simulated
  with deterministic ids (the same in the update template):
${SIMULATED_TYPES.map((type) => `    ${type}`).join('\n')}
  A policy store resource is added to the double in the stack's region; a PolicyStoreId
  from anywhere else (a parameter) stands for an existing store and is added in the
  resource's Region. Fn::ImportValue is allowed only for ServiceToken (a stand-in function
  ARN; the handler ignores it). Anything else referenced is an error.

What it sends
  Create for each custom resource; on the Update, Update for those whose resolved
  properties changed (none if nothing changed), Create/Delete for added/removed ones, and a
  cleanup Delete of the old physical id when an Update answers a new one (replacement);
  then Delete for everything left. A failed Create or Update is rolled back as CloudFormation
  would. Each request shows its resolved properties, the Verified Permissions calls it caused
  (operation, key fields, signing region) and the response CloudFormation would read back.
  Progress goes to stderr.

Exit status
  0  every response SUCCESS (with --expect-failure: at least one FAILED)
  1  otherwise (a FAILED or missing response, or an error while running)
  2  a usage or template error (nothing was started)

Examples
  npm start
  npm start -- examples/oidc.yaml --param Issuer=https://auth.example.com \\
    --param Audiences=https://api.example.com --set PrincipalEntityType=MyApp::Person
  npm start -- examples/cross-region.yaml --param PolicyStoreRegion=ap-southeast-2 \\
    --param PolicyStoreId=PSEXAMPLEabcdefg111111 --param ClientIds=client-a,client-b \\
    --param UserPoolArn=arn:aws:cognito-idp:ap-southeast-2:123456789012:userpool/ap-southeast-2_AbCdEf123 \\
    --set 'Configuration.CognitoUserPoolConfiguration.ClientIds=["client-a"]'
  npm start --silent -- --json | jq '.steps[] | [.requestType, .response.Status]'

A real account
  This command never calls AWS, and has no switch to do so: the simulated resources (policy
  store, user pool, client) would have to exist for real. To drive the real service, deploy
  the provider (sam build && sam deploy) and the example with aws cloudformation deploy, as
  the comments at the top of each example template show.
`;
