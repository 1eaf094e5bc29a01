/**
 * Every template — template.yaml and each example, as written — is clean with the field's
 * linter, the Python cfn-lint on PATH, in the regions it declares it is meant for; template.yaml
 * also with the parameter values of a deployment without and with AssumableRoleArns. And
 * cfn-lint, run this way, still finds real mistakes. (What SAM's transform makes of the SAM
 * templates is linted in sam-transform.test.ts.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnLint, cfnLintDeployments, type LintFinding } from './support/cfn-lint.js';
import { declaredRegions, withRegions } from './support/cfn-regions.js';
import { NO_ROLES, TWO_ROLES } from './support/deployments.js';
import { PIP_INSTALL } from './support/external-tools.js';
import {
  allTemplatePaths,
  type CfnTemplate,
  clone,
  loadTemplate,
  PROVIDER_TEMPLATE,
  projectRoot,
} from './support/templates.js';

const paths = await allTemplatePaths();
const file = (path: string): string => join(projectRoot, path);

/** A copy of examples/cognito.yaml with five mistakes, declared for a China region too. */
async function brokenExample(): Promise<CfnTemplate> {
  const broken = withRegions(clone(await loadTemplate('examples/cognito.yaml')), [
    'us-east-1',
    'cn-north-1',
  ]);
  const r = broken.Resources;
  r.PolicyStore!.Properties = { ...r.PolicyStore!.Properties, Descripton: 'typo' };
  r.UserPoolClient!.Properties = { ...r.UserPoolClient!.Properties, UserPoolId: { Ref: 'Nope' } };
  r.Policy = { Type: 'AWS::VerifiedPermissions::Policy', Properties: {} };
  r.Typo = { Type: 'AWS::VerifiedPermissions::IdentitySorce', Properties: {} };
  return broken;
}

/** A copy of template.yaml with a runtime Lambda does not have. */
async function brokenProvider(): Promise<CfnTemplate> {
  const broken = clone(await loadTemplate(PROVIDER_TEMPLATE));
  broken.Resources.Function!.Properties!.Runtime = 'nodejs99.x';
  return broken;
}

let dir: string;
let asWritten: Record<string, LintFinding[]>;
let deployed: Record<string, LintFinding[]>;
const broken: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cfn-lint-'));
  for (const [name, template] of [
    ['example', await brokenExample()],
    ['provider', await brokenProvider()],
  ] as const) {
    broken[name] = join(dir, `broken-${name}.json`);
    await writeFile(broken[name], JSON.stringify(template));
  }
  // One run for every file as written (each in its declared regions), one for the deployments.
  [asWritten, deployed] = await Promise.all([
    cfnLint([...paths.map(file), ...Object.values(broken)]),
    cfnLintDeployments(
      [NO_ROLES, TWO_ROLES].map((parameters) => ({
        template: file(PROVIDER_TEMPLATE),
        parameters,
      })),
      dir,
    ),
  ]);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each(paths)('%s', (path) => {
  it('declares the regions it is meant for', async () => {
    expect(declaredRegions(await loadTemplate(path))?.length ?? 0).toBeGreaterThan(0);
  });

  it('is clean with cfn-lint in those regions', () => {
    expect(asWritten[file(path)]).toEqual([]);
  });
});

describe('template.yaml deployed without and with AssumableRoleArns (and FIPS)', () => {
  it('is clean with cfn-lint for both parameter sets', () => {
    expect(deployed[file(PROVIDER_TEMPLATE)]).toEqual([]);
  });
});

describe('cfn-lint still finds real mistakes', () => {
  const rules = (name: string): string[] =>
    [...new Set((asWritten[broken[name]!] ?? []).map((f) => f.rule))].sort();
  const messages = (name: string): string[] =>
    (asWritten[broken[name]!] ?? []).map((f) => f.message);

  it('in a plain template: a misspelled property, a dangling Ref, a missing property, a type that does not exist, a type a region lacks', () => {
    expect(rules('example')).toEqual(expect.arrayContaining(['E1020', 'E3002', 'E3003', 'E3006']));
    expect(messages('example')).toEqual(
      expect.arrayContaining([
        expect.stringContaining("'Descripton' was unexpected"),
        expect.stringContaining("'Nope' is not one of"),
        expect.stringContaining("'Definition' is a required property"),
        expect.stringContaining('AWS::VerifiedPermissions::IdentitySorce'),
        "Resource type 'AWS::Cognito::UserPool' does not exist in 'cn-north-1'",
      ]),
    );
    // Only in the declared regions where the type is missing: Cognito is fine in us-east-1.
    expect(messages('example').filter((m) => /Cognito.*'us-east-1'/.test(m))).toEqual([]);
  });

  it('in a SAM template (through its own transform): a runtime Lambda does not have', () => {
    expect(rules('provider')).toEqual(['E3030']);
    expect(messages('provider')).toEqual([expect.stringContaining("'nodejs99.x' is not one of")]);
  });
});

describe('on a machine without cfn-lint', () => {
  it('fails, saying how to install it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-tools-'));
    try {
      await expect(cfnLint([file(PROVIDER_TEMPLATE)], { env: { PATH: empty } })).rejects.toThrow(
        PIP_INSTALL,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
