import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XenstoreDaemon } from '../../../engine/xenstore/daemon';
import { XenstoreServer } from '../../../engine/xenstore/server';
import { XsClient } from '../../../engine/xenstore/client';
import { XsType } from '../../../engine/xenstore/wire';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(): Promise<{ server: XenstoreServer; sock: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'xs-test-'));
  const sock = join(dir, 'socket');
  const server = await XenstoreServer.listen(new XenstoreDaemon(), sock);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => server.close());
  return { server, sock, dir };
}

async function client(sock: string): Promise<XsClient> {
  const c = await XsClient.connect(sock);
  cleanups.push(() => c.close());
  return c;
}

describe('xenstored unix socket server', () => {
  it('serves reads, writes, transactions and watches over the socket', async () => {
    const { sock } = await start();
    const a = await client(sock);
    const b = await client(sock);
    const events: string[] = [];
    b.onWatch((p, t) => events.push(`${p}|${t}`));
    await b.watch('/s', 'tok');
    await a.write('/s/k', 'v');
    expect(await b.read('/s/k')).toBe('v');
    const tx = await a.transactionStart();
    await a.write('/s/t', '1', tx);
    await a.transactionEnd(tx);
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['/s|tok', '/s/k|tok', '/s/t|tok']);
    await expect(a.read('/nope')).rejects.toThrow(/ENOENT/);
  });

  it('closes only the connection that sends an oversize payload', async () => {
    const { sock, server } = await start();
    const good = await client(sock);
    await good.write('/x', '1');
    const raw = net.connect(sock);
    await new Promise((r) => raw.once('connect', r));
    const closed = new Promise<void>((r) => raw.once('close', () => r()));
    const h = Buffer.alloc(16);
    h.writeUInt32LE(XsType.WRITE, 0);
    h.writeUInt32LE(0x10000, 12);
    raw.write(h);
    await closed;
    expect(await good.read('/x')).toBe('1');
    expect(server.connections).toBe(1);
  });

  it('answers an unknown message type with ENOSYS (as 4.17) and keeps the connection', async () => {
    const { sock } = await start();
    const c = await client(sock);
    await expect(c.request(4242, '')).rejects.toThrow(/ENOSYS/);
    await c.write('/after', 'ok');
    expect(await c.read('/after')).toBe('ok');
  });

  it('replaces a stale socket file but refuses a live one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xs-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const sock = join(dir, 'socket');
    writeFileSync(sock, '');
    const s = await XenstoreServer.listen(new XenstoreDaemon(), sock);
    cleanups.push(() => s.close());
    await expect(XenstoreServer.listen(new XenstoreDaemon(), sock)).rejects.toThrow(/already listening/);
  });
});

describe('npx xenstored', () => {
  it('prints one line when listening and exits 0 on SIGTERM, removing its socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xs-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const sock = join(dir, 'socket');
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const p = spawn(process.execPath, [join(root, 'bin/xenstored.mjs'), '--socket', sock], { cwd: root });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exit = new Promise<number | null>((r) => p.once('exit', r));
    const t0 = Date.now();
    while (!out.includes('\n') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    expect(out).toBe(`xenstored: listening on ${sock}\n`);
    const c = await XsClient.connect(sock);
    await c.write('/cli', 'up');
    expect(await c.read('/cli')).toBe('up');
    c.close();
    p.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(existsSync(sock)).toBe(false);
  });

  it('rejects unknown options with status 2', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const p = spawn(process.execPath, [join(root, 'bin/xenstored.mjs'), '--bogus'], { cwd: root });
    let err = '';
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    expect(await new Promise((r) => p.once('exit', r))).toBe(2);
    expect(err).toContain('unknown option --bogus');
  });
});
