/**
 * `npm start` (scripts/local-run.ts): the CLI run as a child process against the bundle the
 * global setup built (`--no-build`, so it never rewrites dist/ under other suites), and its
 * pure parts — the template resolver, parameters, overrides and the lifecycle — on their own.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub strings hold ${…} on purpose.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLifecycle } from '../../scripts/local-run/lifecycle.js';
import { type ResolveScope, resolveProperties } from '../../scripts/local-run/resolver.js';
import { applyOverrides, parseOverride } from '../../scripts/local-run/run-plan.js';
import type { Step, StepRequest } from '../../scripts/local-run/run-result.js';
import { pseudoParameters, simulateResources } from '../../scripts/local-run/simulated-stack.js';
import { resolveStack, type StackModel } from '../../scripts/local-run/stack-model.js';
import {
  checkParameterNames,
  LocalRunError,
  parseTemplate,
  resolveParameters,
  type Template,
} from '../../scripts/local-run/template.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/local-run.ts` with tsx, as `npm start` does. */
function runCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/local-run.ts', '--no-build', ...args],
      { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

interface JsonStep {
  phase: string;
  requestType: string;
  logicalResourceId: string;
  requestId: string;
  physicalResourceId: string | null;
  resourceProperties: Record<string, unknown>;
  apiCalls: { operation: string; region: string; status: number; input: Record<string, unknown> }[];
  response: {
    Status: string;
    PhysicalResourceId: string;
    Reason?: string;
    Data?: Record<string, unknown>;
  } | null;
}

interface JsonReport {
  updateTemplate: string | null;
  policyStores: { id: string; region: string; origin: string }[];
  steps: JsonStep[];
  drift: {
    afterStep: number;
    change: { logicalId: string; identitySourceId: string; what: string } | null;
    result: Record<string, number> | null;
    events: {
      LogicalResourceId: string;
      IdentitySourceId: string;
      Status: string;
      Differences: { Path: string; Expected: unknown; Actual: unknown }[];
      Repaired: boolean;
    }[];
  } | null;
  identitySourcesLeft: string[];
  outcome: { exitCode: number; failed: number };
}

/** The drift check ran after the Create and Update and reported the one change made behind the stack's back. */
function expectDriftReported(report: JsonReport, path: string) {
  const id = report.steps[0]?.response?.PhysicalResourceId;
  expect(report.drift?.afterStep).toBe(2);
  expect(report.drift?.change).toMatchObject({ logicalId: 'IdentitySource', identitySourceId: id });
  expect(report.drift?.result).toEqual({
    Checked: 1,
    InSync: 0,
    Modified: 1,
    Deleted: 0,
    Repaired: 0,
    Failed: 0,
  });
  expect(report.drift?.events).toHaveLength(1);
  expect(report.drift?.events[0]).toMatchObject({
    LogicalResourceId: 'IdentitySource',
    IdentitySourceId: id,
    Status: 'MODIFIED',
    Repaired: false,
  });
  expect(report.drift?.events[0]?.Differences.map((d) => d.Path)).toEqual([path]);
}

async function runJson(args: readonly string[]): Promise<CliRun & { report: JsonReport }> {
  const run = await runCli(['--json', ...args]);
  let report: JsonReport;
  try {
    report = JSON.parse(run.stdout) as JsonReport;
  } catch {
    throw new Error(`not JSON on stdout (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return { ...run, report };
}

/** Create → Update (same physical id) → Delete, every response SUCCESS, one API call each. */
function expectInPlaceLifecycle({ code, report, stderr }: CliRun & { report: JsonReport }) {
  expect(code, stderr).toBe(0);
  const { steps } = report;
  expect(steps.map((s) => s.requestType)).toEqual(['Create', 'Update', 'Delete']);
  expect(steps.map((s) => s.response?.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
  expect(steps.map((s) => s.apiCalls.map((c) => c.operation))).toEqual([
    ['CreateIdentitySource'],
    ['UpdateIdentitySource'],
    ['DeleteIdentitySource'],
  ]);
  const [create, update, remove] = steps;
  const id = create?.response?.PhysicalResourceId;
  expect(id).toMatch(/^IS/);
  expect(update?.physicalResourceId).toBe(id);
  expect(update?.response?.PhysicalResourceId).toBe(id);
  expect(remove?.physicalResourceId).toBe(id);
  expect(create?.apiCalls[0]?.input.clientToken).toBe(create?.requestId);
  expect(report.identitySourcesLeft).toEqual([]);
  expect(report.outcome).toMatchObject({ exitCode: 0, failed: 0 });
  return steps;
}

describe('npm start (the CLI)', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'local-run-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it.concurrent('runs examples/cognito.yaml, updating from examples/cognito-update.yaml', async () => {
    const run = await runJson([]);
    const [create, update] = expectInPlaceLifecycle(run);
    expect(run.report.updateTemplate).toBe('examples/cognito-update.yaml');
    const storeId = run.report.policyStores[0]?.id;
    expect(run.report.policyStores).toEqual([
      {
        id: storeId,
        region: 'eu-west-1',
        origin: 'AWS::VerifiedPermissions::PolicyStore PolicyStore',
      },
    ]);
    expect(create?.resourceProperties).toMatchObject({
      PolicyStoreId: storeId,
      PrincipalEntityType: 'MyApp::User',
      Configuration: {
        CognitoUserPoolConfiguration: {
          UserPoolArn: expect.stringMatching(
            /^arn:aws:cognito-idp:eu-west-1:123456789012:userpool\/eu-west-1_[A-Za-z0-9]{9}$/,
          ),
          ClientIds: [expect.stringMatching(/^[a-z0-9]{26}$/)],
        },
      },
    });
    expect(update?.apiCalls[0]?.input).toMatchObject({ principalEntityType: 'MyApp::Person' });
    expect(create?.apiCalls.map((c) => c.region)).toEqual(['eu-west-1']);
    expect(create?.response?.Data).toHaveProperty('Details.OpenIdIssuer', 'COGNITO');
    expect(run.stderr).toContain('Create IdentitySource…');
    expectDriftReported(run.report, 'Configuration.CognitoUserPoolConfiguration.ClientIds');
    const { Expected, Actual } = run.report.drift!.events[0]!.Differences[0]!;
    expect(Actual).toEqual([...(Expected as string[]), 'added-in-the-console']);
  });

  it.concurrent('shows the drift report in the text report, between the Update and the Delete', async () => {
    const { code, stdout } = await runCli([]);
    expect(code).toBe(0);
    const update = stdout.indexOf('2. Update IdentitySource');
    const drift = stdout.indexOf('Drift check');
    const remove = stdout.indexOf('3. Delete IdentitySource');
    expect(update).toBeGreaterThan(0);
    expect(drift).toBeGreaterThan(update);
    expect(remove).toBeGreaterThan(drift);
    expect(stdout).toContain('Checked 1, InSync 0, Modified 1, Deleted 0, Repaired 0, Failed 0');
    expect(stdout).toMatch(
      /MODIFIED IdentitySource IS\w+\n +Configuration\.CognitoUserPoolConfiguration\.ClientIds: /,
    );
  });

  it.concurrent('runs examples/oidc.yaml with parameters and a --set update', async () => {
    const run = await runJson([
      'examples/oidc.yaml',
      '--param',
      'Issuer=https://auth.example.com',
      '--param',
      'Audiences=https://api.example.com,https://other.example.com',
      '--set',
      'PrincipalEntityType=MyApp::Person',
    ]);
    const [create] = expectInPlaceLifecycle(run);
    expectDriftReported(run.report, 'Configuration.OpenIdConnectConfiguration.EntityIdPrefix');
    expect(create?.apiCalls[0]?.input.configuration).toEqual({
      openIdConnectConfiguration: {
        issuer: 'https://auth.example.com',
        entityIdPrefix: 'MyOIDCProvider',
        groupConfiguration: { groupClaim: 'groups', groupEntityType: 'MyApp::Group' },
        tokenSelection: {
          accessTokenOnly: {
            audiences: ['https://api.example.com', 'https://other.example.com'],
            principalIdClaim: 'sub',
          },
        },
      },
    });
  });

  it.concurrent('signs for the Region property of examples/cross-region.yaml', async () => {
    const run = await runJson([
      'examples/cross-region.yaml',
      '--param=PolicyStoreRegion=ap-southeast-2',
      '--param=PolicyStoreId=PSEXAMPLEabcdefg111111',
      '--param=ClientIds=client-a,client-b',
      '--param=UserPoolArn=arn:aws:cognito-idp:ap-southeast-2:123456789012:userpool/ap-southeast-2_AbCdEf123',
      '--set=Configuration.CognitoUserPoolConfiguration.ClientIds=["client-a"]',
    ]);
    const steps = expectInPlaceLifecycle(run);
    expect(run.report.policyStores).toEqual([
      {
        id: 'PSEXAMPLEabcdefg111111',
        region: 'ap-southeast-2',
        origin: 'IdentitySource.PolicyStoreId',
      },
    ]);
    expect(steps.flatMap((s) => s.apiCalls.map((c) => c.region))).toEqual([
      'ap-southeast-2',
      'ap-southeast-2',
      'ap-southeast-2',
    ]);
  });

  it.concurrent('reports a FAILED Create for an invalid property and exits non-zero', async () => {
    const template = await readFile(join(projectRoot, 'examples/cognito.yaml'), 'utf8');
    const path = join(scratch, 'invalid.yaml');
    await writeFile(
      path,
      template.replace('      PrincipalEntityType: MyApp::User\n', '      Colour: blue\n'),
    );
    const { code, report } = await runJson([path]);
    expect(code).toBe(1);
    const [create, rollback, ...rest] = report.steps;
    expect(rest).toEqual([]);
    expect(create?.response?.Status).toBe('FAILED');
    expect(create?.response?.Reason).toContain('Colour');
    expect(create?.apiCalls).toEqual([]);
    // CloudFormation's rollback deletes the failed resource; nothing was created, so no API call.
    expect(rollback).toMatchObject({ phase: 'rollback', requestType: 'Delete', apiCalls: [] });
    expect(rollback?.physicalResourceId).toBe(create?.response?.PhysicalResourceId);
    expect(rollback?.response?.Status).toBe('SUCCESS');

    const expected = await runCli([path, '--expect-failure']);
    expect(expected.code).toBe(0);
    expect(expected.stdout).toMatch(/Reason +Invalid properties: .*Colour/);
    expect(expected.stdout).toContain('failure as expected');
  });

  it.concurrent('prints the usage, and exits 2 on input errors before starting anything', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm start');
    const missing = await runCli(['examples/oidc.yaml', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error).toContain('--param Issuer=');
    expect(missing.stderr).not.toContain('starting local stand-ins');
  });
});

const TEMPLATE = parseTemplate(
  `
Parameters:
  Name: { Type: String, Default: app }
  Audiences: { Type: CommaDelimitedList, Default: "a, b" }
  Stage: { Type: String, AllowedValues: [dev, prod], Default: dev }
Resources:
  Store: { Type: AWS::VerifiedPermissions::PolicyStore }
  Pool: { Type: AWS::Cognito::UserPool }
  Client: { Type: AWS::Cognito::UserPoolClient, Properties: { UserPoolId: !Ref Pool } }
  Topic: { Type: AWS::SNS::Topic }
  Source:
    Type: Custom::VerifiedPermissionsIdentitySource
    Properties:
      ServiceToken: !ImportValue provider-ServiceToken
      PolicyStoreId: !Ref Store
`,
  'test template',
);

function scopeFor(template: Template, region = 'eu-west-1'): ResolveScope {
  return {
    parameters: resolveParameters(template, {}),
    pseudo: pseudoParameters({
      region,
      stackId: `arn:aws:cloudformation:${region}:123456789012:stack/my-stack/1`,
    }),
    simulated: simulateResources(template, region),
    resourceTypes: Object.fromEntries(
      Object.entries(template.Resources).map(([id, r]) => [id, r.Type]),
    ),
    serviceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:stand-in',
  };
}

const resolveOne = (value: unknown, scope = scopeFor(TEMPLATE)) =>
  resolveProperties('Source', { Value: value }, scope).Value;

describe('resolver', () => {
  it('resolves Ref to parameters, pseudo parameters and simulated resources', () => {
    const scope = scopeFor(TEMPLATE);
    expect(resolveOne({ Ref: 'Name' })).toBe('app');
    expect(resolveOne({ Ref: 'Audiences' })).toEqual(['a', 'b']);
    expect(resolveOne({ Ref: 'AWS::Region' })).toBe('eu-west-1');
    expect(resolveOne({ Ref: 'AWS::AccountId' })).toBe('123456789012');
    expect(resolveOne({ Ref: 'AWS::Partition' }, scopeFor(TEMPLATE, 'cn-north-1'))).toBe('aws-cn');
    expect(resolveOne({ Ref: 'AWS::StackName' })).toBe('my-stack');
    expect(resolveOne({ Ref: 'Store' })).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(resolveOne({ Ref: 'Pool' })).toMatch(/^eu-west-1_[A-Za-z0-9]{9}$/);
    expect(resolveOne({ Ref: 'Client' })).toMatch(/^[a-z0-9]{26}$/);
    expect(resolveOne({ 'Fn::GetAtt': ['Pool', 'Arn'] })).toBe(
      `arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${scope.simulated.Pool?.ref}`,
    );
    expect(resolveOne({ 'Fn::GetAtt': 'Store.Arn' })).toMatch(
      /^arn:aws:verifiedpermissions::123456789012:policy-store\/[A-Za-z0-9]{22}$/,
    );
  });

  it('simulates deterministically per region and logical id', () => {
    expect(simulateResources(TEMPLATE, 'eu-west-1')).toEqual(
      simulateResources(TEMPLATE, 'eu-west-1'),
    );
    expect(simulateResources(TEMPLATE, 'us-east-1').Pool?.ref).toMatch(/^us-east-1_/);
    expect(simulateResources(TEMPLATE, 'eu-west-1').Topic).toBeUndefined();
  });

  it('evaluates Fn::Sub, Fn::Join, Fn::Select, Fn::Split and AWS::NoValue', () => {
    expect(resolveOne({ 'Fn::Sub': '${Name}-${AWS::Region}-${!Literal}' })).toBe(
      'app-eu-west-1-${Literal}',
    );
    expect(
      resolveOne({ 'Fn::Sub': ['${X}/${Pool.ProviderName}', { X: { Ref: 'Name' } }] }),
    ).toMatch(/^app\/cognito-idp\.eu-west-1\.amazonaws\.com\/eu-west-1_/);
    expect(resolveOne({ 'Fn::Join': ['+', { Ref: 'Audiences' }] })).toBe('a+b');
    expect(resolveOne({ 'Fn::Select': [1, { 'Fn::Split': [',', 'x,y,z'] }] })).toBe('y');
    expect(
      resolveProperties(
        'Source',
        { A: { Ref: 'AWS::NoValue' }, B: ['x', { Ref: 'AWS::NoValue' }] },
        scopeFor(TEMPLATE),
      ),
    ).toEqual({ B: ['x'] });
  });

  it('sends scalars as strings, as CloudFormation does for custom resources', () => {
    expect(resolveOne({ N: 5, B: true, L: [1, 'x'] })).toEqual({
      N: '5',
      B: 'true',
      L: ['1', 'x'],
    });
  });

  it('resolves Fn::ImportValue only for ServiceToken, to the stand-in function', () => {
    const scope = scopeFor(TEMPLATE);
    const source = TEMPLATE.Resources.Source?.Properties ?? {};
    expect(resolveProperties('Source', source, scope).ServiceToken).toBe(scope.serviceToken);
    expect(() => resolveOne({ 'Fn::ImportValue': 'other-export' })).toThrow(
      /Source\.Properties\.Value: Fn::ImportValue: .*parameter/,
    );
  });

  it('names the property path and the problem for what it cannot resolve', () => {
    expect(() => resolveOne({ Ref: 'Topic' })).toThrow(
      /^Source\.Properties\.Value: Ref Topic: resource type AWS::SNS::Topic is not simulated/,
    );
    expect(() => resolveOne({ Ref: 'Nothing' })).toThrow(/Ref Nothing: no parameter/);
    expect(() => resolveOne({ 'Fn::GetAtt': ['Pool', 'Colour'] })).toThrow(
      /knows the attributes UserPoolId, Arn, ProviderName, ProviderURL/,
    );
    expect(() => resolveOne({ 'Fn::If': ['C', 'a', 'b'] })).toThrow(LocalRunError);
    expect(() => resolveOne({ 'Fn::Sub': '${Audiences}' })).toThrow(/expects text/);
  });
});

describe('parameters', () => {
  it('uses --param values over defaults and checks AllowedValues and AllowedPattern', () => {
    expect(resolveParameters(TEMPLATE, { Name: 'x', Audiences: 'p,q' })).toEqual({
      Name: 'x',
      Audiences: ['p', 'q'],
      Stage: 'dev',
    });
    expect(() => resolveParameters(TEMPLATE, { Stage: 'test' })).toThrow(/AllowedValues/);
    const patterned = parseTemplate(
      'Parameters: { Url: { Type: String, AllowedPattern: "https://.*" } }\nResources: {}',
      't',
    );
    expect(() => resolveParameters(patterned, { Url: 'xhttps://a' })).toThrow(/AllowedPattern/);
    expect(() => resolveParameters(patterned, {})).toThrow(/--param Url=/);
    expect(() => checkParameterNames([TEMPLATE], { Nme: 'x' })).toThrow(/--param Nme/);
  });
});

describe('overrides and stack model', () => {
  it('applies --set paths with JSON or text values', () => {
    const resource = { logicalId: 'Source', properties: { A: { B: ['x', 'y'] }, C: 'c' } };
    const overrides = ['A.B.1=z', 'C={"Ref":"Name"}', 'D.E=text'].map((text) =>
      parseOverride(text, ['Source']),
    );
    expect(applyOverrides(resource, overrides)).toEqual({
      A: { B: ['x', 'z'] },
      C: { Ref: 'Name' },
      D: { E: 'text' },
    });
    expect(resource.properties.C).toBe('c');
    expect(() => parseOverride('NoEquals', ['Source'])).toThrow(LocalRunError);
    expect(() => parseOverride('A=1', ['One', 'Two'])).toThrow(/start the path with one of/);
  });

  it('adds template policy stores in the stack region, other PolicyStoreIds in their Region', () => {
    const stack = { region: 'eu-west-1', stackId: 'arn:aws:cloudformation:eu-west-1:1:stack/s/1' };
    const model = resolveStack(TEMPLATE, { stack, parameters: {} });
    expect(model.policyStores).toEqual([
      {
        id: model.resources[0]?.properties.PolicyStoreId,
        region: 'eu-west-1',
        origin: 'AWS::VerifiedPermissions::PolicyStore Store',
      },
    ]);
    const elsewhere = resolveStack(TEMPLATE, {
      stack,
      parameters: {},
      adjust: (r) => ({ ...r.properties, PolicyStoreId: 'PSX', Region: 'us-west-2' }),
    });
    expect(elsewhere.policyStores.at(-1)).toEqual({
      id: 'PSX',
      region: 'us-west-2',
      origin: 'Source.PolicyStoreId',
    });
  });
});

describe('lifecycle', () => {
  const model = (properties: Record<string, unknown>): StackModel => ({
    resources: [{ logicalId: 'Source', properties }],
    policyStores: [],
  });
  /** A fake provider: answers the given physical id per request (default: the request's, or a new one). */
  function fakeSend(answers: Array<{ status?: 'SUCCESS' | 'FAILED'; id?: string }>) {
    const sent: StepRequest[] = [];
    let created = 0;
    return {
      sent,
      send: async (request: StepRequest): Promise<Step> => {
        sent.push(request);
        const answer = answers.shift() ?? {};
        const id = answer.id ?? request.physicalId ?? `IS${++created}`;
        return {
          request,
          requestId: `r${sent.length}`,
          apiCalls: [],
          response: {
            Status: answer.status ?? 'SUCCESS',
            PhysicalResourceId: id,
            StackId: 's',
            RequestId: `r${sent.length}`,
            LogicalResourceId: request.logicalId,
          },
          durationMs: 0,
          logs: [],
        };
      },
    };
  }
  const summary = (sent: StepRequest[]) =>
    sent.map((r) => `${r.phase} ${r.requestType} ${r.physicalId ?? '-'}`);

  it('deletes the old physical id in the cleanup after a replacement', async () => {
    const fake = fakeSend([{}, { id: 'IS2' }]);
    await runLifecycle(
      { create: model({ P: 'a' }), update: model({ P: 'b' }) },
      { ...fake, prepare() {} },
    );
    expect(summary(fake.sent)).toEqual([
      'create Create -',
      'update Update IS1',
      'cleanup Delete IS1',
      'delete Delete IS2',
    ]);
  });

  it('rolls back a failed Update with the old properties, and skips an unchanged one', async () => {
    const fake = fakeSend([{}, { status: 'FAILED' }]);
    await runLifecycle(
      { create: model({ P: 'a' }), update: model({ P: 'b' }) },
      { ...fake, prepare() {} },
    );
    expect(summary(fake.sent)).toEqual([
      'create Create -',
      'update Update IS1',
      'rollback Update IS1',
      'delete Delete IS1',
    ]);
    expect(fake.sent[2]).toMatchObject({ properties: { P: 'a' }, oldProperties: { P: 'b' } });

    const unchanged = fakeSend([]);
    const { notes } = await runLifecycle(
      { create: model({ P: 'a' }), update: model({ P: 'a' }) },
      { ...unchanged, prepare() {} },
    );
    expect(summary(unchanged.sent)).toEqual(['create Create -', 'delete Delete IS1']);
    expect(notes.join()).toContain('unchanged');
  });
});
