/**
 * Checks an operation's input against the constraints the API model declares — required
 * members, string length/pattern/enum, list length, integer range and "exactly one member" for
 * unions — the checks the service makes before it acts on a request, with its error wording.
 * The constraints are read from the model, never copied by hand.
 *
 * @module
 */
import type { ApiModel, Shape } from './model.js';

/** One broken constraint: where (dotted member path, `[i]` for list items) and what. */
export interface FieldViolation {
  path: string;
  message: string;
}

/**
 * Checks `input` against the input shape of `operation`.
 *
 * Patterns are matched against the whole value (the model's patterns are unanchored, but the
 * service, like the CloudFormation schema's `^…$` versions of them, requires a full match).
 * Members the model does not know are ignored, as the JSON protocol does.
 *
 * @returns the violations, empty when the input is valid.
 * @throws Error when the model has no such operation.
 */
export function validateOperationInput(
  model: ApiModel,
  operation: string,
  input: unknown,
): FieldViolation[] {
  const op = model.operations[operation];
  if (!op) throw new Error(`the model has no operation ${operation}`);
  const violations: FieldViolation[] = [];
  if (op.input) validateValue(model, op.input.shape, input, '', violations);
  return violations;
}

/**
 * The service's summary message for a list of violations, in the wording AWS services use
 * ("2 validation errors detected: Value at 'x' failed to satisfy constraint: …").
 */
export function validationMessage(violations: readonly FieldViolation[]): string {
  const n = violations.length;
  const details = violations.map((v) => v.message).join('; ');
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${details}`;
}

function validateValue(
  model: ApiModel,
  shapeName: string,
  value: unknown,
  path: string,
  out: FieldViolation[],
): void {
  const shape = model.shapes[shapeName];
  if (!shape) throw new Error(`the model has no shape ${shapeName}`);
  const fail = (constraint: string): void => {
    const shown =
      shape.sensitive || typeof value === 'object' ? '' : ` '${String(value).slice(0, 100)}'`;
    out.push({
      path,
      message: `Value${shown} at '${path}' failed to satisfy constraint: ${constraint}`,
    });
  };
  switch (shape.type) {
    case 'structure':
      validateStructure(model, shape, value, path, out, fail);
      return;
    case 'list':
      if (!Array.isArray(value)) {
        fail('Member must be a list');
        return;
      }
      checkRange(value.length, shape, 'length', fail);
      value.forEach((item, i) => {
        if (shape.member) validateValue(model, shape.member.shape, item, `${path}[${i}]`, out);
      });
      return;
    case 'string':
      if (typeof value !== 'string') {
        fail('Member must be a string');
        return;
      }
      checkRange([...value].length, shape, 'length', fail);
      if (shape.pattern !== undefined && !new RegExp(`^(?:${shape.pattern})$`).test(value)) {
        fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      if (shape.enum && !shape.enum.includes(value)) {
        fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      }
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        fail('Member must be an integer');
        return;
      }
      checkRange(value, shape, 'value', fail);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail('Member must be a boolean');
      return;
    default:
      return;
  }
}

function validateStructure(
  model: ApiModel,
  shape: Shape,
  value: unknown,
  path: string,
  out: FieldViolation[],
  fail: (constraint: string) => void,
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('Member must be a structure');
    return;
  }
  const record = value as Record<string, unknown>;
  const members = shape.members ?? {};
  const isSet = (name: string): boolean => record[name] !== undefined && record[name] !== null;
  if (shape.union) {
    const set = Object.keys(members).filter(isSet);
    if (set.length !== 1) {
      fail(
        `Member must have exactly one of [${Object.keys(members).join(', ')}] set, found ${set.length}`,
      );
    }
  }
  for (const name of shape.required ?? []) {
    if (!isSet(name)) {
      const memberPath = path ? `${path}.${name}` : name;
      out.push({
        path: memberPath,
        message: `Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`,
      });
    }
  }
  for (const [name, ref] of Object.entries(members)) {
    if (isSet(name)) {
      validateValue(model, ref.shape, record[name], path ? `${path}.${name}` : name, out);
    }
  }
}

function checkRange(
  actual: number,
  shape: Shape,
  what: 'length' | 'value',
  fail: (constraint: string) => void,
): void {
  const noun = what === 'length' ? 'have length' : 'have value';
  if (shape.min !== undefined && actual < shape.min) {
    fail(`Member must ${noun} greater than or equal to ${shape.min}`);
  }
  if (shape.max !== undefined && actual > shape.max) {
    fail(`Member must ${noun} less than or equal to ${shape.max}`);
  }
}
