import { defineConfig } from 'vitest/config';

// The e2e suite: Debian's Chromium driven by playwright-core against the served console
// (scripts/e2e.mjs builds the renderer and checks Chromium first).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
