// The checks that run against the real Xen host booted by scripts/realxen.mjs. They are
// *.realxen.ts (not *.test.ts) so the ordinary `vitest run` never picks them up: they
// need the QEMU guest, whose address and keys arrive in REALXEN_* variables.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/realxen/**/*.realxen.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
