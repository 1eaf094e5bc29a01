/**
 * Nested property values as indented, YAML-like lines for a person to read.
 *
 * @module
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isScalar = (value: unknown): boolean => value === null || typeof value !== 'object';

function scalar(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value) ?? String(value);
}

function inline(value: unknown): string | undefined {
  if (isScalar(value)) return scalar(value);
  if (Array.isArray(value) && value.every(isScalar)) return `[${value.map(scalar).join(', ')}]`;
  if (isRecord(value) && Object.keys(value).length === 0) return '{}';
  return undefined;
}

/**
 * The lines of a value: `key: scalar`, lists of scalars as `[a, b]`, mappings nested two
 * spaces deeper, lists of mappings as `- ` items.
 *
 * @example
 * formatValue({ A: 'x', B: { C: ['1', '2'] } }, '  ') // ['  A: x', '  B:', '    C: [1, 2]']
 */
export function formatValue(value: unknown, indent = ''): string[] {
  const single = inline(value);
  if (single !== undefined) return [`${indent}${single}`];
  const lines: string[] = [];
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((item) => ['-', item])
    : Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const prefix = key === '-' && Array.isArray(value) ? '-' : `${key}:`;
    const itemInline = inline(item);
    if (itemInline !== undefined) lines.push(`${indent}${prefix} ${itemInline}`);
    else lines.push(`${indent}${prefix}`, ...formatValue(item, `${indent}  `));
  }
  return lines;
}
