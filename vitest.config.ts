import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // clears .tmp/skipped/, where suites missing a peer client record why (test/helpers/skips.ts)
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e tests spawn brokers and CLIs; two cores → keep concurrency modest
    maxWorkers: 2,
    minWorkers: 1,
    // the JSON report feeds scripts/test-summary.mjs (a plain "N passed, N failed" line for CI)
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-results.json' },
  },
});
