/**
 * A stand-in for the CloudFormation API's `DescribeStacks` and `GetTemplate`, on the real wire
 * protocol (AWS Query, see `aws-query.ts`), for end-to-end tests of what the provider reads of a
 * stack. A test sets each stack's status, reason and root stack
 * ({@link CloudFormationApi.setStackStatus}) and the logical ids its template declares
 * ({@link CloudFormationApi.setTemplateResources}; none by default); a stack is found by its id
 * (ARN) or name, and only in the region of its ARN, as the service finds it. Through its proxy
 * it can be made slow or unreachable.
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
  setStackStatus(
    stackId: string,
    status: string,
    more?: { readonly reason?: string; readonly rootId?: string },
  ): void;
  /** The logical ids the stack's (processed) template declares. */
  setTemplateResources(stackId: string, logicalIds: readonly string[]): void;
}

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const STACK_ID = /^arn:[\w-]+:cloudformation:([\w-]+):\d{12}:stack\/([^/]+)\/[^/]+$/;

interface Stack {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly createdAt: string;
  status: string;
  reason?: string;
  rootId?: string;
  resources: readonly string[];
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

  function find({ params, region }: QueryCall): Stack[] {
    const wanted = params.StackName;
    const found = [...stacks.values()].filter(
      (s) => s.region === region && (wanted === undefined || wanted === s.id || wanted === s.name),
    );
    if (wanted !== undefined && found.length === 0) {
      throw new QueryError('ValidationError', `Stack with id ${wanted} does not exist`);
    }
    return found;
  }

  function DescribeStacks(call: QueryCall): string {
    const members = find(call).map(
      (s) =>
        `<member><StackId>${escapeXml(s.id)}</StackId><StackName>${escapeXml(s.name)}</StackName><CreationTime>${s.createdAt}</CreationTime><StackStatus>${s.status}</StackStatus>${s.reason === undefined ? '' : `<StackStatusReason>${escapeXml(s.reason)}</StackStatusReason>`}${s.rootId === undefined ? '' : `<RootId>${escapeXml(s.rootId)}</RootId>`}</member>`,
    );
    return `<Stacks>${members.join('')}</Stacks>`;
  }

  function GetTemplate(call: QueryCall): string {
    const [stack] = find(call);
    const resources = Object.fromEntries(
      (stack?.resources ?? []).map((id) => [
        id,
        { Type: 'Custom::VerifiedPermissionsIdentitySource' },
      ]),
    );
    const body = JSON.stringify({ Resources: resources });
    return `<TemplateBody>${escapeXml(body)}</TemplateBody><StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable>`;
  }

  function stackOf(stackId: string): Stack {
    const existing = stacks.get(stackId);
    if (existing) return existing;
    const match = STACK_ID.exec(stackId);
    if (!match?.[1] || !match[2]) throw new Error(`not a stack id: ${stackId}`);
    const createdAt = new Date().toISOString();
    const stack = {
      id: stackId,
      name: match[2],
      region: match[1],
      createdAt,
      status: 'CREATE_IN_PROGRESS',
      resources: [],
    };
    stacks.set(stackId, stack);
    return stack;
  }

  const service = await startQueryService({
    signingName: 'cloudformation',
    namespace: NAMESPACE,
    actions: { DescribeStacks, GetTemplate },
  });
  return {
    ...service,
    setStackStatus(stackId, status, more = {}) {
      const stack = stackOf(stackId);
      stack.status = status;
      stack.reason = more.reason;
      stack.rootId = more.rootId;
    },
    setTemplateResources(stackId, logicalIds) {
      stackOf(stackId).resources = [...logicalIds];
    },
  };
}
