/**
 * Distribution through the AWS Serverless Application Repository: template.yaml carries the
 * AWS::ServerlessRepo::Application metadata `sam publish` needs, within SAR's limits and in step
 * with package.json (version, license) and the files it names; examples/nested-application.yaml
 * nests that application and uses its ServiceToken output. (It is linted and translated, nested
 * application resolved, with the other templates: cfn-lint.test.ts, sam-transform.test.ts.)
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIntrinsic } from './support/native-model.js';
import {
  CUSTOM_TYPE,
  loadTemplate,
  PROVIDER_TEMPLATE,
  projectRoot,
  resourcesOfType,
} from './support/templates.js';

const template = await loadTemplate(PROVIDER_TEMPLATE);
const pkg = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
};
const sar = (template.Metadata as Record<string, Record<string, unknown>>)[
  'AWS::ServerlessRepo::Application'
]!;
const NESTED_EXAMPLE = 'examples/nested-application.yaml';
const nested = await loadTemplate(NESTED_EXAMPLE);

/** Whether any value below `value` is an intrinsic function. */
function hasIntrinsic(value: unknown): boolean {
  if (isIntrinsic(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(hasIntrinsic);
}

describe('the Serverless Application Repository metadata of template.yaml', () => {
  it('has what sam publish requires, within its limits (SAM developer guide)', () => {
    expect(sar.Name).toMatch(/^[a-zA-Z0-9-]{1,140}$/);
    expect(String(sar.Description).length).toBeGreaterThan(0);
    expect(String(sar.Description).length).toBeLessThanOrEqual(256);
    expect(sar.Author).toMatch(/^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/);
    expect(String(sar.Author).length).toBeLessThanOrEqual(127);
    const labels = sar.Labels as string[];
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.length).toBeLessThanOrEqual(10);
    for (const label of labels) expect(label).toMatch(/^[a-zA-Z0-9+\-_:/@]{1,127}$/);
    expect(sar.HomePageUrl).toMatch(/^https:\/\//);
    expect(sar.SourceCodeUrl).toMatch(/^https:\/\//);
    expect(hasIntrinsic(sar), 'SAR does not resolve intrinsic functions').toBe(false);
  });

  it("has package.json's version as SemanticVersion", () => {
    expect(sar.SemanticVersion).toBe(pkg.version);
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("has package.json's SPDX license, with the license file beside it", async () => {
    expect(sar.SpdxLicenseId).toBe(pkg.license);
    expect(sar.SpdxLicenseId).toBe('MIT-0');
    const license = await readFile(join(projectRoot, String(sar.LicenseUrl)), 'utf8');
    expect(license.split('\n')[0]).toBe('MIT No Attribution'); // the SPDX MIT-0 text's title
  });

  it('names the README that sam package uploads', async () => {
    expect(sar.ReadmeUrl).toBe('README.md');
    await expect(access(join(projectRoot, String(sar.ReadmeUrl)))).resolves.toBeUndefined();
  });
});

describe(NESTED_EXAMPLE, () => {
  const apps = resourcesOfType(nested, 'AWS::Serverless::Application');
  const [appId, app] = apps[0] ?? ['', { Type: '', Properties: {} }];
  const location = (app.Properties?.Location ?? {}) as Record<string, unknown>;
  const mappings = nested.Mappings as { ProviderApplication: Record<string, { Id: string }> };

  it("nests the published provider, once, at package.json's version", () => {
    expect(apps).toHaveLength(1);
    expect(location.SemanticVersion).toBe(pkg.version);
    expect(location.ApplicationId).toEqual({
      'Fn::FindInMap': ['ProviderApplication', { Ref: 'AWS::Partition' }, 'Id'],
    });
  });

  it("names, for each partition, an application of that name in that partition's repository", () => {
    const regions: Record<string, RegExp> = {
      aws: /^(us|eu|ap|ca|sa|me|af|il|mx)-[a-z]+-\d$/,
      'aws-cn': /^cn-[a-z]+-\d$/,
      'aws-us-gov': /^us-gov-[a-z]+-\d$/,
    };
    expect(Object.keys(mappings.ProviderApplication).sort()).toEqual(Object.keys(regions).sort());
    for (const [partition, { Id }] of Object.entries(mappings.ProviderApplication)) {
      const [arn, part, service, region, account, resource] = Id.split(':');
      expect([arn, part, service], Id).toEqual(['arn', partition, 'serverlessrepo']);
      expect(region, Id).toMatch(regions[partition]!);
      expect(account, Id).toMatch(/^\d{12}$/);
      expect(resource).toBe(`applications/${sar.Name}`);
    }
  });

  it("passes only template.yaml's parameters, and takes the ServiceToken output template.yaml has", () => {
    const parameters = Object.keys((app.Properties?.Parameters as object | undefined) ?? {});
    expect(parameters.filter((p) => !(p in (template.Parameters ?? {})))).toEqual([]);
    expect(template.Outputs?.ServiceToken).toBeDefined();
    for (const [id, resource] of resourcesOfType(nested, CUSTOM_TYPE)) {
      expect(resource.Properties?.ServiceToken, id).toEqual({
        'Fn::GetAtt': [appId, 'Outputs.ServiceToken'],
      });
    }
  });

  it('says that it needs CAPABILITY_AUTO_EXPAND (and CAPABILITY_IAM)', async () => {
    const text = await readFile(join(projectRoot, NESTED_EXAMPLE), 'utf8');
    expect(text).toContain('--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND');
  });
});

describe("README's deploy section", () => {
  it('shows both ways: sam deploy from a clone, and the nested application', async () => {
    const readme = await readFile(join(projectRoot, 'README.md'), 'utf8');
    const start = readme.indexOf('\n## Deploy the provider\n');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    for (const needed of [
      'sam build',
      'sam deploy',
      'AWS::Serverless::Application',
      'Outputs.ServiceToken',
      'CAPABILITY_AUTO_EXPAND',
      NESTED_EXAMPLE,
    ]) {
      expect(section, needed).toContain(needed);
    }
  });
});
