/**
 * SAM's own transform (the Python aws-sam-translator, run offline) accepts template.yaml and
 * every SAM example — after `sam package` has replaced local CodeUris — in each region the
 * template declares, and what it makes is clean with cfn-lint in those regions: template.yaml
 * without and with AssumableRoleArns. The nested application resolves through a stand-in for
 * the Serverless Application Repository.
 *
 * Linting the transform's output is not redundant with linting the SAM template: cfn-lint
 * runs its own, looser transform and does not check everything on the resources SAM
 * generates (a misspelled IAM action in a function's Policies passes there, for one).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnLint, cfnLintDeployments, type LintFinding } from './support/cfn-lint.js';
import { declaredRegions, expandRegions, regionTypes, withRegions } from './support/cfn-regions.js';
import { NO_ROLES, samParameters, TWO_ROLES } from './support/deployments.js';
import { PIP_INSTALL } from './support/external-tools.js';
import {
  type ParameterValues,
  packaged,
  samTranslate,
  type Translation,
  type TranslationGroup,
  translateInRegions,
} from './support/sam-transform.js';
import {
  allTemplatePaths,
  type CfnTemplate,
  clone,
  loadTemplate,
  PROVIDER_TEMPLATE,
  projectRoot,
} from './support/templates.js';

const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';
const NESTED_EXAMPLE = 'examples/nested-application.yaml';

const templates: Record<string, CfnTemplate> = {};
for (const path of await allTemplatePaths()) {
  const template = await loadTemplate(path);
  if ([template.Transform].flat().includes(SAM_TRANSFORM)) templates[path] = template;
}
const samPaths = Object.keys(templates);
const provider = templates[PROVIDER_TEMPLATE]!;

/** The parameter sets each SAM template is translated with. */
function parameterSets(path: string): ParameterValues[] {
  return path === PROVIDER_TEMPLATE ? [samParameters(NO_ROLES), samParameters(TWO_ROLES)] : [{}];
}

/** Region name prefixes of the partitions other than `aws` (an expectation, not a lookup). */
const PARTITION_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-iso-', 'aws-iso'],
  ['us-isob-', 'aws-iso-b'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
  ['eusc-', 'aws-eusc'],
];
/**
 * `value` with `Ref` to parameters and pseudo parameters, `Fn::If` on the template's conditions
 * (`Fn::Equals`, `Fn::Not`, `Fn::Join`, `Fn::And`, `Fn::Or`) and `Fn::Sub` of parameters resolved;
 * `AWS::NoValue` drops the key (undefined). Only what the operator parameters need.
 */
function resolveIntrinsics(
  template: CfnTemplate,
  value: unknown,
  parameters: Record<string, string>,
): unknown {
  const declared = (template.Parameters ?? {}) as Record<string, { Default?: unknown }>;
  const param = (name: string): unknown => {
    if (name === 'AWS::Partition') return 'aws';
    if (name === 'AWS::Region') return 'us-east-1';
    if (name === 'AWS::AccountId') return '123456789012';
    const given = parameters[name] ?? declared[name]?.Default;
    return given === undefined ? { Ref: name } : String(given);
  };
  const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk).filter((item) => item !== undefined);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      if (key === 'Ref') return arg === 'AWS::NoValue' ? undefined : param(String(arg));
      if (key === 'Condition') return walk(conditions[String(arg)]);
      if (key === 'Fn::If') {
        const [name, yes, no] = arg as [string, unknown, unknown];
        return walk(walk(conditions[name]) === true ? yes : no);
      }
      if (key === 'Fn::Equals') {
        const [a, b] = (arg as unknown[]).map(walk);
        return JSON.stringify(a) === JSON.stringify(b);
      }
      if (key === 'Fn::Not') return !(walk((arg as unknown[])[0]) as boolean);
      if (key === 'Fn::And') return (arg as unknown[]).every((c) => walk(c) === true);
      if (key === 'Fn::Or') return (arg as unknown[]).some((c) => walk(c) === true);
      if (key === 'Fn::Join') {
        const [sep, items] = arg as [string, unknown];
        const list = walk(items);
        return (Array.isArray(list) ? list : String(list).split(',')).join(sep);
      }
      if (key === 'Fn::Sub' && typeof arg === 'string') {
        return arg.replace(/\$\{([\w:]+)\}/g, (_, name: string) => String(param(name)));
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, inner] of entries) {
      const resolved = walk(inner);
      if (resolved !== undefined) out[key] = resolved;
    }
    return out;
  };
  return walk(value);
}

