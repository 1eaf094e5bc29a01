/**
 * template.yaml's parameters as two typical deployments give them: without cross-account roles
 * (the defaults otherwise: drift checked daily, reported only) and with two, FIPS endpoints on,
 * drift repaired and no schedule, and what an operator of a managed account sets: a permissions
 * boundary, active X-Ray tracing, other log levels. Lists are arrays, as CloudFormation resolves
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
  PermissionsBoundary: 'arn:aws:iam::111122223333:policy/team/workload-boundary',
  Tracing: 'Active',
  LogLevel: 'DEBUG',
  SystemLogLevel: 'INFO',
};

/** The values as `sam deploy --parameter-overrides` passes them: lists comma-joined. */
export function samParameters(parameters: DeploymentParameters): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parameters).map(([k, v]) => [k, typeof v === 'string' ? v : v.join(',')]),
  );
}
