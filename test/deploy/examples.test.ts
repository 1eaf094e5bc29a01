/**
 * The example templates use Custom::VerifiedPermissionsIdentitySource as a drop-in for
 * AWS::VerifiedPermissions::IdentitySource: only the native property names (plus
 * CloudFormation's ServiceToken and the provider's Region, RoleArn and AdoptExisting), only the
 * native attributes, and the provider stack's export as ServiceToken. Also checks what each
 * example is for.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { declaredRegions } from './support/cfn-regions.js';
import {
  IDENTITY_SOURCE_TYPE,
  loadNativeModel,
  type NativeResourceModel,
  unknownPropertyPaths,
} from './support/native-model.js';
import { parseSamConfig } from './support/samconfig.js';
import {
  type CfnTemplate,
  CUSTOM_TYPE,
  exampleTemplatePaths,
  loadTemplate,
  PROVIDER_TEMPLATE,
  projectRoot,
  resourcesOfType,
} from './support/templates.js';

/** Top-level keys the custom resource accepts beyond the native ones (CONTRACT.md). */
const EXTRA_PROPERTIES = ['ServiceToken', 'ServiceTimeout', 'Region', 'RoleArn', 'AdoptExisting'];
const NATIVE_ONLY = 'examples/native-migration/native.yaml';
/** For the policy store account: the role the provider assumes, no identity source. */
const TARGET_ROLE = 'examples/cross-account/target-role.yaml';

const paths = await exampleTemplatePaths();
const templates: Record<string, CfnTemplate> = {};
for (const path of paths) templates[path] = await loadTemplate(path);
const example = (path: string): CfnTemplate => {
  const template = templates[path];
  if (!template) throw new Error(`missing example ${path}`);
  return template;
};

const template = await loadTemplate(PROVIDER_TEMPLATE);
const providerTemplate = template;
/** Every action of the provider function's inline policy statements (Fn::If branches skipped). */
function providerActions(): string[] {
  const policies = (template.Resources.Function?.Properties?.Policies ?? []) as {
    Statement: { Action?: string | string[] }[];
  }[];
  return policies
    .flatMap((policy) => policy.Statement)
    .flatMap((statement) => statement.Action ?? []);
}

let model: NativeResourceModel;
beforeAll(async () => {
  model = await loadNativeModel(IDENTITY_SOURCE_TYPE);
});

/** Every `Fn::GetAtt` in `value` as `[logicalId, attribute]`, `${A.B}` of `Fn::Sub` included. */
function getAtts(value: unknown, out: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(value)) for (const v of value) getAtts(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Fn::GetAtt') {
        const [id, attribute] = typeof v === 'string' ? v.split(/\.(.*)/s) : (v as string[]);
        out.push([String(id), String(attribute)]);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)\.([^}]+)\}/g)) {
          out.push([m[1]!, m[2]!]);
        }
        if (Array.isArray(v)) getAtts(v[1], out);
      } else getAtts(v, out);
    }
  }
  return out;
}

/** Every `Ref` and `Fn::GetAtt` target (logical id or parameter) in `value`. */
function referencedNames(value: unknown): string[] {
  const names = new Set<string>(getAtts(value).map(([id]) => id));
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [key, inner] of Object.entries(v)) {
        if (key === 'Ref' && typeof inner === 'string') names.add(inner);
        else walk(inner);
      }
    }
  };
  walk(value);
  return [...names].sort();
}

/** Dotted paths at which `a` and `b` differ (a key present on one side only counts). */
function differences(a: unknown, b: unknown, path = ''): string[] {
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) =>
    differences(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      path ? `${path}.${key}` : key,
    ),
  );
}

