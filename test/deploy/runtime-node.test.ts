/**
 * The project's Node is the runtime's Node: the tests (and `npm start`, the bench) run on the Node
 * major of the template's Lambda runtime, which `npm ci` installs from the npm registry (the `node`
 * dev dependency) whatever the machine's own `node` is; the bundle targets it, and package.json
 * says so.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { target } from '../../scripts/build-options.js';
import { loadTemplate, PROVIDER_TEMPLATE, projectRoot } from './support/templates.js';

const template = await loadTemplate(PROVIDER_TEMPLATE);
const runtime = String(template.Resources.Function?.Properties?.Runtime);
const runtimeMajor = Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]);
const pkg = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe("the project's Node", () => {
  it(`is the major of the template's runtime (${runtime})`, () => {
    expect(runtimeMajor).toBeGreaterThanOrEqual(24);
    expect(Number(process.versions.node.split('.')[0])).toBe(runtimeMajor);
  });

  it('is what npm ci installs (a pinned node package), what the bundle targets, what engines says', () => {
    expect(pkg.devDependencies.node).toMatch(new RegExp(`^${runtimeMajor}\\.\\d+\\.\\d+$`));
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^${runtimeMajor}\\.`));
    expect(target).toBe(`node${runtimeMajor}`);
    expect(pkg.engines.node).toBe(`${runtimeMajor}.x`);
  });
});
