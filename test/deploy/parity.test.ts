/**
 * Parity with the native AWS::VerifiedPermissions::IdentitySource, read from
 * @aws-cdk/aws-service-spec: the same property names (nested ones included), the native
 * create-only properties cause replacement, and the native read-only attributes come back.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseProperties } from '../../src/identity-source/properties.js';
import { ACCEPTED_PROPERTY_NAMES } from '../../src/identity-source/property-rules.js';
import { dataFor } from '../../src/identity-source/translate.js';
import { planUpdate } from '../../src/identity-source/update.js';
import { cognitoProperties, IDENTITY_SOURCE_ID, updateResource } from '../fixtures/requests.js';
import { loadNativeModel, type NativeResourceModel } from './support/native-model.js';

/** This provider's additions to the native properties (documented in the README). */
const PROVIDER_ADDITIONS = ['Region', 'UpdateConfiguration', 'RoleArn', 'AdoptExisting'];

let native: NativeResourceModel;
beforeAll(async () => {
  native = await loadNativeModel();
});

const sorted = (names: readonly string[]) => [...names].sort();

describe('parity with the native resource type', () => {
  it("accepts exactly the native top-level properties, plus the provider's additions", () => {
    expect(sorted(ACCEPTED_PROPERTY_NAMES.IdentitySource)).toEqual(
      sorted([...native.propertyNames, ...PROVIDER_ADDITIONS]),
    );
  });

  it('accepts exactly the native property names of every nested type', () => {
    const nestedTypes = Object.keys(native.types).sort();
    const ours = Object.keys(ACCEPTED_PROPERTY_NAMES)
      .filter((name) => name !== 'IdentitySource')
      .sort();
    expect(ours).toEqual(nestedTypes);
    for (const typeName of nestedTypes) {
      const accepted = ACCEPTED_PROPERTY_NAMES[typeName as keyof typeof ACCEPTED_PROPERTY_NAMES];
      expect(sorted(accepted), typeName).toEqual(
        sorted(native.types[typeName]?.propertyNames ?? []),
      );
    }
  });

  it('requires what the native type requires', () => {
    const parsed = parseProperties({});
    const missing = parsed.ok
      ? []
      : parsed.problems.filter((p) => p.message === 'is required').map((p) => p.path);
    expect(sorted(missing)).toEqual(sorted(native.requiredPropertyNames));
  });

  it('treats every native create-only property as replacement', () => {
    for (const name of native.createOnlyPropertyNames) {
      const changed = cognitoProperties({ [name]: 'PSchanged0000000000000' });
      const plan = planUpdate(updateResource(IDENTITY_SOURCE_ID, changed, cognitoProperties()), {
        defaultRegion: 'eu-west-1',
      });
      expect(plan, name).toMatchObject({
        action: 'replace',
        replaces: { identitySourceId: IDENTITY_SOURCE_ID },
      });
    }
  });

  it('returns every native read-only attribute for a Cognito source', () => {
    const parsed = parseProperties(cognitoProperties());
    if (!parsed.ok) throw new Error('fixture invalid');
    const data = dataFor('IS1', parsed.properties.configuration);
    // `Details` itself is a deprecated object attribute; its members are returned flat.
    const leafAttributes = native.attributeNames.filter(
      (name) => !native.deprecatedAttributeNames.includes(name),
    );
    expect(sorted(Object.keys(data))).toEqual(sorted(leafAttributes));
  });
});
