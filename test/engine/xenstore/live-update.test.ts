import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XsClient } from '../../../engine/xenstore/client';
import { FrameDecoder, XsType, encode, joinStrings } from '../../../engine/xenstore/wire';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Running {
  proc: ChildProcess;
  sock: string;
  stderr: () => string;
}

async function startXenstored(withState: boolean, reuse?: string): Promise<Running & { dir: string }> {
  const dir = reuse ?? mkdtempSync(join(tmpdir(), 'xs-lu-'));
  if (reuse === undefined) cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const sock = join(dir, 'socket');
  const args = [join(root, 'bin/xenstored.mjs'), '--socket', sock, '--verbose', ...(withState ? ['--state', join(dir, 'state')] : [])];
  const proc = spawn(process.execPath, args, { cwd: root });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const e = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await e;
    }
  });
  await waitFor(() => out.includes('listening on'), () => out + err);
  return { proc, sock, dir, stderr: () => err };
}

async function waitFor(cond: () => boolean, what: () => string, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out; got: ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('xenstored live update', () => {
  for (const withState of [true, false]) {
    it(`keeps connections, nodes, permissions and watches; open transactions get EAGAIN (${withState ? 'with' : 'without'} --state)`, async () => {
      const x = await startXenstored(withState);
      const a = await XsClient.connect(x.sock);
      const b = await XsClient.connect(x.sock);
      cleanups.push(() => a.close());
      cleanups.push(() => b.close());
      const events: string[] = [];
      a.onWatch((p, t) => events.push(`${p}|${t}`));
      await a.watch('/lu', 'tok');
      for (let i = 0; i < 100; i++) await a.write(`/lu/n${i}`, `v${i}`);
      await a.setPerms('/lu/n5', ['n0', 'r4']);
      const tx = await a.transactionStart();
      await a.write('/lu/intx', 'x', tx);

      // Half a request on a raw connection, the rest after the update.
      const raw = net.connect(x.sock);
      await new Promise((r) => raw.once('connect', r));
      cleanups.push(() => void raw.destroy());
      const dec = new FrameDecoder();
      const rawReplies: string[] = [];
      raw.on('data', (d: Buffer) => {
        for (const m of dec.push(d)) rawReplies.push(m.payload.toString('latin1'));
      });
      const req = encode(XsType.READ, 77, 0, '/lu/n42\0');
      raw.write(req.subarray(0, 10));
      await new Promise((r) => setTimeout(r, 50));

      await expect(b.request(XsType.CONTROL, joinStrings(['live-update']))).rejects.toThrow(/EINVAL/);
      await b.request(XsType.CONTROL, joinStrings(['live-update', '-f', '/usr/sbin/xenstored']));
      await b.request(XsType.CONTROL, joinStrings(['live-update', '-s', '-t', '60']));
      await waitFor(() => x.stderr().includes('live update done'), x.stderr);
      expect(x.stderr()).toMatch(/3 connections kept/);

      raw.write(req.subarray(10));
      await waitFor(() => rawReplies.length > 0, () => JSON.stringify(rawReplies));
      expect(rawReplies).toEqual(['v42']);

      expect(await a.read('/lu/n99')).toBe('v99');
      expect(await b.getPerms('/lu/n5')).toEqual(['n0', 'r4']);
      expect((await b.directory('/lu')).length).toBe(100);
      await expect(a.transactionEnd(tx)).rejects.toThrow(/EAGAIN/);
      await expect(a.read('/lu/intx')).rejects.toThrow(/ENOENT/);
      const tx2 = await a.transactionStart();
      expect(tx2).toBeGreaterThan(tx);
      await a.write('/lu/intx', 'y', tx2);
      await a.transactionEnd(tx2);

      events.length = 0;
      await b.write('/lu/after', '1');
      await waitFor(() => events.includes('/lu/after|tok'), () => events.join(','));
      await expect(a.watch('/lu', 'tok')).rejects.toThrow(/EEXIST/);

      const c = await XsClient.connect(x.sock);
      cleanups.push(() => c.close());
      expect(await c.read('/lu/intx')).toBe('y');

      if (withState) {
        // The new worker adopted the state directory: a crash now loses nothing either.
        const gone = new Promise((r) => x.proc.once('exit', r));
        x.proc.kill('SIGKILL');
        await gone;
        a.close();
        b.close();
        c.close();
        await new Promise((r) => setTimeout(r, 200)); // the orphaned worker exits on disconnect
        const y = await startXenstored(true, x.dir);
        const d = await XsClient.connect(y.sock);
        cleanups.push(() => d.close());
        expect(await d.read('/lu/intx')).toBe('y');
        expect(await d.read('/lu/after')).toBe('1');
        expect(await d.getPerms('/lu/n5')).toEqual(['n0', 'r4']);
      }
    });
  }

  it('restarts a crashed worker from the state directory; clients reconnect and find their data', async () => {
    const x = await startXenstored(true);
    const a = await XsClient.connect(x.sock);
    cleanups.push(() => a.close());
    await a.write('/crash/k', 'kept');
    const ps = spawnSync('ps', ['-o', 'pid=', '--ppid', String(x.proc.pid)], { encoding: 'utf8' });
    const workers = ps.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
    expect(workers.length).toBe(1);
    process.kill(workers[0]!, 'SIGKILL');
    await waitFor(() => x.stderr().includes('worker exited'), x.stderr);
    await expect(a.read('/crash/k')).rejects.toThrow(/closed/);
    let b: XsClient | undefined;
    async function retry(): Promise<void> {
      for (;;) {
        try {
          const c = await XsClient.connect(x.sock);
          await c.read('/');
          b = c;
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    await Promise.race([retry(), new Promise((_, rej) => setTimeout(() => rej(new Error('no new worker')), 20_000))]);
    cleanups.push(() => b!.close());
    expect(await b!.read('/crash/k')).toBe('kept');
    expect(x.proc.exitCode).toBe(null);
  });

  it('SIGHUP triggers a live update too, and a clean SIGTERM still exits 0', async () => {
    const x = await startXenstored(true);
    const a = await XsClient.connect(x.sock);
    cleanups.push(() => a.close());
    await a.write('/h', '1');
    x.proc.kill('SIGHUP');
    await waitFor(() => x.stderr().includes('live update done'), x.stderr);
    expect(await a.read('/h')).toBe('1');
    const exit = new Promise((r) => x.proc.once('exit', r));
    x.proc.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
