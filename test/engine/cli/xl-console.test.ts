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

  it('says a lab has no console to attach to', async () => {
    let err = '';
    const code = await main(['--lab', join(dir, 'xl-lab'), 'console', '0'], { stdin: new PassThrough(), stdout: { write: () => undefined }, stderr: { write: (s: string) => (err += s) }, env: {} });
    expect(code).toBe(1);
    expect(err).toContain('needs a running XenDeck');
  });
});
