/**
 * The regions that need this provider — CloudFormation has AWS::VerifiedPermissions::PolicyStore
 * there but not AWS::VerifiedPermissions::IdentitySource — computed from the installed cfn-lint's
 * per-region type lists, are exactly the ones README's "Where you need it" names, and it says
 * "OIDC only" exactly where those regions have no Cognito user pools. When cfn-lint's data
 * changes, the first test says which regions came or went. The examples are meant for regions
 * that fit them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALL_REGIONS,
  declaredRegions,
  expandRegions,
  regionsWith,
  regionTypes,
} from './support/cfn-regions.js';
import {
  allTemplatePaths,
  type CfnTemplate,
  CUSTOM_TYPE,
  exampleTemplatePaths,
  loadTemplate,
  PROVIDER_TEMPLATE,
  projectRoot,
  resourcesOfType,
} from './support/templates.js';

const POLICY_STORE = 'AWS::VerifiedPermissions::PolicyStore';
const IDENTITY_SOURCE = 'AWS::VerifiedPermissions::IdentitySource';
const USER_POOL = 'AWS::Cognito::UserPool';
/** What SAM makes of an AWS::Serverless::HttpApi. */
const HTTP_API_TYPES = ['AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Stage'];

const data = await regionTypes([POLICY_STORE, IDENTITY_SOURCE, USER_POOL, ...HTTP_API_TYPES]);
const needProvider = regionsWith(data, [POLICY_STORE], [IDENTITY_SOURCE]);
const withoutUserPools = regionsWith(data, [], [USER_POOL]);

/** The rows of README's "Where you need it" table: region code and whether it says OIDC only. */
function whereYouNeedIt(readme: string): Array<{ region: string; oidcOnly: boolean }> {
  const start = readme.indexOf('\n## Where you need it\n');
  expect(start, 'README has a "Where you need it" section').toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([a-z]{2}(?:-[a-z]+)+-\d+)` \|(.*)$/gm)].map((m) => ({
    region: m[1]!,
    oidcOnly: /OIDC only/.test(m[2]!),
  }));
}

const readme = whereYouNeedIt(await readFile(join(projectRoot, 'README.md'), 'utf8'));

describe('the regions that need the provider', () => {
  it('are the ones README\'s "Where you need it" lists (else: what changed in cfn-lint\'s data)', () => {
    const listed = readme.map((row) => row.region);
    expect({
      needTheProviderNowButNotInReadme: needProvider.filter((r) => !listed.includes(r)),
      inReadmeButHaveTheNativeTypeNow: listed.filter((r) => !needProvider.includes(r)),
    }).toEqual({ needTheProviderNowButNotInReadme: [], inReadmeButHaveTheNativeTypeNow: [] });
    expect(listed.length).toBeGreaterThan(0);
  });

  it('are "OIDC only" in the README exactly where there are no Cognito user pools', () => {
    const oidcOnly = readme.filter((row) => row.oidcOnly).map((row) => row.region);
    expect(oidcOnly).toEqual(needProvider.filter((r) => withoutUserPools.includes(r)));
  });
});

const templates: Record<string, CfnTemplate> = {};
for (const path of await allTemplatePaths()) templates[path] = await loadTemplate(path);
const examples = await exampleTemplatePaths();
const regionsOf = (path: string): string[] =>
  expandRegions(declaredRegions(templates[path]!) ?? [], data.regions);
const makes = (path: string, types: readonly string[]): boolean =>
  Object.values(templates[path]!.Resources).some((r) => types.includes(r.Type));

describe('the templates are meant for regions that fit them', () => {
  it('template.yaml: every region', () => {
    expect(declaredRegions(templates[PROVIDER_TEMPLATE]!)).toEqual([ALL_REGIONS]);
  });

  it.each(Object.keys(templates))('%s names only regions cfn-lint knows', (path) => {
    const declared = declaredRegions(templates[path]!) ?? [];
    expect(declared.filter((r) => r !== ALL_REGIONS && !data.regions.includes(r))).toEqual([]);
  });

  it('an OIDC example without Cognito is meant for every region that needs the provider', () => {
    const everywhere = examples.filter((path) => {
      const oidc = resourcesOfType(templates[path]!, CUSTOM_TYPE).some(
        ([, r]) => 'OpenIdConnectConfiguration' in Object(r.Properties?.Configuration),
      );
      const cognito = Object.values(templates[path]!.Resources).some((r) =>
        r.Type.startsWith('AWS::Cognito::'),
      );
      return oidc && !cognito && needProvider.every((r) => regionsOf(path).includes(r));
    });
    expect(everywhere).toContain('examples/oidc.yaml');
  });

  it.each(examples)('%s: no Cognito user pool where there are none', (path) => {
    if (!makes(path, [USER_POOL])) return;
    expect(regionsOf(path).filter((r) => withoutUserPools.includes(r))).toEqual([]);
  });

  it('examples/sam-app: not where its HTTP API or its Cognito user pool cannot be, and says so', async () => {
    const path = 'examples/sam-app/template.yaml';
    expect(makes(path, ['AWS::Serverless::HttpApi'])).toBe(true);
    const withHttpApi = regionsWith(data, HTTP_API_TYPES);
    expect(regionsOf(path).filter((r) => !withHttpApi.includes(r))).toEqual([]);
    expect(regionsOf(path).filter((r) => withoutUserPools.includes(r))).toEqual([]);
    const text = await readFile(join(projectRoot, path), 'utf8');
    const declaration = text.slice(text.indexOf('\nMetadata:'), text.indexOf('\nParameters:'));
    for (const reason of ['AWS::ApiGatewayV2::Stage', 'ap-east-2', 'ap-southeast-6', 'Cognito']) {
      expect(declaration, reason).toContain(reason);
    }
  });
});
