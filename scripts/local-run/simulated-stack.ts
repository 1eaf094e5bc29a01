/**
 * What the local run makes up for a stack: its account id, its pseudo parameters
 * (`AWS::Region`, `AWS::Partition`, `AWS::URLSuffix`, … from the stack's region and the SDK's
 * partition data), and stand-in values for the template's other resources, so that `Ref` and
 * `Fn::GetAtt` of them resolve without AWS. Deterministic: the same logical id in the same
 * region always gets the same ids, so a second (update) template that keeps a resource keeps its
 * values, as a real stack update would.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { type Partition, partitionOfRegion } from '../../src/partitions.js';
import { LocalRunError, type Template } from './template.js';

/** The account id of every ARN the local run makes up. */
export const LOCAL_ACCOUNT_ID = '123456789012';

/** The stack the pseudo parameters describe. */
export interface LocalStackIdentity {
  readonly region: string;
  /** `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`. */
  readonly stackId: string;
}

/**
 * The partition of a region, from the SDK's partition data.
 *
 * @throws LocalRunError when the SDK knows no partition with that region.
 */
export function partitionOf(region: string): Partition {
  const partition = partitionOfRegion(region);
  if (partition === undefined) throw new LocalRunError(`${region}: not a region of any partition`);
  return partition;
}

/**
 * The pseudo parameters `Ref` can name (`AWS::NoValue` is handled by the resolver itself).
 *
 * @example
 * pseudoParameters({ region: 'eu-west-1', stackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1' })['AWS::StackName'] // 's'
 */
export function pseudoParameters(stack: LocalStackIdentity): Record<string, string | string[]> {
  const partition = partitionOf(stack.region);
  return {
    'AWS::Region': stack.region,
    'AWS::AccountId': LOCAL_ACCOUNT_ID,
    'AWS::Partition': partition.id,
    'AWS::URLSuffix': partition.dnsSuffix,
    'AWS::StackId': stack.stackId,
    'AWS::StackName': stack.stackId.split('/')[1] ?? 'local-stack',
    'AWS::NotificationARNs': [],
  };
}

/** What `Ref` and `Fn::GetAtt` give for one simulated resource. */
export interface SimulatedResource {
  readonly type: string;
  /** The `Ref` value. */
  readonly ref: string;
  /** The `Fn::GetAtt` attributes. */
  readonly attributes: Readonly<Record<string, string>>;
}

type Simulator = (logicalId: string, region: string) => SimulatedResource;

const POLICY_STORE = 'AWS::VerifiedPermissions::PolicyStore';

const SIMULATORS: Readonly<Record<string, Simulator>> = {
  [POLICY_STORE]: (logicalId, region) => {
    const id = derivedId(`${region}/${logicalId}`, 22, ALPHANUMERIC);
    const arn = `arn:${partitionOf(region).id}:verifiedpermissions::${LOCAL_ACCOUNT_ID}:policy-store/${id}`;
    return { type: POLICY_STORE, ref: id, attributes: { PolicyStoreId: id, Arn: arn } };
  },
  'AWS::Cognito::UserPool': (logicalId, region) => {
    const id = `${region}_${derivedId(`${region}/${logicalId}`, 9, ALPHANUMERIC)}`;
    const partition = partitionOf(region);
    const providerName = `cognito-idp.${region}.${partition.dnsSuffix}/${id}`;
    return {
      type: 'AWS::Cognito::UserPool',
      ref: id,
      attributes: {
        UserPoolId: id,
        Arn: `arn:${partition.id}:cognito-idp:${region}:${LOCAL_ACCOUNT_ID}:userpool/${id}`,
        ProviderName: providerName,
        ProviderURL: `https://${providerName}`,
      },
    };
  },
  'AWS::Cognito::UserPoolClient': (logicalId, region) => {
    const id = derivedId(`${region}/${logicalId}`, 26, LOWER_ALPHANUMERIC);
    return { type: 'AWS::Cognito::UserPoolClient', ref: id, attributes: { ClientId: id } };
  },
};

/** The resource types the local run can stand in for. */
export const SIMULATED_TYPES: readonly string[] = Object.keys(SIMULATORS);

/** Whether a simulated resource is a policy store (to be added to the Verified Permissions double). */
export const isPolicyStore = (resource: SimulatedResource): boolean =>
  resource.type === POLICY_STORE;

/**
 * Values for every resource of the template whose type is in {@link SIMULATED_TYPES}; other
 * resources are left out (referring to them is an error of the resolver).
 */
export function simulateResources(
  template: Template,
  region: string,
): Record<string, SimulatedResource> {
  const simulated: Record<string, SimulatedResource> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const simulator = SIMULATORS[resource.Type];
    if (simulator) simulated[logicalId] = simulator(logicalId, region);
  }
  return simulated;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of `alphabet` derived from a hash of `seed`. */
function derivedId(seed: string, length: number, alphabet: string): string {
  const bytes = createHash('sha256').update(seed).digest();
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[(bytes[i] ?? 0) % alphabet.length];
  return id;
}
