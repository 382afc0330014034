/**
 * `npm run bench -- toolstack-xl`: `xl list` end to end against a running XenDeck with
 * 1,000 domains (issue 5 target: under 150 ms). A console server runs in this process
 * with its api socket in a temp folder; `node bin/xl.mjs list` is spawned with
 * XENDECK_SOCKET pointing at it (process start, tsx, connect, one domain.list, format),
 * and the same command is timed through main() in-process (no process start).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../engine/cli/xl';
import { startConsoleServer } from '../../main/serve/console-server';
import { LabStore } from '../../main/services/lab-store';

const DOMAINS = Number(process.env.XL_BENCH_DOMAINS ?? 1000);
const RUNS = Number(process.env.XL_BENCH_RUNS ?? 15);

const dir = mkdtempSync(join(tmpdir(), 'xendeck-xlbench-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>bench</title>');
// lab1 with room for a thousand 64 MiB guests
new LabStore(join(dir, 'lab')).save([{ id: 'lab1', kind: 'embedded', preset: 'skylake-sp-4s', seed: 1 }]);
const socketPath = join(dir, 'run', 'api.sock');
const server = await startConsoleServer({ host: '127.0.0.1', port: 0, allowRemote: false, token: undefined, seed: 1, labDir: join(dir, 'lab'), socketPath, rendererDir: dir }, 'bench');
const host = server.lab.host('lab1');
for (let i = 1; i <= DOMAINS; i++) await host.createDomain({ configText: `name = "vm${String(i).padStart(5, '0')}"\nmemory = 64\ntype = "pvh"\n` });

/** One `node bin/xl.mjs ARGS`: wall time, and its output lines (checked, not kept). */
function spawnXl(args = ['list']): Promise<{ ms: number; lines: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['bin/xl.mjs', ...args], { env: { ...process.env, XENDECK_SOCKET: socketPath, XENDECK_LAB: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`xl ${args.join(' ')} exited ${code}`));
      else resolve({ ms, lines: out.split('\n').length - 1 });
    });
  });
}

async function inProcess(): Promise<number> {
  let lines = 0;
  const t0 = performance.now();
  const code = await main(['list'], { stdin: null, stdout: { write: (s: string) => (lines += s.split('\n').length - 1) }, stderr: { write: () => undefined }, env: { XENDECK_SOCKET: socketPath } });
  const ms = performance.now() - t0;
  if (code !== 0 || lines !== DOMAINS + 2) throw new Error(`in-process xl list: exit ${code}, ${lines} lines`);
  return ms;
}

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

try {
  const first = await spawnXl(); // warms the tsx cache
  if (first.lines !== DOMAINS + 2) throw new Error(`xl list printed ${first.lines} lines, not ${DOMAINS + 2}`);
  const spawned: number[] = [];
  for (let i = 0; i < RUNS; i++) spawned.push((await spawnXl()).ms);
  // the floor: the same process start (node, tsx, xl's modules) with no host at all
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) floor.push((await spawnXl(['help', 'list'])).ms);
  for (let i = 0; i < 3; i++) await inProcess();
  const inproc: number[] = [];
  for (let i = 0; i < RUNS; i++) inproc.push(await inProcess());
  console.log(`domains: ${DOMAINS}`);
  console.log(`runs: ${RUNS}`);
  console.log(`xl_list_spawn_p50_ms: ${quantile(spawned, 0.5).toFixed(1)}`);
  console.log(`xl_list_spawn_max_ms: ${Math.max(...spawned).toFixed(1)}`);
  console.log(`xl_help_spawn_p50_ms: ${quantile(floor, 0.5).toFixed(1)} (process start, no host)`);
  console.log(`xl_list_inprocess_p50_ms: ${quantile(inproc, 0.5).toFixed(2)}`);
  console.log(`xl_list_inprocess_max_ms: ${Math.max(...inproc).toFixed(2)}`);
  console.log(`target_ms: 150`);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
