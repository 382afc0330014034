/**
 * `npm run bench -- xenstore` (issue 6): our xenstored as its own process, driven over
 * its unix socket by clients in this process. Simple ops/s with 1 connection (one
 * request in flight, as libxenstore does, and pipelined) and with 16 connections;
 * transactions/s on a contended counter (with the EAGAIN rate); restart time with
 * 120,000 nodes in the state directory (clean restart from a snapshot, and recovery after
 * kill -9 from the journal) and live update with 120,000 nodes (the daemon process
 * replaced while clients stay connected). Target: at least 50,000 ops/s on one connection; restart
 * under 1 s (Xen's C xenstored live-updates 120,000 nodes in about 11 s).
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XsClient } from '../../engine/xenstore/client';
import { XsError } from '../../engine/xenstore/errors';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'xs-bench-'));
const DURATION_MS = 2000;

interface Daemon {
  proc: ChildProcess;
  startMs: number;
  line: string;
  stderr: () => string;
}

async function startDaemon(sock: string, state?: string): Promise<Daemon> {
  const args = [join(root, 'bin/xenstored.mjs'), '--socket', sock, '--verbose', ...(state ? ['--state', state] : [])];
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve();
    });
    proc.once('exit', (c) => reject(new Error(`xenstored exited ${c}`)));
  });
  return { proc, startMs: performance.now() - t0, line: out.trim(), stderr: () => err };
}

function stop(d: Daemon, sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((r) => {
    d.proc.once('exit', () => r());
    d.proc.kill(sig);
  });
}

async function forDuration(fn: () => Promise<number>): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < DURATION_MS) n += await fn();
  return n / ((performance.now() - t0) / 1000);
}

/** SIGHUP; resolves with the supervisor's own figure for the update. */
async function liveUpdate(d: Daemon): Promise<string> {
  const before = d.stderr().length;
  d.proc.kill('SIGHUP');
  for (;;) {
    const m = /live update done in (\d+) ms \(([^)]*)\)/.exec(d.stderr().slice(before));
    if (m) return `${m[1]!} (${m[2]!})`;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The floor under "1 in flight": round trips/s of a bare Node echo server in another
 * process over a unix socket, on this machine now (each xenstore request costs at least
 * one such round trip: a write syscall and a wake-up on each side).
 */
async function echoFloor(sock: string): Promise<number> {
  const code = `require('node:net').createServer((s) => s.on('data', (b) => s.write(b))).listen(${JSON.stringify(sock)}, () => console.log('ready'))`;
  const srv = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => srv.stdout!.once('data', () => resolve()));
  const c = net.connect(sock);
  await new Promise((r) => c.once('connect', r));
  const msg = Buffer.alloc(40);
  let n = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    c.on('data', () => {
      n++;
      if (performance.now() - t0 > DURATION_MS) return resolve();
      c.write(msg);
    });
    c.write(msg);
  });
  const rate = n / ((performance.now() - t0) / 1000);
  c.destroy();
  srv.kill();
  return rate;
}

/** One connection, one request in flight: write then read a node. */
async function sequential(c: XsClient, id: number): Promise<number> {
  let i = 0;
  return forDuration(async () => {
    for (let k = 0; k < 100; k++) {
      const p = `/bench/c${id}/k${i++ % 100}`;
      await c.write(p, 'value');
      await c.read(p);
    }
    return 200;
  });
}

async function pipelined(c: XsClient, depth: number): Promise<number> {
  let i = 0;
  return forDuration(async () => {
    const batch: Promise<unknown>[] = [];
    for (let k = 0; k < depth; k++) {
      const p = `/bench/pipe/k${i++ % 100}`;
      batch.push(k % 2 === 0 ? c.write(p, 'value') : c.read(p).catch(() => ''));
    }
    await Promise.all(batch);
    return depth;
  });
}

async function counterTx(c: XsClient, stats: { commits: number; eagain: number }, until: number): Promise<void> {
  while (performance.now() < until) {
    const tx = await c.transactionStart();
    const v = Number(await c.read('/bench/counter', tx));
    await c.write('/bench/counter', String(v + 1), tx);
    try {
      await c.transactionEnd(tx);
      stats.commits++;
    } catch (e) {
      if (e instanceof XsError && e.code === 'EAGAIN') stats.eagain++;
      else throw e;
    }
  }
}

