/**
 * xl against a running XenDeck (issue 5): a console server started in-process with its
 * api socket in a temp folder, and xl's main() pointed at it through XENDECK_SOCKET. The
 * state lives in the server (its lab sees what xl made), and xl words its answers and
 * errors as it does against a lab folder. The server's clock runs (its guests boot), so
 * states are matched loosely and only still output is compared with a lab's.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../engine/cli/xl';
import { startConsoleServer, type ConsoleServer } from '../../../main/serve/console-server';
import { newLab, writeGuestConfig, xl as xlLab, type XlRun } from './xl-harness';

let server: ConsoleServer;
let dir: string;
let socket: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xendeck-xlsock-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  socket = join(dir, 'run', 'api.sock');
  server = await startConsoleServer({ host: '127.0.0.1', port: 0, allowRemote: false, token: 'test-token-0123456789', seed: 1, labDir: join(dir, 'lab'), socketPath: socket, rendererDir: dir }, 'test');
});
afterAll(async () => {
  await server.close();
});

async function run(argv: string[], env: Record<string, string | undefined>): Promise<XlRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdin: null, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env });
  return { code, stdout, stderr };
}

/** xl with XENDECK_SOCKET at the running server. */
const xl = (...argv: string[]): Promise<XlRun> => run(argv, { XENDECK_SOCKET: socket });

describe('xl over the socket of a running XenDeck', () => {
  it('lists Domain-0 of the running host', async () => {
    const r = await xl('list');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^Name\s+ID\s+Mem VCPUs\s+State\s+Time\(s\)$/);
    expect(r.stdout).toMatch(/^Domain-0\s+0\s/m);
  });

  it('answers cpupool-list and sched-credit2 as a fresh lab does', async () => {
    const lab = newLab();
    for (const argv of [['cpupool-list'], ['cpupool-list', '-c'], ['sched-credit2'], ['sched-credit2', '-d', 'Domain-0']]) {
      const [overSocket, inLab] = [await xl(...argv), await xlLab(lab, ...argv)];
      expect({ argv, ...overSocket }).toEqual({ argv, ...inLab });
    }
    expect((await xl('cpupool-list')).stdout).toMatch(/^Pool-0\s/m);
    // xl info: the running host's physinfo (its host name is the server's, lab1)
    const info = await xl('info');
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^host\s+: lab1$/m);
    expect(info.stdout).toMatch(/^nr_cpus\s+: 8$/m);
  });

  it('creates a domain the running XenDeck then holds, pauses and destroys it', async () => {
    const cfg = writeGuestConfig(dir, 'sockguest');
    const c = await xl('create', cfg);
    expect(c.stderr).toBe(`Parsing config from ${cfg}\n`);
    expect(c.code).toBe(0);
    expect((await xl('list')).stdout).toMatch(/^sockguest\s+1\s+128\s+1\s+[-rb]{6}\s/m);
    const held = await server.lab.host('lab1').listDomains();
    expect(held.map((d) => d.name)).toContain('sockguest');

    expect((await xl('list', '-l', 'sockguest')).stdout).toContain('"name": "sockguest"');
    expect((await xl('pause', 'sockguest')).code).toBe(0);
    expect((await server.lab.host('lab1').domain('sockguest')).state).toMatch(/^..p/);
    expect((await xl('list', 'sockguest')).stdout).toMatch(/^sockguest\s+1\s.*\s..p...\s/m);
    expect((await xl('unpause', 'sockguest')).code).toBe(0);
    expect((await xl('vcpu-pin', 'sockguest', '0', '1')).code).toBe(0);
    expect((await xl('vcpu-list', 'sockguest')).stdout).toMatch(/^sockguest\s+1\s+0\s.*\s1 \/ all$/m);
    expect((await xl('mem-max', 'sockguest', '256m')).code).toBe(0);
    expect((await server.lab.host('lab1').domain('sockguest')).maxMemoryMiB).toBe(256);
    expect((await xl('destroy', 'sockguest')).code).toBe(0);
    expect((await server.lab.host('lab1').listDomains()).map((d) => d.name)).not.toContain('sockguest');
    // nothing was journalled anywhere: the server holds the state
    expect(readdirSync(dir)).not.toContain('.lab');
  });

  it('keeps xl words and exit codes for errors', async () => {
    const lab = newLab();
    const cfg = writeGuestConfig(dir, 'dupe');
    // the lab's next domid as the server's (which made and destroyed domid 1 before)
    expect((await xlLab(lab, 'create', writeGuestConfig(dir, 'filler'))).code).toBe(0);
    expect((await xlLab(lab, 'destroy', 'filler')).code).toBe(0);
    expect((await xl('create', cfg)).code).toBe(0);
    expect((await xlLab(lab, 'create', cfg)).code).toBe(0);
    for (const argv of [['create', cfg], ['destroy', '99'], ['pause', 'nosuch'], ['destroy', '0'], ['mem-max', 'dupe', '1m'], ['vcpu-pin', 'dupe', '5', '0'], ['cpupool-destroy', 'nope']]) {
      const [overSocket, inLab] = [await xl(...argv), await xlLab(lab, ...argv)];
      expect({ argv, ...overSocket }).toEqual({ argv, ...inLab });
      expect({ argv, failed: overSocket.code !== 0 }).toEqual({ argv, failed: true });
    }
    // xl pause of a missing domid logs libxl's error and still exits 0, as real xl does
    const pause = await xl('pause', '99');
    expect(pause).toEqual(await xlLab(lab, 'pause', '99'));
    expect(pause.stderr).not.toBe('');
    expect((await xl('destroy', 'dupe')).code).toBe(0);
  });

  it('picks a host of the running XenDeck with --host, and reports an unknown one', async () => {
    expect((await xl('--host', 'lab1', 'list')).code).toBe(0);
    const r = await xl('--host=nosuch', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^xl: .*nosuch/);
  });

  it('runs the lab with --lab even while a XenDeck is running', async () => {
    const lab = newLab();
    const cfg = writeGuestConfig(dir, 'labonly');
    expect((await xl('--lab', lab, 'create', cfg)).code).toBe(0);
    expect((await xl('--lab', lab, 'list')).stdout).toMatch(/^labonly\s/m);
    expect((await server.lab.host('lab1').listDomains()).map((d) => d.name)).not.toContain('labonly');
    expect(readdirSync(lab)).toContain('journal.jsonl');
    // XENDECK_LAB picks the lab too
    expect((await run(['list'], { XENDECK_SOCKET: socket, XENDECK_LAB: lab })).stdout).toMatch(/^labonly\s/m);
  });

  it('says so when an explicit --socket has no XenDeck behind it', async () => {
    const r = await run(['--socket', join(dir, 'nothing.sock'), 'list'], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^xl: no XenDeck answers at .*nothing\.sock/);
    const both = await run(['--lab', newLab(), '--socket', socket, 'list'], {});
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^xl: --socket is for a running XenDeck/);
  });
});
