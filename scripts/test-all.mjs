#!/usr/bin/env node
// `npm test`: every check CI runs, in order, each as its own npm script so a developer
// can run one alone. Stops at the first failure and says which step failed.
import { spawnSync } from 'node:child_process';

const steps = [
  ['typecheck', 'TypeScript strict type check (tsc for engine/main, vue-tsc for the renderer)'],
  ['lint', 'ESLint'],
  ['test:unit', 'vitest: engine, main (api, security, serve), build config, conformance'],
  ['build', 'electron-vite build of main, preload and renderer'],
  ['test:electronegativity', 'electronegativity over the build: no HIGH finding'],
  ['test:e2e', 'Debian Chromium against `npm run serve` (playwright-core)'],
];

const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const [script, what] of steps) {
  if (only.length > 0 && !only.includes(script)) continue;
  console.log(`\n=== npm run ${script}: ${what}`);
  const t0 = Date.now();
  const r = spawnSync('npm', ['run', '--silent', script], { stdio: 'inherit', env: process.env });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status === 0) {
    passed++;
    console.log(`=== ${script}: ok (${secs} s)`);
  } else {
    failed++;
    console.error(`=== ${script}: FAILED (exit ${r.status ?? r.signal}, ${secs} s)`);
    break;
  }
}
console.log(`\nsteps: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