const partitionOf = (region: string): string =>
  PARTITION_PREFIXES.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';

/** template.yaml with its function's Policies replaced. */
function providerWithPolicies(policies: unknown): CfnTemplate {
  const template = clone(provider);
  template.Resources.Function!.Properties!.Policies = policies;
  return template;
}

/** template.yaml with the first action of its first statement misspelled. */
function providerWithMisspelledAction(): CfnTemplate {
  const template = clone(provider);
  const [policy] = template.Resources.Function!.Properties!.Policies as Array<{
    Statement: Array<{ Action: string[] }>;
  }>;
  policy!.Statement[0]!.Action[0] = 'verifiedpermissions:CreateIdentitySorce';
  return template;
}

/** Translations that must be refused, by name. */
const REFUSALS = {
  nestedInApEast2: { region: 'ap-east-2', template: packaged(templates[NESTED_EXAMPLE]!) },
  nestedInApSoutheast6: {
    region: 'ap-southeast-6',
    template: packaged(templates[NESTED_EXAMPLE]!),
  },
  managedPolicyLookup: {
    region: 'us-east-1',
    template: packaged(providerWithPolicies(['NoSuch'])),
  },
  unknownPolicyTemplate: {
    region: 'us-east-1',
    template: packaged(providerWithPolicies([{ NoSuchPolicyTemplate: {} }])),
  },
  localCodeUri: { region: 'us-east-1', template: provider },
};

let dir: string;
const groups: Record<string, TranslationGroup[]> = {};
/** Per template: the file each distinct transform output was written to, for cfn-lint. */
const outputs: Record<string, string[]> = {};
let refusals: Record<string, Translation>;
let misspelledFile: string;
let findings: Record<string, LintFinding[]>;
let deployedFindings: Record<string, LintFinding[]>;

