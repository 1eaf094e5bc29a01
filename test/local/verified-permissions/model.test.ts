import { describe, expect, it } from 'vitest';
import {
  loadApiModel,
  PROTOCOL_ONLY_MODEL,
  validateOperationInput,
} from '../../../local/verified-permissions/model.js';

const missing = new URL('file:///nonexistent/verifiedpermissions.model.json');

describe('loadApiModel', () => {
  it('reads the reference model beside the checkout', () => {
    const model = loadApiModel();
    expect(model.metadata.targetPrefix).toBe('VerifiedPermissions');
    expect(validateOperationInput(model, 'CreateIdentitySource', {})).not.toEqual([]);
  });

  it('fails without the model unless told it may run unvalidated', () => {
    expect(() => loadApiModel(missing)).toThrow(/ENOENT/);
    const model = loadApiModel(missing, { required: false });
    expect(model).toBe(PROTOCOL_ONLY_MODEL);
    expect(validateOperationInput(model, 'CreateIdentitySource', {})).toEqual([]);
  });
});