async function fill(c: XsClient, n: number): Promise<void> {
  const depth = 64;
  for (let i = 0; i < n; i += depth) {
    const batch: Promise<void>[] = [];
    for (let k = i; k < Math.min(n, i + depth); k++) batch.push(c.write(`/local/domain/${k % 1000}/data/n${k}`, `value-${k}`));
    await Promise.all(batch);
  }
}

try {
  const sock = join(dir, 'socket');
  const d = await startDaemon(sock);
  console.log(`daemon_start_ms: ${d.startMs.toFixed(0)}`);
  const one = await XsClient.connect(sock);
  console.log(`ops_per_s_1_client_1_in_flight: ${Math.round(await sequential(one, 0))}`);
  console.log(`unix_socket_echo_floor_round_trips_per_s: ${Math.round(await echoFloor(join(dir, 'echo')))}`);
  console.log(`ops_per_s_1_client_32_in_flight: ${Math.round(await pipelined(one, 32))}`);
  const many = await Promise.all(Array.from({ length: 16 }, () => XsClient.connect(sock)));
  const rates = await Promise.all(many.map((c, i) => sequential(c, i + 1)));
  console.log(`ops_per_s_16_clients_1_in_flight_each: ${Math.round(rates.reduce((a, b) => a + b, 0))}`);

  await one.write('/bench/counter', '0');
  const stats = { commits: 0, eagain: 0 };
  const t0 = performance.now();
  const txClients = many.slice(0, 8);
  await Promise.all(txClients.map((c) => counterTx(c, stats, t0 + DURATION_MS)));
  const secs = (performance.now() - t0) / 1000;
  const final = Number(await one.read('/bench/counter'));
  console.log(`tx_commits_per_s_8_clients_one_counter: ${Math.round(stats.commits / secs)}`);
  console.log(`tx_eagain_per_s: ${Math.round(stats.eagain / secs)}`);
  console.log(`tx_counter_consistent: ${final === stats.commits}`);
  for (const c of [one, ...many]) c.close();
  await stop(d);

  // Live update with 120,000 nodes and no state directory (the store crosses over IPC).
  const l = await startDaemon(sock);
  const lc = await XsClient.connect(sock);
  await fill(lc, 120_000);
  console.log(`live_update_120000_nodes_no_state_dir_ms: ${await liveUpdate(l)}`);
  lc.close();
  await stop(l);

  // Restart with 120,000 nodes.
  const state = join(dir, 'state');
  const s1 = await startDaemon(sock, state);
  const baseline = s1.startMs;
  const c = await XsClient.connect(sock);
  const tf = performance.now();
  await fill(c, 120_000);
  console.log(`fill_120000_nodes_ms: ${(performance.now() - tf).toFixed(0)}`);
  console.log(`live_update_120000_nodes_with_state_dir_ms: ${await liveUpdate(s1)}`);
  console.log(`live_update_kept_connection: ${(await c.read('/local/domain/5/data/n5')) === 'value-5'}`);
  c.close();
  await stop(s1, 'SIGKILL');
  const s2 = await startDaemon(sock, state);
  console.log(`restart_after_kill9_journal_replay_ms: ${s2.startMs.toFixed(0)} (${s2.line.replace(/^.*\(/, '(')})`);
  const t2 = performance.now();
  await stop(s2);
  console.log(`clean_stop_with_snapshot_ms: ${(performance.now() - t2).toFixed(0)}`);
  const s3 = await startDaemon(sock, state);
  console.log(`restart_from_snapshot_ms: ${s3.startMs.toFixed(0)} (empty-state start ${baseline.toFixed(0)} ms; the difference is loading)`);
  const v = await XsClient.connect(sock);
  console.log(`restart_kept_nodes: ${(await v.read('/local/domain/999/data/n119999')) === 'value-119999'}`);
  v.close();
  await stop(s3);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
