/**
 * What changed between two property sets, as a person reads an Update request.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';

/** One changed leaf (or a whole list/mapping that appeared, disappeared or changed shape). */
export interface PropertyChange {
  /** Dotted path below `Properties`. */
  readonly path: string;
  /** undefined = absent. */
  readonly before: unknown;
  readonly after: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The differences between `before` and `after`, descending into mappings present on both sides.
 *
 * @example
 * propertyChanges({ A: { B: 'x' } }, { A: { B: 'y' } }) // [{ path: 'A.B', before: 'x', after: 'y' }]
 */
export function propertyChanges(before: unknown, after: unknown, path = ''): PropertyChange[] {
  if (isDeepStrictEqual(before, after)) return [];
  if (!isRecord(before) || !isRecord(after)) return [{ path, before, after }];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.flatMap((key) =>
    propertyChanges(before[key], after[key], path === '' ? key : `${path}.${key}`),
  );
}
