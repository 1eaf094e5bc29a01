/**
 * template.yaml, the provider stack: least-privilege IAM (for a deployment without and with
 * AssumableRoleArns), FIPS endpoints, the idempotency table, logging, parameters, timeout and
 * outputs, and the drift check's function and schedule, as CONTRACT.md and the README promise
 * them.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { VerifiedPermissionsClient } from '@aws-sdk/client-verifiedpermissions';
import { describe, expect, it } from 'vitest';
import { conditionHolds, resolveForDeployment } from './support/conditions.js';
import { type DeploymentParameters, NO_ROLES, TWO_ROLES } from './support/deployments.js';
import { runPythonDriver } from './support/external-tools.js';
import { type CfnResource, loadTemplate, PROVIDER_TEMPLATE } from './support/templates.js';

const template = await loadTemplate(PROVIDER_TEMPLATE);
const functions = Object.entries(template.Resources).filter(
  ([, r]) => r.Type === 'AWS::Serverless::Function',
);
const [functionId, fn] = functions.find(([id]) => id === 'Function') ?? [];
const props = (fn?.Properties ?? {}) as Record<string, unknown>;
const driftProps = (template.Resources.DriftFunction?.Properties ?? {}) as Record<string, unknown>;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/**
 * The inline policy statements of the function (every Policies entry must be a document), as a
 * deployment with these parameter values gets them (Fn::If decided).
 */
function statements(
  parameters: DeploymentParameters = NO_ROLES,
  functionProps: Record<string, unknown> = props,
): Statement[] {
  const policies = functionProps.Policies;
  expect(Array.isArray(policies), 'Policies is a list').toBe(true);
  return (policies as unknown[]).flatMap((policy) => {
    expect(policy, 'only inline policy documents (no managed policy names)').toBeTypeOf('object');
    const document = policy as Record<string, unknown>;
    // A SAM policy template is `{ DynamoDBCrudPolicy: {...} }`; a document has Statement.
    expect(Object.keys(document).sort(), 'a policy document, not a SAM policy template').toEqual(
      expect.arrayContaining(['Statement']),
    );
    expect(Object.keys(document).every((k) => k === 'Statement' || k === 'Version')).toBe(true);
    return resolveForDeployment(document.Statement as Statement[], template, parameters);
  });
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement): unknown[] =>
  Array.isArray(s.Resource) ? s.Resource : [s.Resource];

const VERIFIED_PERMISSIONS_ACTIONS = [
  'verifiedpermissions:CreateIdentitySource',
  'verifiedpermissions:DeleteIdentitySource',
  'verifiedpermissions:GetIdentitySource',
  'verifiedpermissions:ListIdentitySources',
  'verifiedpermissions:UpdateIdentitySource',
];
const ALIAS_ACTIONS = ['verifiedpermissions:GetPolicyStoreAlias'];
const COGNITO_ACTIONS = ['cognito-idp:DescribeUserPool', 'cognito-idp:ListUserPoolClients'];
const DYNAMODB_ACTIONS = [
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
const CLOUDFORMATION_ACTIONS = ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'];
const STS_ACTIONS = ['sts:AssumeRole'];
const ALWAYS = [
  ...VERIFIED_PERMISSIONS_ACTIONS,
  ...ALIAS_ACTIONS,
  ...COGNITO_ACTIONS,
  ...DYNAMODB_ACTIONS,
  ...CLOUDFORMATION_ACTIONS,
];

describe('the provider function', () => {
  it('is one of the two functions of the template, beside the drift check', () => {
    expect(functions.map(([id]) => id).sort()).toEqual(['DriftFunction', 'Function']);
  });

  it('runs Node.js 24 on arm64 from the bundled handler', () => {
    expect(props.Runtime).toBe('nodejs24.x');
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
      AWS_USE_FIPS_ENDPOINT: { Ref: 'UseFipsEndpoint' },
    });
  });
});

