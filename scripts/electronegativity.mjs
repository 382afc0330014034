#!/usr/bin/env node
// `npm run test:electronegativity`: Doyensec's Electron security scanner over the built
// app (out/); fails on any HIGH finding and lists the others. Run after `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!existsSync('out/main/index.js')) {
  console.error('electronegativity: out/ is not built; run `npm run build` first');
  process.exit(1);
}
const csv = join(mkdtempSync(join(tmpdir(), 'eneg-')), 'report.csv');
const r = spawnSync(process.execPath, ['node_modules/@doyensec/electronegativity/dist/index.js', '-i', 'out', '-o', csv, '-r'], { encoding: 'utf8', timeout: 120_000 });
if (!existsSync(csv)) {
  console.error(`electronegativity did not produce a report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  process.exit(1);
}
const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const high = rows.filter((c) => c[1] === '"HIGH"');
for (const c of rows) console.log(`${c[1]?.replaceAll('"', '').padEnd(8)} ${c[0]} ${c[3] ?? ''}:${c[4] ?? ''}`);
console.log(`electronegativity: ${rows.length} findings, ${high.length} HIGH`);
process.exit(high.length === 0 ? 0 : 1);