describe.each(paths.filter((p) => p !== NATIVE_ONLY && p !== TARGET_ROLE))('%s', (path) => {
  const template = example(path);
  const custom = resourcesOfType(template, CUSTOM_TYPE);

  it('uses the custom resource type', () => {
    expect(custom.length).toBeGreaterThan(0);
  });

  it('gives it only native property names (+ ServiceToken, Region), nested ones included', () => {
    for (const [logicalId, resource] of custom) {
      expect(
        unknownPropertyPaths(model, resource.Properties ?? {}, EXTRA_PROPERTIES),
        logicalId,
      ).toEqual([]);
      for (const required of model.requiredPropertyNames) {
        expect(resource.Properties, logicalId).toHaveProperty(required);
      }
    }
  });

  it('sets ServiceTimeout: a wrong ServiceToken or a deleted provider fails in minutes, not an hour', () => {
    for (const [logicalId, resource] of custom) {
      const timeout = Number(resource.Properties?.ServiceTimeout);
      // above the function's timeout (the provider answers within it), well below the default 3600
      const functionTimeout = Number(providerTemplate.Resources.Function?.Properties?.Timeout);
      expect(timeout, logicalId).toBeGreaterThan(functionTimeout);
      expect(timeout, logicalId).toBeLessThanOrEqual(1_800);
      expect(Number.isInteger(timeout), logicalId).toBe(true);
    }
  });

  it('gets only native attributes from it', () => {
    const customIds = new Set(custom.map(([id]) => id));
    const used = getAtts(template).filter(([id]) => customIds.has(id));
    for (const [id, attribute] of used) {
      expect(model.attributeNames, `${id}.${attribute}`).toContain(attribute);
    }
  });

  it("takes its ServiceToken from the provider stack's export, or from the nested provider", async () => {
    const [nested] = resourcesOfType(template, 'AWS::Serverless::Application');
    if (nested) {
      for (const [logicalId, resource] of custom) {
        expect(resource.Properties?.ServiceToken, logicalId).toEqual({
          'Fn::GetAtt': [nested[0], 'Outputs.ServiceToken'],
        });
      }
      return;
    }
    const samconfig = parseSamConfig(await readFile(join(projectRoot, 'samconfig.toml'), 'utf8'));
    const stackName = samconfig.tables['default.deploy.parameters']?.stack_name;
    expect(template.Parameters?.ProviderStackName).toMatchObject({
      Type: 'String',
      Default: stackName,
    });
    for (const [logicalId, resource] of custom) {
      expect(resource.Properties?.ServiceToken, logicalId).toEqual({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
        'Fn::ImportValue': { 'Fn::Sub': '${ProviderStackName}-ServiceToken' },
      });
    }
  });
});

describe('examples/cognito.yaml (also what npm start drives)', () => {
  const template = example('examples/cognito.yaml');
  const identitySource = template.Resources.IdentitySource!;

  it('builds the store, pool and client natively and the identity source with the provider', () => {
    expect(template.Resources.PolicyStore).toEqual({
      Type: 'AWS::VerifiedPermissions::PolicyStore',
      Properties: expect.objectContaining({ ValidationSettings: { Mode: 'OFF' } }),
    });
    expect(template.Resources.UserPool?.Type).toBe('AWS::Cognito::UserPool');
    expect(template.Resources.UserPoolClient?.Type).toBe('AWS::Cognito::UserPoolClient');
    expect(identitySource.Type).toBe(CUSTOM_TYPE);
    const { ServiceToken: _, ...properties } = identitySource.Properties ?? {};
    expect(properties).toEqual({
      ServiceTimeout: 900,
      PolicyStoreId: { Ref: 'PolicyStore' },
      PrincipalEntityType: 'MyApp::User',
      Configuration: {
        CognitoUserPoolConfiguration: {
          UserPoolArn: { 'Fn::GetAtt': ['UserPool', 'Arn'] },
          ClientIds: [{ Ref: 'UserPoolClient' }],
          GroupConfiguration: { GroupEntityType: 'MyApp::Group' },
        },
      },
    });
  });

  it('resolves the identity source inputs from this template alone', () => {
    for (const path of ['examples/cognito.yaml', 'examples/cognito-update.yaml']) {
      const t = example(path);
      const { ServiceToken: _, ...properties } = t.Resources.IdentitySource?.Properties ?? {};
      for (const name of referencedNames(properties)) {
        const resolvable = name in t.Resources || t.Parameters?.[name]?.Default !== undefined;
        expect(resolvable, `${path}: ${name}`).toBe(true);
      }
    }
  });

  it('outputs the Ref and the native attributes of the identity source', () => {
    const values = Object.values(template.Outputs ?? {}).map((o) => o.Value);
    expect(values).toEqual(
      expect.arrayContaining([
        { Ref: 'IdentitySource' },
        { 'Fn::GetAtt': ['IdentitySource', 'IdentitySourceId'] },
        { 'Fn::GetAtt': ['IdentitySource', 'Details.UserPoolArn'] },
      ]),
    );
  });
});

