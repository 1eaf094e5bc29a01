/**
 * The npm cfn-lint (1.9.x, retired, 2019 specification) finds nothing wrong in any template,
 * with the adjustments of support/cfn-lint.ts for what its specification cannot know: resource
 * types it lacks (AWS::VerifiedPermissions::*) are linted as custom-resource stand-ins and
 * their properties checked against the current CloudFormation model instead, and "not a valid
 * property" is excused only for property paths the current model has.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type LintOutcome, lintTemplates } from './support/cfn-lint.js';
import {
  allTemplatePaths,
  type CfnTemplate,
  clone,
  loadTemplate,
  PROVIDER_TEMPLATE,
} from './support/templates.js';

const paths = await allTemplatePaths();
let outcomes: Record<string, LintOutcome>;

beforeAll(async () => {
  const templates: Record<string, CfnTemplate> = {};
  for (const path of paths) templates[path] = await loadTemplate(path);
  outcomes = await lintTemplates(templates);
});

describe.each(paths)('%s', (path) => {
  it('passes cfn-lint', () => {
    expect(outcomes[path]?.failures).toEqual([]);
  });
});

describe('the cfn-lint adjustments', () => {
  it('stand in only for the types cfn-lint 1.9 predates', () => {
    const types = new Set(paths.flatMap((p) => Object.values(outcomes[p]?.standIns ?? {})));
    expect([...types].sort()).toEqual([
      'AWS::Serverless::HttpApi',
      'AWS::VerifiedPermissions::IdentitySource',
      'AWS::VerifiedPermissions::Policy',
      'AWS::VerifiedPermissions::PolicyStore',
    ]);
  });

  it('excuse in template.yaml only Architectures, which cfn-lint 1.9 predates', () => {
    expect(outcomes[PROVIDER_TEMPLATE]?.excused.map((f) => f.resource)).toEqual([
      'Resources > Function > Properties > Architectures',
    ]);
  });

  it('still report real mistakes, around and inside stand-ins', async () => {
    const broken = clone(await loadTemplate('examples/cognito.yaml'));
    const resources = broken.Resources;
    // A dangling Ref inside a stand-in (cfn-lint), a misspelled property of a stand-in
    // (service spec), a misspelled property of a type cfn-lint knows, a missing required
    // property of a stand-in, and a type nobody knows.
    resources.PolicyStore!.Properties = { ValidationSettings: { Mode: { Ref: 'NoSuchThing' } } };
    resources.PolicyStore!.Properties.Descripton = 'typo';
    resources.UserPoolClient!.Properties = { ...resources.UserPoolClient!.Properties, Bogus: 1 };
    resources.Policy = { Type: 'AWS::VerifiedPermissions::Policy', Properties: {} };
    resources.Typo = { Type: 'AWS::VerifiedPermissions::IdentitySorce', Properties: {} };

    const { failures } = (await lintTemplates({ broken })).broken!;
    const messages = failures.map((f) => f.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'Referenced value NoSuchThing does not exist',
        'Descripton is not a property of AWS::VerifiedPermissions::PolicyStore (service spec)',
        'Bogus is not a valid property of AWS::Cognito::UserPoolClient',
        'required property Definition of AWS::VerifiedPermissions::Policy is missing (service spec)',
        'required property PolicyStoreId of AWS::VerifiedPermissions::Policy is missing (service spec)',
        'unknown resource type AWS::VerifiedPermissions::IdentitySorce',
      ]),
    );
    expect(failures).toHaveLength(6);
  });

  it('excuse a property cfn-lint lacks only where the current model has it', async () => {
    const template = clone(await loadTemplate(PROVIDER_TEMPLATE));
    const table = template.Resources.IdempotencyTable!.Properties!;
    table.PointInTimeRecoverySpecification = {
      PointInTimeRecoveryEnabled: true,
      RecoveryPeriodInDays: 35, // newer than cfn-lint's specification
    };
    table.SSESpecification = { SSEEnabled: true, NotAProperty: true };

    const outcome = (await lintTemplates({ template })).template!;
    expect(outcome.failures.map((f) => f.message)).toEqual([
      'NotAProperty is not a valid property of AWS::DynamoDB::Table.SSESpecification',
    ]);
    expect(outcome.excused.map((f) => f.resource)).toEqual(
      expect.arrayContaining([
        'Resources > IdempotencyTable > Properties > PointInTimeRecoverySpecification > RecoveryPeriodInDays',
      ]),
    );
  });
});
