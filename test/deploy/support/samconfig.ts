/**
 * A minimal reader for `samconfig.toml`: `[a.b.c]` tables, `key = value` with basic strings,
 * booleans, numbers and (possibly multi-line) arrays of those, and `#` comments. Anything else
 * is an error, so the test notices if the file outgrows this reader.
 */

export type TomlValue = string | number | boolean | TomlValue[];

export interface SamConfig {
  /** Values by table, e.g. `tables['default.deploy.parameters'].stack_name`. */
  readonly tables: Readonly<Record<string, Readonly<Record<string, TomlValue>>>>;
  /** Top-level keys, e.g. `version`. */
  readonly root: Readonly<Record<string, TomlValue>>;
  /**
   * For every key and every array element, whether a comment line sits directly above it
   * (or a comment follows it on its line): `comments['default.deploy.parameters']['parameter_overrides[0]']`.
   */
  readonly commented: Readonly<Record<string, Readonly<Record<string, boolean>>>>;
}

/** Parses the subset of TOML described in this module's documentation. */
export function parseSamConfig(text: string): SamConfig {
  const root: Record<string, TomlValue> = {};
  const tables: Record<string, Record<string, TomlValue>> = {};
  const commented: Record<string, Record<string, boolean>> = { '': {} };
  let table = root;
  let tableName = '';
  let previousWasComment = false;
  const lines = text.split(/\r?\n/);

  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') {
      previousWasComment = false;
      continue;
    }
    if (line.startsWith('#')) {
      previousWasComment = true;
      continue;
    }
    const header = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line);
    if (header) {
      tableName = header[1]!;
      tables[tableName] ??= {};
      commented[tableName] ??= {};
      table = tables[tableName]!;
      previousWasComment = false;
      continue;
    }
    const entry = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!entry)
      throw new Error(`samconfig.toml line ${i + 1}: cannot read ${JSON.stringify(line)}`);
    const key = entry[1]!;
    const notes = commented[tableName]!;
    let rest = entry[2]!;
    if (rest.startsWith('[') && !closesArray(rest)) {
      // Multi-line array: one element per line, each may carry comments above it.
      const elements: TomlValue[] = [];
      notes[key] = previousWasComment;
      let elementCommented = false;
      const first = stripComment(rest.slice(1)).trim();
      if (first !== '')
        throw new Error(`samconfig.toml line ${i + 1}: put array elements on their own lines`);
      for (i++; i < lines.length; i++) {
        const inner = (lines[i] ?? '').trim();
        if (inner === '' || inner.startsWith('#')) {
          elementCommented = inner.startsWith('#');
          continue;
        }
        if (inner.startsWith(']')) break;
        const trailing = inner.includes('#');
        const value = stripComment(inner).trim().replace(/,$/, '');
        notes[`${key}[${elements.length}]`] = elementCommented || trailing;
        elements.push(parseScalar(value, i));
        elementCommented = false;
      }
      table[key] = elements;
    } else {
      notes[key] = previousWasComment || rest.includes('#');
      rest = stripComment(rest).trim();
      table[key] = rest.startsWith('[')
        ? splitInlineArray(rest.slice(1, -1)).map((v) => parseScalar(v, i))
        : parseScalar(rest, i);
    }
    previousWasComment = false;
  }
  return { tables, root, commented };
}

function closesArray(rest: string): boolean {
  return stripComment(rest).trim().endsWith(']');
}

/** Drops a `#` comment that is not inside a basic string. */
function stripComment(text: string): string {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString) return text.slice(0, i);
  }
  return text;
}

function splitInlineArray(body: string): string[] {
  const parts: string[] = [];
  let current = '';
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && inString) {
      current += c + (body[i + 1] ?? '');
      i++;
    } else if (c === '"') {
      inString = !inString;
      current += c;
    } else if (c === ',' && !inString) {
      parts.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

function parseScalar(text: string, index: number): TomlValue {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return JSON.parse(text) as string;
  throw new Error(`samconfig.toml line ${index + 1}: unsupported value ${text}`);
}
