import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

// Unit and scenario tests. engine/ and main/ run in node; renderer component tests
// (test/renderer) run in happy-dom. e2e, conformance against real Xen tools and
// benchmarks have their own runners (scripts/e2e.mjs, scripts/bench.mjs).
export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./renderer/src', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/bench/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    pool: 'forks',
  },
});