describe('examples/cognito-update.yaml', () => {
  it('differs from cognito.yaml only in properties the identity source updates in place', () => {
    const diff = differences(
      example('examples/cognito.yaml'),
      example('examples/cognito-update.yaml'),
    );
    expect(diff.length).toBeGreaterThan(0);
    const prefix = 'Resources.IdentitySource.Properties.';
    for (const path of diff) {
      expect(path.startsWith(prefix), path).toBe(true);
      const property = path.slice(prefix.length);
      for (const replacing of [...model.createOnlyPropertyPaths, 'Region']) {
        expect(property === replacing || property.startsWith(`${replacing}.`), path).toBe(false);
      }
    }
    expect(diff.sort()).toEqual([
      `${prefix}Configuration.CognitoUserPoolConfiguration.GroupConfiguration.GroupEntityType`,
      `${prefix}PrincipalEntityType`,
    ]);
  });
});

describe('examples/oidc.yaml', () => {
  it('configures an OIDC provider with access tokens, groups and an entity id prefix', () => {
    const template = example('examples/oidc.yaml');
    const configuration = template.Resources.IdentitySource?.Properties?.Configuration ?? {};
    const oidc = (configuration as Record<string, unknown>).OpenIdConnectConfiguration;
    expect(oidc).toEqual({
      Issuer: { Ref: 'Issuer' },
      EntityIdPrefix: expect.anything(),
      GroupConfiguration: { GroupClaim: expect.anything(), GroupEntityType: expect.any(String) },
      TokenSelection: {
        AccessTokenOnly: { Audiences: expect.anything(), PrincipalIdClaim: expect.anything() },
      },
    });
    expect(template.Parameters?.Issuer).toMatchObject({
      Type: 'String',
      AllowedPattern: '^https://.*$',
    });
    expect(template.Parameters?.Audiences?.Type).toBe('CommaDelimitedList');
  });
});

describe('examples/cross-region.yaml', () => {
  it('creates the identity source in the region of a store given by parameters', () => {
    const template = example('examples/cross-region.yaml');
    const properties = template.Resources.IdentitySource?.Properties ?? {};
    expect(properties.Region).toEqual({ Ref: 'PolicyStoreRegion' });
    expect(properties.PolicyStoreId).toEqual({ Ref: 'PolicyStoreId' });
    expect(template.Parameters?.PolicyStoreRegion?.Type).toBe('String');
    expect(template.Parameters?.PolicyStoreId?.Type).toBe('String');
    expect(resourcesOfType(template, 'AWS::VerifiedPermissions::PolicyStore')).toEqual([]);
  });
});

describe('examples/cross-account', () => {
  const application = example('examples/cross-account/application.yaml');
  const role = example(TARGET_ROLE);

  it('application.yaml manages the identity source with a role given by a parameter', () => {
    const properties = application.Resources.IdentitySource?.Properties ?? {};
    expect(properties.RoleArn).toEqual({ Ref: 'IdentitySourceRoleArn' });
    expect(properties.PolicyStoreId).toEqual({ Ref: 'PolicyStoreId' });
    expect(application.Parameters?.IdentitySourceRoleArn?.AllowedPattern).toBe(
      String(template.Parameters?.AssumableRoleArns?.AllowedPattern).replace(/^\^\$\|/, ''),
    );
    expect(resourcesOfType(application, 'AWS::VerifiedPermissions::PolicyStore')).toEqual([]);
  });

  it('target-role.yaml lets only the provider function role assume it, for what the provider calls', () => {
    const [[, resource] = []] = resourcesOfType(role, 'AWS::IAM::Role');
    const properties = (resource?.Properties ?? {}) as {
      AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] };
      Policies: { PolicyDocument: { Statement: { Action: string[] }[] } }[];
    };
    expect(properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: { Ref: 'ProviderFunctionRoleArn' } },
        Action: 'sts:AssumeRole',
      },
    ]);
    const granted = properties.Policies.flatMap((p) => p.PolicyDocument.Statement)
      .flatMap((s) => s.Action)
      .sort();
    // every action the provider's own role has on Verified Permissions and Cognito, no more
    const provider = providerActions().filter((a) => /^(verifiedpermissions|cognito-idp):/.test(a));
    expect(granted).toEqual(provider.sort());
  });
});

