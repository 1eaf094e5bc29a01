/**
 * The pseudo parameters (`AWS::Region`, `AWS::AccountId`, …) of a local stack.
 *
 * @module
 */

/** The account id of every ARN the local run makes up. */
export const LOCAL_ACCOUNT_ID = '123456789012';

/** The stack the pseudo parameters describe. */
export interface LocalStackIdentity {
  readonly region: string;
  /** `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`. */
  readonly stackId: string;
}

/** The partition of a region: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, else `aws`. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
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
    'AWS::Partition': partition,
    'AWS::URLSuffix': partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
    'AWS::StackId': stack.stackId,
    'AWS::StackName': stack.stackId.split('/')[1] ?? 'local-stack',
    'AWS::NotificationARNs': [],
  };
}
