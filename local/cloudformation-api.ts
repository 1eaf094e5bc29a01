/**
 * A stand-in for the CloudFormation API's `DescribeStacks`, on the real wire protocol (AWS
 * Query, see `aws-query.ts`), for end-to-end tests of what the provider does during a
 * rollback. A test sets each stack's status ({@link CloudFormationApi.setStackStatus}); a stack
 * is found by its id (ARN) or name, and only in the region of its ARN, as the service finds it.
 * Through its proxy it can be made slow or unreachable.
 *
 * @module
 */
import {
  escapeXml,
  type QueryCall,
  QueryError,
  type QueryService,
  startQueryService,
} from './aws-query.js';

export interface CloudFormationApi extends QueryService {
  /** Sets (or adds) the stack with this id (`arn:…:cloudformation:<region>:<account>:stack/<name>/<uuid>`). */
  setStackStatus(stackId: string, status: string): void;
}

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const STACK_ID = /^arn:[\w-]+:cloudformation:([\w-]+):\d{12}:stack\/([^/]+)\/[^/]+$/;

interface Stack {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly createdAt: string;
  status: string;
}

/**
 * @example
 * ```ts
 * const cloudFormation = await startCloudFormationApi();
 * cloudFormation.setStackStatus(stackId, 'UPDATE_ROLLBACK_IN_PROGRESS');
 * ```
 */
export async function startCloudFormationApi(): Promise<CloudFormationApi> {
  const stacks = new Map<string, Stack>();

  function DescribeStacks({ params, region }: QueryCall): string {
    const wanted = params.StackName;
    const found = [...stacks.values()].filter(
      (s) => s.region === region && (wanted === undefined || wanted === s.id || wanted === s.name),
    );
    if (wanted !== undefined && found.length === 0) {
      throw new QueryError('ValidationError', `Stack with id ${wanted} does not exist`);
    }
    const members = found.map(
      (s) =>
        `<member><StackId>${escapeXml(s.id)}</StackId><StackName>${escapeXml(s.name)}</StackName><CreationTime>${s.createdAt}</CreationTime><StackStatus>${s.status}</StackStatus></member>`,
    );
    return `<Stacks>${members.join('')}</Stacks>`;
  }

  const service = await startQueryService({
    signingName: 'cloudformation',
    namespace: NAMESPACE,
    actions: { DescribeStacks },
  });
  return {
    ...service,
    setStackStatus(stackId, status) {
      const existing = stacks.get(stackId);
      if (existing) {
        existing.status = status;
        return;
      }
      const match = STACK_ID.exec(stackId);
      if (!match?.[1] || !match[2]) throw new Error(`not a stack id: ${stackId}`);
      const createdAt = new Date().toISOString();
      stacks.set(stackId, { id: stackId, name: match[2], region: match[1], createdAt, status });
    },
  };
}
