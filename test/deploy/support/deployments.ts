/**
 * template.yaml's parameters as two typical deployments give them: without cross-account roles
 * (the default: drift checked daily, reported only) and with two, FIPS endpoints on, drift
 * repaired and no schedule. Lists are arrays, as CloudFormation resolves
 * a CommaDelimitedList; {@link samParameters} gives SAM's form.
 */
export type DeploymentParameters = Readonly<Record<string, string | readonly string[]>>;

export const NO_ROLES: DeploymentParameters = { AssumableRoleArns: [''], UseFipsEndpoint: 'false' };

export const TWO_ROLES: DeploymentParameters = {
  AssumableRoleArns: [
    'arn:aws:iam::111122223333:role/avp-identity-sources',
    'arn:aws:iam::444455556666:role/team/avp-identity-sources',
  ],
  UseFipsEndpoint: 'true',
  DriftCheckSchedule: '',
  DriftRepair: 'true',
};

/** The values as `sam deploy --parameter-overrides` passes them: lists comma-joined. */
export function samParameters(parameters: DeploymentParameters): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parameters).map(([k, v]) => [k, typeof v === 'string' ? v : v.join(',')]),
  );
}
