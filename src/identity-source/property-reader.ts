/**
 * Reads CloudFormation property values against the native schema's rules, collecting every
 * problem with its property path instead of stopping at the first.
 */
/** Rules for one string property, as the native resource schema states them. */
export interface StringRule {
  readonly min?: number;
  readonly max?: number;
  /** A regular expression, or any test of the whole value. */
  readonly pattern?: { test(value: string): boolean; readonly source?: string };
  /** What a valid value looks like, for the problem text when the pattern fails. */
  readonly expected?: string;
}

/** Rules for a list of strings. */
export interface ListRule {
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly item: StringRule;
}

/** One problem found in the properties: the path and what was expected there. */
export interface PropertyProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Collects problems while the properties are read.
 *
 * @example
 * ```ts
 * const reader = new PropertyReader();
 * const id = reader.string(props, 'PolicyStoreId', '', { required: true, min: 1, max: 200 });
 * if (reader.problems.length) console.log(formatProblems(reader.problems));
 * ```
 */
export class PropertyReader {
  readonly problems: PropertyProblem[] = [];

  report(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Reads a nested object; `undefined` when absent (reported when required) or not an object. */
  object(
    parent: Record<string, unknown>,
    key: string,
    parentPath: string,
    options: { required: boolean },
  ): Record<string, unknown> | undefined {
    const path = join(parentPath, key);
    const value = parent[key];
    if (value === undefined || value === null) {
      if (options.required) this.report(path, 'is required');
      return undefined;
    }
    if (!isRecord(value)) {
      this.report(path, `must be an object (got ${kindOf(value)})`);
      return undefined;
    }
    return value;
  }

  /** Reports every key of `value` that is not in `allowed`. */
  onlyKeys(value: Record<string, unknown>, path: string, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.report(
          join(path, key),
          `is not a known property (expected one of: ${allowed.join(', ')})`,
        );
      }
    }
  }

  /** Reads a string property. */
  string(
    parent: Record<string, unknown>,
    key: string,
    parentPath: string,
    rule: StringRule & { readonly required: boolean },
  ): string | undefined {
    const path = join(parentPath, key);
    const value = parent[key];
    if (value === undefined || value === null) {
      if (rule.required) this.report(path, 'is required');
      return undefined;
    }
    return this.checkString(value, path, rule);
  }

  /**
   * Reads a boolean: `true`/`false`, or the strings `"true"`/`"false"` CloudFormation sends;
   * `undefined` when absent or invalid (reported).
   */
  boolean(parent: Record<string, unknown>, key: string, parentPath: string): boolean | undefined {
    const path = join(parentPath, key);
    const value = parent[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.report(path, `must be true or false (got ${kindOf(value)})`);
    return undefined;
  }

  /** Reads a list of strings. */
  stringList(
    parent: Record<string, unknown>,
    key: string,
    parentPath: string,
    rule: ListRule,
  ): string[] | undefined {
    const path = join(parentPath, key);
    const value = parent[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.report(path, `must be a list of strings (got ${kindOf(value)})`);
      return undefined;
    }
    const { minItems = 0, maxItems = Number.POSITIVE_INFINITY } = rule;
    if (value.length < minItems || value.length > maxItems) {
      this.report(path, `must have ${range(minItems, maxItems)} items (got ${value.length})`);
    }
    const before = this.problems.length;
    const items = value.map((item, index) =>
      this.checkString(item, `${path}[${index}]`, rule.item),
    );
    return this.problems.length === before ? (items as string[]) : undefined;
  }

  /**
   * Reads a union: exactly one of `members` must be present.
   * Returns the member's name, or `undefined` (reported) when none or several are set.
   */
  oneOf<Member extends string>(
    value: Record<string, unknown>,
    path: string,
    members: readonly Member[],
  ): Member | undefined {
    this.onlyKeys(value, path, members);
    const present = members.filter(
      (member) => value[member] !== undefined && value[member] !== null,
    );
    if (present.length === 1) return present[0];
    const which = present.length === 0 ? 'none is set' : `${present.join(' and ')} are both set`;
    this.report(path, `must set exactly one of ${members.join(', ')} (${which})`);
    return undefined;
  }

  private checkString(value: unknown, path: string, rule: StringRule): string | undefined {
    if (typeof value !== 'string') {
      this.report(path, `must be a string (got ${kindOf(value)})`);
      return undefined;
    }
    const { min = 0, max = Number.POSITIVE_INFINITY } = rule;
    if (value.length < min || value.length > max) {
      const message =
        value.length === 0 ? 'must not be empty' : `must be ${range(min, max)} characters long`;
      this.report(path, `${message} (got ${value.length})`);
      return undefined;
    }
    if (rule.pattern !== undefined && !rule.pattern.test(value)) {
      this.report(
        path,
        `must be ${rule.expected ?? `a value matching ${rule.pattern.source ?? 'its rule'}`}`,
      );
      return undefined;
    }
    return value;
  }
}

/** True for `{...}` objects (not arrays, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Renders problems as one FAILED reason, each line naming its path.
 *
 * @example
 * ```ts
 * formatProblems([{ path: 'PolicyStoreId', message: 'is required' }]);
 * // 'Invalid properties: PolicyStoreId: is required'
 * ```
 */
export function formatProblems(problems: readonly PropertyProblem[]): string {
  const lines = problems.map((problem) => `${problem.path}: ${problem.message}`);
  return `Invalid properties: ${lines.join('; ')}`;
}

function join(parentPath: string, key: string): string {
  return parentPath === '' ? key : `${parentPath}.${key}`;
}

function range(min: number, max: number): string {
  if (max === Number.POSITIVE_INFINITY) return `at least ${min}`;
  return min === max ? `exactly ${min}` : `${min} to ${max}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
