/**
 * samconfig.toml carries what `sam build && sam deploy` needs for the provider stack, and
 * overrides every template parameter with an allowed value, each with a comment.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSamConfig } from './support/samconfig.js';
import { loadTemplate, PROVIDER_TEMPLATE, projectRoot } from './support/templates.js';

const config = parseSamConfig(await readFile(join(projectRoot, 'samconfig.toml'), 'utf8'));
const deploy = config.tables['default.deploy.parameters'] ?? {};
const template = await loadTemplate(PROVIDER_TEMPLATE);

/** `["A=1", "B=x"]` (or the string form `A=1 B=x`) as `{ A: '1', B: 'x' }`. */
function overrides(value: unknown): Record<string, string> {
  const entries = Array.isArray(value) ? value.map(String) : String(value).split(/\s+/);
  return Object.fromEntries(
    entries.filter(Boolean).map((entry) => {
      const at = entry.indexOf('=');
      return [entry.slice(0, at), entry.slice(at + 1).replace(/^"(.*)"$/, '$1')];
    }),
  );
}

describe('samconfig.toml', () => {
  it('is version 0.1 with default global, build and deploy parameters', () => {
    expect(config.root.version).toBe(0.1);
    expect(Object.keys(config.tables)).toEqual(
      expect.arrayContaining([
        'default.global.parameters',
        'default.build.parameters',
        'default.deploy.parameters',
      ]),
    );
  });

  it('builds cached and in parallel', () => {
    expect(config.tables['default.build.parameters']).toMatchObject({
      cached: true,
      parallel: true,
    });
  });

  it('deploys the provider stack with CAPABILITY_IAM, a managed bucket and a confirmed change set', () => {
    expect(deploy).toMatchObject({
      stack_name: 'verified-permissions-identity-source-provider',
      capabilities: 'CAPABILITY_IAM',
      resolve_s3: true,
      confirm_changeset: true,
    });
    expect(config.tables['default.global.parameters']?.stack_name).toBe(deploy.stack_name);
  });

  it('overrides every template parameter with an allowed value', () => {
    const values = overrides(deploy.parameter_overrides);
    const parameters = template.Parameters ?? {};
    expect(Object.keys(values).sort()).toEqual(Object.keys(parameters).sort());
    for (const [name, value] of Object.entries(values)) {
      const parameter = parameters[name]!;
      if (parameter.AllowedValues) {
        expect(parameter.AllowedValues.map(String), name).toContain(value);
      } else {
        // CloudFormation matches AllowedPattern against each element of a CommaDelimitedList.
        const pattern = new RegExp(String(parameter.AllowedPattern));
        const items = parameter.Type === 'CommaDelimitedList' ? value.split(',') : [value];
        for (const item of items) expect(item, name).toMatch(pattern);
      }
    }
  });

  it('lists no role for the provider to assume, as the template does by default', () => {
    expect(overrides(deploy.parameter_overrides).AssumableRoleArns).toBe('');
    expect(template.Parameters?.AssumableRoleArns?.Default).toBe('');
  });

  it('explains each parameter override in a comment', () => {
    const notes = config.commented['default.deploy.parameters'] ?? {};
    const count = (deploy.parameter_overrides as unknown[]).length;
    for (let i = 0; i < count; i++) expect(notes[`parameter_overrides[${i}]`], `#${i}`).toBe(true);
  });
});

describe('the samconfig reader', () => {
  it('reads tables, scalars, arrays and comments', () => {
    const parsed = parseSamConfig(
      [
        'version = 0.1',
        '[a.b]',
        '# note',
        'x = "s # not a comment"',
        'y = true',
        'z = ["p", "q"] # trailing',
        'w = [',
        '  # first',
        '  "1",',
        '  "2"',
        ']',
      ].join('\n'),
    );
    expect(parsed.root).toEqual({ version: 0.1 });
    expect(parsed.tables['a.b']).toEqual({
      x: 's # not a comment',
      y: true,
      z: ['p', 'q'],
      w: ['1', '2'],
    });
    expect(parsed.commented['a.b']).toEqual({
      x: true,
      y: false,
      z: true,
      w: false,
      'w[0]': true,
      'w[1]': false,
    });
    expect(() => parseSamConfig('x = {a = 1}')).toThrow(/unsupported value/);
  });
});
