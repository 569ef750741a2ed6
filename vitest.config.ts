import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Each file in its own process: native modules, signals and ports stay isolated.
    pool: 'forks',
    // Two files at a time: most integration tests wait on servers and child processes, so two
    // workers keep a 2-core machine busy without starving the timing-sensitive ones.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and databases; flaky retries would hide bugs.
    retry: 0,
  },
});