describe('examples/native-migration', () => {
  const native = example('examples/native-migration/native.yaml');
  const custom = example('examples/native-migration/custom.yaml');

  it('native.yaml is the native sample: one AWS::VerifiedPermissions::IdentitySource', () => {
    const resources = resourcesOfType(native, IDENTITY_SOURCE_TYPE);
    expect(Object.keys(native.Resources)).toEqual(['IdentitySource']);
    expect(unknownPropertyPaths(model, resources[0]?.[1].Properties)).toEqual([]);
    expect(Object.keys(native.Parameters ?? {}).sort()).toEqual([
      'ClientIds',
      'PolicyStoreId',
      'PrincipalEntityType',
      'UserPoolArn',
    ]);
    expect(native.Parameters?.ClientIds?.Type).toBe('CommaDelimitedList');
    expect(native.Outputs?.IdentitySourceId?.Value).toEqual({
      'Fn::GetAtt': ['IdentitySource', 'IdentitySourceId'],
    });
  });

  it('custom.yaml differs only in Type, ServiceToken, ServiceTimeout, AdoptExisting, the ProviderStackName parameter and its regions', () => {
    const regions = 'Metadata.cfn-lint.config.regions';
    const diff = differences(native, custom).map((p) => (p.startsWith(regions) ? regions : p));
    expect([...new Set(diff)].sort()).toEqual([
      regions,
      'Parameters.ProviderStackName',
      'Resources.IdentitySource.Properties.AdoptExisting',
      'Resources.IdentitySource.Properties.ServiceTimeout',
      'Resources.IdentitySource.Properties.ServiceToken',
      'Resources.IdentitySource.Type',
    ]);
    expect(custom.Resources.IdentitySource?.Type).toBe(CUSTOM_TYPE);
    // the migration takes over the retained native source, with no gap
    expect(custom.Resources.IdentitySource?.Properties?.AdoptExisting).toBe('true');
  });

  it('custom.yaml is meant for the regions without the native type that have Cognito, native.yaml not', () => {
    for (const region of ['ap-east-2', 'ap-southeast-6']) {
      expect(declaredRegions(custom), region).toContain(region);
      expect(declaredRegions(native), region).not.toContain(region);
    }
  });
});

describe('examples/sam-app/template.yaml', () => {
  it('is a SAM application whose function gets the policy store id', () => {
    const template = example('examples/sam-app/template.yaml');
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    const functions = resourcesOfType(template, 'AWS::Serverless::Function');
    expect(functions).toHaveLength(1);
    const environment = functions[0]?.[1].Properties?.Environment ?? {};
    const env = (environment as { Variables?: Record<string, unknown> }).Variables ?? {};
    expect(env.POLICY_STORE_ID).toEqual({ Ref: 'PolicyStore' });
  });
});

describe('the example helpers', () => {
  it('find GetAtt in long form, short form and Sub', () => {
    expect(
      getAtts({
        a: { 'Fn::GetAtt': ['X', 'Details.UserPoolArn'] },
        b: { 'Fn::GetAtt': 'Y.IdentitySourceId' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
        c: { 'Fn::Sub': '${Z.Arn}/${Param}' },
      }),
    ).toEqual([
      ['X', 'Details.UserPoolArn'],
      ['Y', 'IdentitySourceId'],
      ['Z', 'Arn'],
    ]);
  });

  it('list differences by path', () => {
    expect(differences({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] }, d: 0 })).toEqual([
      'b.c.1',
      'd',
    ]);
  });
});
