/**
 * template.yaml, the provider stack: least-privilege IAM, the idempotency table, logging,
 * parameters, timeout and outputs, as CONTRACT.md and the README promise them.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { type CfnResource, loadTemplate, PROVIDER_TEMPLATE } from './support/templates.js';

const template = await loadTemplate(PROVIDER_TEMPLATE);
const functions = Object.entries(template.Resources).filter(
  ([, r]) => r.Type === 'AWS::Serverless::Function',
);
const [functionId, fn] = functions[0] ?? [];
const props = (fn?.Properties ?? {}) as Record<string, unknown>;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The inline policy statements of the function (every Policies entry must be a document). */
function statements(): Statement[] {
  const policies = props.Policies;
  expect(Array.isArray(policies), 'Policies is a list').toBe(true);
  return (policies as unknown[]).flatMap((policy) => {
    expect(policy, 'only inline policy documents (no managed policy names)').toBeTypeOf('object');
    const document = policy as Record<string, unknown>;
    // A SAM policy template is `{ DynamoDBCrudPolicy: {...} }`; a document has Statement.
    expect(Object.keys(document).sort(), 'a policy document, not a SAM policy template').toEqual(
      expect.arrayContaining(['Statement']),
    );
    expect(Object.keys(document).every((k) => k === 'Statement' || k === 'Version')).toBe(true);
    return document.Statement as Statement[];
  });
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

const VERIFIED_PERMISSIONS_ACTIONS = [
  'verifiedpermissions:CreateIdentitySource',
  'verifiedpermissions:DeleteIdentitySource',
  'verifiedpermissions:GetIdentitySource',
  'verifiedpermissions:UpdateIdentitySource',
];
const COGNITO_ACTIONS = ['cognito-idp:DescribeUserPool', 'cognito-idp:ListUserPoolClients'];
const DYNAMODB_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

describe('the provider function', () => {
  it('is the one function of the template', () => {
    expect(functions.map(([id]) => id)).toEqual(['Function']);
  });

  it('runs Node.js 22 on arm64 from the bundled handler', () => {
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.Handler).toBe('handler.handler');
    expect(props.CodeUri).toBe('.');
  });

  it('has a timeout that rides out throttling yet stays far inside the 1 h deadline', () => {
    expect(props.Timeout).toBeTypeOf('number');
    expect(props.Timeout as number).toBeGreaterThanOrEqual(120);
    expect(props.Timeout as number).toBeLessThanOrEqual(900); // Lambda's maximum
    expect(props.MemorySize).toBeTypeOf('number');
  });

  it('gets its settings from the environment the contract names', () => {
    const variables = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toEqual({
      IDEMPOTENCY_TABLE_NAME: { Ref: 'IdempotencyTable' },
      POWERTOOLS_SERVICE_NAME: expect.any(String),
      POWERTOOLS_LOG_LEVEL: { Ref: 'LogLevel' },
      NODE_OPTIONS: '--enable-source-maps',
    });
  });
});

describe('IAM', () => {
  it('allows exactly the expected actions', () => {
    const actions = statements().flatMap(actionsOf).sort();
    expect(actions).toEqual(
      [...VERIFIED_PERMISSIONS_ACTIONS, ...COGNITO_ACTIONS, ...DYNAMODB_ACTIONS].sort(),
    );
  });

  it('only allows, and names no wildcard action', () => {
    for (const statement of statements()) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      expect(statement).not.toHaveProperty('NotAction');
      expect(statement).not.toHaveProperty('NotResource');
    }
  });

  it('scopes each service to its resources', () => {
    const resourceFor = (action: string): unknown[] =>
      statements()
        .filter((s) => actionsOf(s).includes(action))
        .map((s) => s.Resource);
    for (const action of VERIFIED_PERMISSIONS_ACTIONS) {
      expect(resourceFor(action), action).toEqual([
        // Policy-store ARNs have no region, so this covers the Region property too.
        {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
          'Fn::Sub': 'arn:${AWS::Partition}:verifiedpermissions::${AWS::AccountId}:policy-store/*',
        },
      ]);
    }
    for (const action of COGNITO_ACTIONS) {
      expect(resourceFor(action), action).toEqual([
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
        { 'Fn::Sub': 'arn:${AWS::Partition}:cognito-idp:*:${AWS::AccountId}:userpool/*' },
      ]);
    }
    for (const action of DYNAMODB_ACTIONS) {
      expect(resourceFor(action), action).toEqual([{ 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] }]);
    }
  });

  it('covers exactly the DynamoDB commands of the Powertools idempotency persistence layer', async () => {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@aws-lambda-powertools/idempotency');
    const file = main.replace(
      /lib[\\/](esm|cjs)[\\/].*$/,
      'lib/esm/persistence/DynamoDBPersistenceLayer.js',
    );
    const source = await readFile(file, 'utf8');
    const imports = /import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-dynamodb'/.exec(source);
    expect(imports, 'the persistence layer imports from @aws-sdk/client-dynamodb').not.toBeNull();
    const commands = imports![1]!
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name.endsWith('Command'))
      .map((name) => `dynamodb:${name.slice(0, -'Command'.length)}`)
      .sort();
    expect(commands).toEqual(DYNAMODB_ACTIONS);
  });
});

describe('the idempotency table', () => {
  const table = template.Resources.IdempotencyTable as CfnResource;
  const p = (table?.Properties ?? {}) as Record<string, unknown>;

  it('is an on-demand DynamoDB table keyed by id with TTL on expiration', () => {
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(p.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'expiration', Enabled: true });
  });

  it('is encrypted at rest and has no fixed name', () => {
    expect(p.SSESpecification).toEqual({ SSEEnabled: true });
    expect(p).not.toHaveProperty('TableName');
  });
});

describe('logging', () => {
  it('keeps the function logs for LogRetentionInDays in a log group named after the function', () => {
    const groups = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Logs::LogGroup',
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]?.Properties).toEqual({
      LogGroupName: { 'Fn::Sub': `/aws/lambda/\${${functionId}}` },
      RetentionInDays: { Ref: 'LogRetentionInDays' },
    });
  });
});

describe('parameters', () => {
  it('LogLevel is one of the Powertools levels, INFO by default', () => {
    expect(template.Parameters?.LogLevel).toMatchObject({
      Type: 'String',
      Default: 'INFO',
      AllowedValues: ['DEBUG', 'INFO', 'WARN', 'ERROR'],
    });
  });

  it('LogRetentionInDays is one of the CloudWatch Logs retention values, 30 by default', () => {
    expect(template.Parameters?.LogRetentionInDays).toMatchObject({
      Type: 'Number',
      Default: 30,
      AllowedValues: [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
        3288, 3653,
      ],
    });
  });

  it('are the only parameters', () => {
    expect(Object.keys(template.Parameters ?? {}).sort()).toEqual([
      'LogLevel',
      'LogRetentionInDays',
    ]);
  });
});

describe('outputs', () => {
  it('export the ServiceToken under <stack name>-ServiceToken', () => {
    expect(template.Outputs?.ServiceToken).toMatchObject({
      Value: { 'Fn::GetAtt': [functionId, 'Arn'] },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      Export: { Name: { 'Fn::Sub': '${AWS::StackName}-ServiceToken' } },
    });
  });

  it('name the idempotency table', () => {
    expect(template.Outputs?.IdempotencyTableName).toMatchObject({
      Value: { Ref: 'IdempotencyTable' },
    });
  });
});
