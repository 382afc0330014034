#!/usr/bin/env node
// `npm run bench [-- name ...]`: runs the benchmarks in test/bench/ (each a plain
// TypeScript script printing `key: value` lines). Benchmarks are measurements, not
// pass/fail tests: they print figures for the issue notes and the README.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = 'test/bench';
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.some((b) => b === w || b.startsWith(`${w}-`)));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
const run = wanted.length === 0 ? all : all.filter((b) => wanted.some((w) => b === w || b.startsWith(`${w}-`)));
let failed = 0;
for (const b of run) {
  console.log(`\n## ${b}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(dir, `${b}.bench.ts`)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
