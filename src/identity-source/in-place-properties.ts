/**
 * Pure: whether two sets of properties ask for the same in-place state, so an Update between
 * them needs no API call.
 */
import type { IdentitySourceProperties } from './properties.js';

/**
 * Equal in everything an in-place update would send (lists compared as sets).
 *
 * @example
 * ```ts
 * sameInPlaceProperties(old.properties, next.properties); // true: only the order of ClientIds changed
 * ```
 */
export function sameInPlaceProperties(
  a: IdentitySourceProperties,
  b: IdentitySourceProperties,
): boolean {
  const inPlace = (p: IdentitySourceProperties) =>
    canonical({
      configuration: p.updateConfiguration ?? p.configuration,
      principalEntityType: p.principalEntityType,
    });
  return inPlace(a) === inPlace(b);
}

/** JSON with object keys sorted and lists sorted (the schema's lists are unordered). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
