import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  botocoreModelPath,
  KEPT_OPERATIONS,
  modelSubset,
  readBotocoreModel,
} from '../../../local/verified-permissions/botocore-model.js';
import { validateOperationInput } from '../../../local/verified-permissions/input-validation.js';
import { API_MODEL_URL, loadApiModel } from '../../../local/verified-permissions/model.js';

describe('the committed API model (api-model.json)', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('is what the installed botocore gives (npm run update-api-model rewrites it)', () => {
    const committed = JSON.parse(readFileSync(API_MODEL_URL, 'utf8'));
    expect(
      committed,
      'api-model.json differs from the installed botocore: run npm run update-api-model',
    ).toEqual(modelSubset(readBotocoreModel()));
  });

  it("keeps the double's operations, the alias operations and every shape they reach", () => {
    const model = loadApiModel();
    expect(model.metadata).toMatchObject({
      targetPrefix: 'VerifiedPermissions',
      signingName: 'verifiedpermissions',
    });
    expect(Object.keys(model.operations)).toEqual(KEPT_OPERATIONS);
    const named = Object.values(model.shapes).flatMap((shape) => [
      ...Object.values(shape.members ?? {}).map((ref) => ref.shape),
      ...[shape.member, shape.key, shape.value].flatMap((ref) => (ref ? [ref.shape] : [])),
    ]);
    for (const name of named) expect(model.shapes, name).toHaveProperty([name]);
    expect(validateOperationInput(model, 'CreateIdentitySource', {})).not.toEqual([]);
    expect(
      validateOperationInput(model, 'GetIdentitySource', {
        policyStoreId: 'policy-store-alias/my-store',
        identitySourceId: 'ISEXAMPLEabcdefg111111',
      }),
    ).toEqual([]);
  });

  it('names the missing operation when botocore lacks one', () => {
    const full = readBotocoreModel();
    const operations = { ...(full.operations as Record<string, never>) };
    delete operations.GetPolicyStoreAlias;
    expect(() => modelSubset({ ...full, operations })).toThrow(/no operation GetPolicyStoreAlias/);
  });

  it('fails with the pip install line when python3 or botocore is missing', () => {
    expect(botocoreModelPath()).toMatch(/verifiedpermissions\/2021-12-01\/service-2\.json\.gz$/);
    process.env.PATH = '/nonexistent';
    expect(() => botocoreModelPath()).toThrow(/pip install botocore/);
  });
});
