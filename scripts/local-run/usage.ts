/**
 * The `--help` text of `npm start`.
 *
 * @module
 */
import { DEFAULT_REGION, DEFAULT_TEMPLATE } from './cli-options.js';
import { SIMULATED_TYPES } from './simulated-resources.js';

/** The usage text, ending with a newline. */
export const USAGE = `Usage: npm start -- [options] [template]
       npx tsx scripts/local-run.ts [options] [template]

Runs the Custom::VerifiedPermissionsIdentitySource resources of a CloudFormation template
through the built provider (dist/handler.mjs) the way CloudFormation would: Create, Update,
Delete. Everything is local: a Verified Permissions test double, dynalite for the idempotency
table, a local S3 bucket for the pre-signed ResponseURLs, and the bundle in a Lambda-like
child process. No AWS account, no network.

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
      --no-build            use the existing dist/handler.mjs instead of building it
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
