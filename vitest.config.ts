import { defineConfig } from 'vitest/config';

/** Under CI, a JSON report beside the console one lets `.ci/run` print the pass/fail count. */
const reporters = process.env.CI
  ? ['default', ['json', { outputFile: '.vitest-results.json' }] as [string, object]]
  : ['default'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    reporters,
  },
});