async function writeOutput(
  name: string,
  template: CfnTemplate,
  regions: string[],
): Promise<string> {
  const file = join(dir, `${name.replaceAll('/', '_')}.json`);
  await writeFile(file, JSON.stringify(withRegions(template, regions)));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sam-transform-'));
  const { regions: known } = await regionTypes([]);
  const [misspelled] = await Promise.all([
    translateInRegions(providerWithMisspelledAction(), ['us-east-1']),
    samTranslate(Object.entries(REFUSALS).map(([id, job]) => ({ id, ...job }))).then((r) => {
      refusals = r;
    }),
    ...samPaths.map(async (path) => {
      const regions = expandRegions(declaredRegions(templates[path]!) ?? [], known);
      groups[path] = await translateInRegions(templates[path]!, regions, parameterSets(path));
    }),
  ]);
  for (const path of samPaths) {
    outputs[path] = [];
    for (const [i, group] of groups[path]!.entries()) {
      const { template } = group.translation;
      if (template) outputs[path].push(await writeOutput(`${path}.${i}`, template, group.regions));
    }
  }
  misspelledFile = await writeOutput('misspelled', misspelled[0]!.translation.template!, [
    'us-east-1',
  ]);
  // Every output as is (all condition paths), and template.yaml's with each deployment's values.
  [findings, deployedFindings] = await Promise.all([
    cfnLint([...Object.values(outputs).flat(), misspelledFile]),
    cfnLintDeployments(
      (outputs[PROVIDER_TEMPLATE] ?? []).flatMap((template) =>
        [NO_ROLES, TWO_ROLES].map((parameters) => ({ template, parameters })),
      ),
      dir,
    ),
  ]);
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each(samPaths)('%s', (path) => {
  it('is accepted by the transform in every region it is meant for', () => {
    const refused = groups[path]!.filter((g) => g.translation.errors).map((g) => ({
      regions: g.regions,
      errors: g.translation.errors,
    }));
    expect(refused).toEqual([]);
    expect(groups[path]!.flatMap((g) => g.regions).length).toBeGreaterThan(0);
  });

  it("gives output that is clean with cfn-lint in each output's regions", () => {
    expect(outputs[path]!.length).toBeGreaterThan(0);
    for (const file of outputs[path]!) expect(findings[file], file).toEqual([]);
  });
});

describe('template.yaml through the transform', () => {
  it('is clean with cfn-lint for a deployment without and one with AssumableRoleArns', () => {
    for (const file of outputs[PROVIDER_TEMPLATE]!)
      expect(deployedFindings[file], file).toEqual([]);
  });

  it('makes one output per partition (its managed policy ARN names it), linted in its regions', () => {
    const made = groups[PROVIDER_TEMPLATE]!;
    for (const group of made) {
      const [partition, ...others] = new Set(group.regions.map(partitionOf));
      expect(others, group.regions.join()).toEqual([]);
      const role = group.translation.template?.Resources.FunctionRole?.Properties ?? {};
      expect(role.ManagedPolicyArns).toEqual([
        `arn:${partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`,
        // for the Tracing parameter (see the operator parameters below); its name varies by partition
        expect.stringMatching(
          new RegExp(
            `^arn:${partition}:iam::aws:policy/(AWSXrayWriteOnlyAccess|AWSXRayDaemonWriteAccess)$`,
          ),
        ),
      ]);
    }
    expect(made.length).toBe(new Set(made.flatMap((g) => g.regions).map(partitionOf)).size);
  });
});

describe("template.yaml's operator parameters, as the transform makes them", () => {
  let defaults: CfnTemplate;
  let operated: CfnTemplate;
  beforeAll(async () => {
    const made = await samTranslate([
      {
        id: 'defaults',
        region: 'us-east-1',
        template: packaged(provider),
        parameters: samParameters(NO_ROLES),
      },
      {
        id: 'operated',
        region: 'us-east-1',
        template: packaged(provider),
        parameters: samParameters(TWO_ROLES),
      },
    ]);
    defaults = made.defaults!.template!;
    operated = made.operated!.template!;
  }, 120_000);
  const fn = (t: CfnTemplate) => t.Resources.Function!.Properties!;
  const role = (t: CfnTemplate) => t.Resources.FunctionRole!.Properties!;
  /** `value` with CloudFormation's conditions and parameters resolved as `parameters` give them. */
  const resolve = (t: CfnTemplate, value: unknown, parameters: Record<string, string>): unknown =>
    resolveIntrinsics(t, value, parameters);

  it('PermissionsBoundary: none by default; the given policy on the role when set', () => {
    expect(
      resolve(defaults, role(defaults).PermissionsBoundary, samParameters(NO_ROLES)),
    ).toBeUndefined();
    expect(resolve(operated, role(operated).PermissionsBoundary, samParameters(TWO_ROLES))).toBe(
      TWO_ROLES.PermissionsBoundary,
    );
  });

  it('LoggingConfig: JSON lines, the application level is LogLevel, the platform level SystemLogLevel', () => {
    expect(resolve(defaults, fn(defaults).LoggingConfig, samParameters(NO_ROLES))).toEqual({
      LogFormat: 'JSON',
      ApplicationLogLevel: 'INFO',
      SystemLogLevel: 'WARN',
    });
    expect(resolve(operated, fn(operated).LoggingConfig, samParameters(TWO_ROLES))).toEqual({
      LogFormat: 'JSON',
      ApplicationLogLevel: 'DEBUG',
      SystemLogLevel: 'INFO',
    });
    // Powertools' level follows the same parameter
    expect(resolve(operated, fn(operated).Environment, samParameters(TWO_ROLES))).toMatchObject({
      Variables: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
    });
  });

  it('Tracing: PassThrough by default; Active traces, with X-Ray write permission on the role', () => {
    expect(resolve(defaults, fn(defaults).TracingConfig, samParameters(NO_ROLES))).toEqual({
      Mode: 'PassThrough',
    });
    expect(resolve(operated, fn(operated).TracingConfig, samParameters(TWO_ROLES))).toEqual({
      Mode: 'Active',
    });
    const policies = (t: CfnTemplate, p: Record<string, string>) =>
      JSON.stringify(resolve(t, role(t).ManagedPolicyArns, p));
    expect(policies(operated, samParameters(TWO_ROLES))).toContain('AWSXrayWriteOnlyAccess');
    // SAM attaches it whenever Tracing is given, PassThrough included: write-only (PutTraceSegments,
    // PutTelemetryRecords, sampling rules), and nothing is traced unless a caller traces
    expect(policies(defaults, samParameters(NO_ROLES))).toContain('AWSXrayWriteOnlyAccess');
  });
});

describe(`${NESTED_EXAMPLE} through the transform`, () => {
  it("resolves the partition's provider application into a nested stack", async () => {
    const { version } = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8'));
    const mappings = templates[NESTED_EXAMPLE]!.Mappings as {
      ProviderApplication: Record<string, { Id: string }>;
    };
    for (const { translation, regions } of groups[NESTED_EXAMPLE]!) {
      const id = mappings.ProviderApplication[partitionOf(regions[0]!)]?.Id;
      expect(translation.applications).toEqual([[id, version]]);
      const resources = translation.template?.Resources ?? {};
      expect(resources.IdentitySourceProvider).toMatchObject({
        Type: 'AWS::CloudFormation::Stack',
        Properties: {
          TemplateURL: expect.stringMatching(/^https:\/\/.*\.s3\..*\/template\.yaml$/),
        },
      });
      expect(resources.IdentitySource?.Properties?.ServiceToken).toEqual({
        'Fn::GetAtt': ['IdentitySourceProvider', 'Outputs.ServiceToken'],
      });
    }
  });

  it('is refused where the transform knows no Serverless Application Repository (README says so)', () => {
    for (const id of ['nestedInApEast2', 'nestedInApSoutheast6']) {
      expect(refusals[id]?.errors, id).toEqual([
        expect.stringContaining(
          'Serverless Application Repository is not available in this region',
        ),
      ]);
    }
  });
});

describe('the transform and the lint of its output still find real mistakes', () => {
  it('a misspelled IAM action in the generated role', () => {
    expect(findings[misspelledFile]!.map((f) => f.rule)).toEqual(['W3037']);
    expect(findings[misspelledFile]![0]!.message).toContain("'createidentitysorce' is not one of");
  });

  it('a managed policy SAM would look up in IAM (no account here), an unknown policy template', () => {
    expect(refusals.managedPolicyLookup?.errors).toEqual([
      expect.stringContaining('needs an AWS account'),
    ]);
    expect(refusals.unknownPolicyTemplate?.errors).toEqual([
      expect.stringContaining("Policy at index 0 in the 'Policies' property is not valid"),
    ]);
  });

  it('a local CodeUri that `sam package` did not replace', () => {
    expect(refusals.localCodeUri?.errors?.join('\n')).toContain('CodeUri');
  });
});

describe('packaged (what `sam package` does before the transform)', () => {
  it("replaces a function's local CodeUri with an s3:// URI, keeping S3 URIs and inline code", () => {
    const template = packaged({
      Globals: { Function: { CodeUri: 'src/' } },
      Resources: {
        Local: { Type: 'AWS::Serverless::Function', Properties: { CodeUri: '.' } },
        S3: { Type: 'AWS::Serverless::Function', Properties: { CodeUri: 's3://b/k' } },
        Inline: { Type: 'AWS::Serverless::Function', Properties: { InlineCode: 'x' } },
      },
    });
    expect(template.Resources.Local?.Properties?.CodeUri).toMatch(
      /^s3:\/\/[a-z0-9-]+\/[0-9a-f]{32}$/,
    );
    expect(template.Resources.S3?.Properties?.CodeUri).toBe('s3://b/k');
    expect(template.Resources.Inline?.Properties).toEqual({ InlineCode: 'x' });
    const globals = template.Globals as { Function: { CodeUri: string } };
    expect(globals.Function.CodeUri).toMatch(/^s3:\/\//);
  });
});

describe('on a machine without aws-sam-translator', () => {
  it('fails, saying how to install it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-tools-'));
    try {
      await expect(samTranslate([], { env: { PATH: empty } })).rejects.toThrow(PIP_INSTALL);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
