/**
 * `xl console` against a running XenDeck: the guest's boot and login prompt arrive on
 * stdout, typed (piped) lines reach its shell, and Ctrl-] detaches. In a lab it says it
 * needs a running XenDeck.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../engine/cli/xl';
import { startConsoleServer, type ConsoleServer } from '../../../main/serve/console-server';

let server: ConsoleServer;
let dir: string;
let socket: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xendeck-xlcons-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  socket = join(dir, 'run', 'api.sock');
  server = await startConsoleServer({ host: '127.0.0.1', port: 0, allowRemote: false, token: 'test-token-0123456789', seed: 1, labDir: join(dir, 'lab'), socketPath: socket, rendererDir: dir }, 'test');
  await server.lab.host('lab1').createDomain({ configText: 'name = "c1"\ntype = "pvh"\nmemory = 128\n' });
});
afterAll(async () => {
  await server.close();
});

describe('xl console', () => {
  it('shows the guest console, passes typed lines to it and detaches on Ctrl-]', async () => {
    const stdin = new PassThrough();
    let out = '';
    let err = '';
    const seen = async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 300 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(re);
    };
    const done = main(['console', 'c1'], { stdin, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: { XENDECK_SOCKET: socket } });
    await seen(/c1 login: $/m);
    stdin.write('root\n');
    await seen(/# $/m);
    stdin.write('uname -a\n');
    await seen(/Linux c1 /);
    stdin.write('\x1d');
    expect(await done).toBe(0);
    expect(err).toBe('');
  }, 60_000);

  it('create -c attaches to the new domain\'s console; sysrq c then crashes its kernel', async () => {
    const cfg = join(dir, 'c2.cfg');
    writeFileSync(cfg, 'name = "c2"\ntype = "pvh"\nmemory = 128\non_crash = "preserve"\n');
    const stdin = new PassThrough();
    let out = '';
    let err = '';
    const io = { stdin, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: { XENDECK_SOCKET: socket } };
    const done = main(['create', '-c', cfg], io);
    for (let i = 0; i < 300 && !/c2 login: $/m.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/c2 login: $/m);
    stdin.write('\x1d');
    expect(await done).toBe(0);
    expect(err).toBe(`Parsing config from ${cfg}\n`);
    // libxl_send_sysrq: control/sysrq, and the guest's kernel crashes (on_crash preserve keeps it)
    const quiet = { stdin: new PassThrough(), stdout: { write: () => undefined }, stderr: { write: () => undefined }, env: { XENDECK_SOCKET: socket } };
    expect(await main(['sysrq', 'c2', 'c'], quiet)).toBe(0);
    const d = await server.lab.host('lab1').domain('c2');
    expect(d.shutdownReason).toBe('crash');
    let bad = '';
    expect(await main(['sysrq', 'c2', 'cc'], { ...quiet, stderr: { write: (s: string) => (bad += s) } })).toBe(1);
    expect(bad).toBe('Invalid sysrq.\n\n');
  }, 60_000);

  it('says a lab has no console to attach to', async () => {
    let err = '';
    const code = await main(['--lab', join(dir, 'xl-lab'), 'console', '0'], { stdin: new PassThrough(), stdout: { write: () => undefined }, stderr: { write: (s: string) => (err += s) }, env: {} });
    expect(code).toBe(1);
    expect(err).toContain('needs a running XenDeck');
  });
});
