/**
 * Names the npm package a file belongs to, for grouping bytes and CPU samples by package.
 *
 * @module
 */

/** The provider's own code, wherever it was compiled to. */
export const OWN_CODE = 'own code (src/)';

/**
 * `@scope/name` or `name` for a path inside `node_modules` (the innermost one), else
 * {@link OWN_CODE} for the project's `src/`, else the path itself.
 */
export function packageOf(path: string): string {
  const normalized = path.replaceAll('\\', '/');
  const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(normalized);
  if (match?.[1]) return match[1];
  if (/(^|\/)src\//.test(normalized)) return OWN_CODE;
  return normalized;
}
