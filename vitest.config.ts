import { defineConfig } from 'vitest/config';

export default defineConfig({
  // vite 8 / oxc does not read jsxImportSource from tsconfig (research/deps.md §1b).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