describe('IAM', () => {
  it('allows exactly the expected actions; sts:AssumeRole only with AssumableRoleArns', () => {
    expect(statements(NO_ROLES).flatMap(actionsOf).sort()).toEqual([...ALWAYS].sort());
    expect(statements(TWO_ROLES).flatMap(actionsOf).sort()).toEqual(
      [...ALWAYS, ...STS_ACTIONS].sort(),
    );
  });

  it('only allows, and names no wildcard action', () => {
    for (const statement of statements(TWO_ROLES)) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      expect(statement).not.toHaveProperty('NotAction');
      expect(statement).not.toHaveProperty('NotResource');
    }
  });

  it('scopes each service to its resources', () => {
    const resourceFor = (action: string, parameters = NO_ROLES): unknown[] =>
      statements(parameters)
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
    for (const action of ALIAS_ACTIONS) {
      expect(resourceFor(action), action).toEqual([
        // Alias ARNs have a region: any, for the Region property; the account's own only.
        {
          'Fn::Sub':
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
            'arn:${AWS::Partition}:verifiedpermissions:*:${AWS::AccountId}:policy-store-alias/*',
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
    for (const action of CLOUDFORMATION_ACTIONS) {
      expect(resourceFor(action), action).toEqual([
        // The account's stacks in the function's region (custom resources are invoked only
        // from stacks in the function's region).
        {
          'Fn::Sub':
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
            'arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*/*',
        },
      ]);
    }
    expect(resourceFor('sts:AssumeRole', NO_ROLES)).toEqual([]);
    expect(resourceFor('sts:AssumeRole', TWO_ROLES)).toEqual([TWO_ROLES.AssumableRoleArns]);
  });

  it('names, for each action, the resource type the Service Authorization Reference gives it', async () => {
    const formats = await runPythonDriver<Record<string, Record<string, string[]> | null>>(
      'iam_resource_types.py',
      [...ALWAYS, ...STS_ACTIONS],
    );
    for (const statement of statements(TWO_ROLES)) {
      for (const action of actionsOf(statement)) {
        const patterns = Object.values(formats[action] ?? {})
          .flat()
          .map(arnPattern);
        expect(patterns.length, `${action} has resource types`).toBeGreaterThan(0);
        for (const resource of resourcesOf(statement)) {
          const arn = exampleArn(resource);
          expect(
            patterns.some((p) => p.test(arn)),
            `${action} on ${arn} (${JSON.stringify(formats[action])})`,
          ).toBe(true);
        }
      }
    }
  });

  it("grants every ARN it builds (Fn::Sub) in the stack's own account only", () => {
    const built = statements(TWO_ROLES)
      .flatMap(resourcesOf)
      .filter((r) => typeof r === 'object' && r !== null && 'Fn::Sub' in r);
    expect(built.length).toBeGreaterThan(0);
    for (const resource of built) {
      expect(exampleArn(resource).split(':')[4], JSON.stringify(resource)).toBe('123456789012');
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

  it('is kept when the provider stack is deleted or the table replaced: ownership records outlive the provider', () => {
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('logging', () => {
  it("keeps each function's logs for LogRetentionInDays in a log group named after it", () => {
    const groups = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Logs::LogGroup',
    );
    expect(groups.map((g) => g.Properties)).toEqual(
      [functionId, 'DriftFunction'].map((id) => ({
        LogGroupName: { 'Fn::Sub': `/aws/lambda/\${${id}}` },
        RetentionInDays: { Ref: 'LogRetentionInDays' },
      })),
    );
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

  it('UseFipsEndpoint is true or false, off by default', () => {
    expect(template.Parameters?.UseFipsEndpoint).toMatchObject({
      Type: 'String',
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
  });

  it('AssumableRoleArns lists role ARNs, none by default, and admits no wildcard', () => {
    const parameter = template.Parameters?.AssumableRoleArns;
    expect(parameter).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
    // CloudFormation applies AllowedPattern to each element of a CommaDelimitedList.
    const pattern = new RegExp(String(parameter?.AllowedPattern));
    for (const arn of ['', ...TWO_ROLES.AssumableRoleArns!])
      expect(pattern.test(arn), arn).toBe(true);
    expect(pattern.test('arn:aws-us-gov:iam::111122223333:role/x')).toBe(true);
    for (const bad of [
      '*',
      'arn:aws:iam::111122223333:role/*',
      'arn:aws:iam::*:role/x',
      'arn:aws:iam::111122223333:user/x',
      'arn:aws:sts::111122223333:assumed-role/x/y',
    ]) {
      expect(pattern.test(bad), bad).toBe(false);
    }
  });

  it('HasAssumableRoles holds exactly when roles are listed', () => {
    expect(conditionHolds('HasAssumableRoles', template, NO_ROLES)).toBe(false);
    expect(conditionHolds('HasAssumableRoles', template, {})).toBe(false); // the default
    expect(conditionHolds('HasAssumableRoles', template, TWO_ROLES)).toBe(true);
  });

  it('DriftCheckSchedule is a Scheduler expression, daily by default, or empty for none', () => {
    const parameter = template.Parameters?.DriftCheckSchedule;
    expect(parameter).toMatchObject({ Type: 'String', Default: 'rate(1 day)' });
    const pattern = new RegExp(String(parameter?.AllowedPattern));
    for (const good of [
      '',
      'rate(1 day)',
      'rate(6 hours)',
      'cron(0 3 * * ? *)',
      'at(2027-01-01T00:00:00)',
    ])
      expect(pattern.test(good), good).toBe(true);
    for (const bad of ['daily', '1 day', 'rate 1 day']) expect(pattern.test(bad), bad).toBe(false);
    expect(conditionHolds('HasDriftSchedule', template, {})).toBe(true);
    expect(conditionHolds('HasDriftSchedule', template, { DriftCheckSchedule: '' })).toBe(false);
  });

  it('DriftEventBusName is a bus name, the default bus by default; DriftRepair is off by default', () => {
    const bus = template.Parameters?.DriftEventBusName;
    expect(bus).toMatchObject({ Type: 'String', Default: 'default' });
    const pattern = new RegExp(String(bus?.AllowedPattern));
    expect(pattern.test('platform-alerts')).toBe(true);
    for (const bad of ['', '*', 'arn:aws:events:us-east-1:123456789012:event-bus/x'])
      expect(pattern.test(bad), bad).toBe(false);
    expect(template.Parameters?.DriftRepair).toMatchObject({
      Type: 'String',
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(conditionHolds('DriftRepairOn', template, {})).toBe(false);
    expect(conditionHolds('DriftRepairOn', template, { DriftRepair: 'true' })).toBe(true);
  });

  it('are the only parameters', () => {
    expect(Object.keys(template.Parameters ?? {}).sort()).toEqual([
      'AssumableRoleArns',
      'DriftCheckSchedule',
      'DriftEventBusName',
      'DriftRepair',
      'LogLevel',
      'LogRetentionInDays',
      'PermissionsBoundary',
      'SystemLogLevel',
      'Tracing',
      'UseFipsEndpoint',
    ]);
  });
});

describe('FIPS endpoints', () => {
  /** What the SDK's endpoint resolution needs of a client. */
  interface EndpointResolving {
    config: {
      useFipsEndpoint: () => Promise<boolean>;
      endpointProvider: (params: { Region: string; UseFIPS: boolean; UseDualStack: boolean }) => {
        url: URL;
      };
    };
    destroy(): void;
  }

  /** The Verified Permissions and DynamoDB hosts the SDK resolves with this environment value. */
  async function hostsWith(useFips: string, region: string): Promise<string[]> {
    const saved = process.env.AWS_USE_FIPS_ENDPOINT;
    process.env.AWS_USE_FIPS_ENDPOINT = useFips;
    try {
      const clients: EndpointResolving[] = [
        new VerifiedPermissionsClient({ region }),
        new DynamoDBClient({ region }),
      ];
      return await Promise.all(
        clients.map(async (client) => {
          // The SDK reads AWS_USE_FIPS_ENDPOINT when the client is made, as in the function.
          const UseFIPS = await client.config.useFipsEndpoint();
          const { url } = client.config.endpointProvider({
            Region: region,
            UseFIPS,
            UseDualStack: false,
          });
          client.destroy();
          return url.hostname;
        }),
      );
    } finally {
      if (saved === undefined) delete process.env.AWS_USE_FIPS_ENDPOINT;
      else process.env.AWS_USE_FIPS_ENDPOINT = saved;
    }
  }

  it("UseFipsEndpoint becomes the SDK's AWS_USE_FIPS_ENDPOINT, which the SDK honours", async () => {
    const variables = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.AWS_USE_FIPS_ENDPOINT).toEqual({ Ref: 'UseFipsEndpoint' });
    // A Ref of a String parameter is its value: the SDK reads the environment variable.
    expect(await hostsWith('true', 'us-gov-west-1')).toEqual([
      'verifiedpermissions-fips.us-gov-west-1.amazonaws.com',
      'dynamodb.us-gov-west-1.amazonaws.com', // GovCloud's DynamoDB endpoint is FIPS already
    ]);
    expect(await hostsWith('false', 'us-gov-west-1')).toEqual([
      'verifiedpermissions.us-gov-west-1.amazonaws.com',
      'dynamodb.us-gov-west-1.amazonaws.com',
    ]);
    expect(await hostsWith('true', 'us-east-1')).toEqual([
      'verifiedpermissions-fips.us-east-1.amazonaws.com',
      'dynamodb-fips.us-east-1.amazonaws.com',
    ]);
  });
});

describe('the drift check function', () => {
  const driftOnly = (parameters: DeploymentParameters) => statements(parameters, driftProps);
  const actions = (parameters: DeploymentParameters) =>
    driftOnly(parameters).flatMap(actionsOf).sort();
  const READ = ['dynamodb:Scan', 'events:PutEvents', 'verifiedpermissions:GetIdentitySource'];
  const REPAIR = [
    'cognito-idp:DescribeUserPool',
    'cognito-idp:ListUserPoolClients',
    'verifiedpermissions:UpdateIdentitySource',
  ];

  it('runs drift.handler from the same code, runtime and architecture as the provider function', () => {
    expect(driftProps.Handler).toBe('drift.handler');
    expect(driftProps.CodeUri).toBe(props.CodeUri);
    expect(driftProps.Runtime).toBe(props.Runtime);
    expect(driftProps.Architectures).toEqual(props.Architectures);
    expect(driftProps.Timeout as number).toBeLessThanOrEqual(900);
  });

  it('gets the table, the bus and the repair switch from the environment the contract names', () => {
    const variables = (driftProps.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      IDEMPOTENCY_TABLE_NAME: { Ref: 'IdempotencyTable' },
      DRIFT_EVENT_BUS_NAME: { Ref: 'DriftEventBusName' },
      DRIFT_REPAIR: { Ref: 'DriftRepair' },
      AWS_USE_FIPS_ENDPOINT: { Ref: 'UseFipsEndpoint' },
    });
  });

  it('may only read: Scan the table, Get sources, put events; Update only with DriftRepair; roles only when listed', () => {
    expect(actions(NO_ROLES)).toEqual(READ);
    expect(actions({ ...NO_ROLES, DriftRepair: 'true' })).toEqual([...READ, ...REPAIR].sort());
    expect(actions(TWO_ROLES)).toEqual([...READ, ...REPAIR, ...STS_ACTIONS].sort());
    for (const statement of driftOnly(TWO_ROLES)) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
    }
  });

  it('scans only the table, puts events only on the one bus, assumes only the listed roles', () => {
    const resourceFor = (action: string, parameters = TWO_ROLES) =>
      driftOnly(parameters)
        .filter((s) => actionsOf(s).includes(action))
        .map((s) => s.Resource);
    expect(resourceFor('dynamodb:Scan')).toEqual([{ 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] }]);
    expect(resourceFor('events:PutEvents')).toEqual([
      {
        'Fn::Sub':
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
          'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${DriftEventBusName}',
      },
    ]);
    expect(resourceFor('sts:AssumeRole')).toEqual([TWO_ROLES.AssumableRoleArns]);
    expect(resourceFor('sts:AssumeRole', NO_ROLES)).toEqual([]);
  });

  it('names, for each action, the resource type the Service Authorization Reference gives it', async () => {
    const all = [...new Set(driftOnly(TWO_ROLES).flatMap(actionsOf))];
    const formats = await runPythonDriver<Record<string, Record<string, string[]> | null>>(
      'iam_resource_types.py',
      all,
    );
    for (const statement of driftOnly(TWO_ROLES)) {
      for (const action of actionsOf(statement)) {
        const patterns = Object.values(formats[action] ?? {})
          .flat()
          .map(arnPattern);
        expect(patterns.length, `${action} has resource types`).toBeGreaterThan(0);
        for (const resource of resourcesOf(statement)) {
          const arn = exampleArn(resource);
          expect(
            patterns.some((p) => p.test(arn)),
            `${action} on ${arn}`,
          ).toBe(true);
        }
      }
    }
  });

  it('runs on an EventBridge Scheduler schedule of DriftCheckSchedule, only when one is given', () => {
    const schedule = template.Resources.DriftSchedule as CfnResource;
    expect(schedule.Type).toBe('AWS::Scheduler::Schedule');
    expect(schedule.Condition).toBe('HasDriftSchedule');
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: { Ref: 'DriftCheckSchedule' },
      Target: {
        Arn: { 'Fn::GetAtt': ['DriftFunction', 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['DriftScheduleRole', 'Arn'] },
      },
    });
    const role = template.Resources.DriftScheduleRole as CfnResource;
    expect(role.Condition).toBe('HasDriftSchedule');
    const policies = (
      role.Properties as { Policies: { PolicyDocument: { Statement: Statement[] } }[] }
    ).Policies;
    expect(policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: { 'Fn::GetAtt': ['DriftFunction', 'Arn'] },
      }),
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

  it("give the function's role, the principal a RoleArn role trusts (the role SAM makes)", () => {
    // cfn-lint on SAM's output (sam-transform.test.ts) checks that FunctionRole exists there.
    expect(template.Outputs?.FunctionRoleArn).toMatchObject({
      Value: { 'Fn::GetAtt': [`${functionId}Role`, 'Arn'] },
    });
  });
});

/** What the variables of a Service Authorization Reference ARN format stand for. */
const FORMAT_VARIABLES: Record<string, string> = {
  Partition: 'aws[a-z-]*',
  Region: '[a-z0-9-]+',
  Account: '\\d{12}',
};

/** A regular expression for an ARN format of the Service Authorization Reference. */
function arnPattern(format: string): RegExp {
  const pieces = format.split(/(\$\{[A-Za-z]+\}|\.\*)/).map((piece) => {
    if (piece === '.*') return '.*';
    const variable = /^\$\{([A-Za-z]+)\}$/.exec(piece)?.[1];
    if (variable) return FORMAT_VARIABLES[variable] ?? '[^:]+';
    return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${pieces.join('')}$`);
}

/** Pseudo parameter values of one example deployment. */
const PSEUDO: Record<string, string> = {
  Partition: 'aws',
  Region: 'us-east-1',
  AccountId: '123456789012',
};

/** An ARN as one deployment would make it from a statement's Resource (wildcards as `x`). */
function exampleArn(resource: unknown): string {
  const getAtt = (resource as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt?.[0] === 'IdempotencyTable' && getAtt[1] === 'Arn') {
    return 'arn:aws:dynamodb:us-east-1:123456789012:table/stack-IdempotencyTable-ABC';
  }
  const sub = (resource as { 'Fn::Sub'?: string })['Fn::Sub'] ?? resource;
  expect(typeof sub, JSON.stringify(resource)).toBe('string');
  return (
    String(sub)
      .replace(/\$\{AWS::(\w+)\}/g, (_, name: string) => {
        const value = PSEUDO[name];
        if (value === undefined) throw new Error(`no example value for AWS::${name}`);
        return value;
      })
      // A template parameter: its default.
      .replace(/\$\{(\w+)\}/g, (_, name: string) => String(template.Parameters?.[name]?.Default))
      .replaceAll('*', 'x')
  );
}
