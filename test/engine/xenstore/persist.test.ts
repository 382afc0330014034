import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XenstoreDaemon } from '../../../engine/xenstore/daemon';
import { Persistence } from '../../../engine/xenstore/persist';
import { XsClient } from '../../../engine/xenstore/client';
import { XsType } from '../../../engine/xenstore/wire';
import { MemClient } from './helpers';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'xs-state-'));
  dirs.push(d);
  return d;
}

function open(dir: string): { d: XenstoreDaemon; p: Persistence; c: MemClient } {
  const d = new XenstoreDaemon();
  const p = new Persistence(d, dir, { fsync: 'never' });
  return { d, p, c: new MemClient(d, 0) };
}

describe('xenstore persistence (snapshot + journal)', () => {
  it('brings back nodes, values, permissions and child order from the journal alone', () => {
    const dir = stateDir();
    const a = open(dir);
    a.c.write('/vm/z', 'last');
    a.c.write('/vm/a', Buffer.from([0, 1, 255]).toString('latin1'));
    a.c.call(XsType.SET_PERMS, '/vm/z', 'n0', 'r3');
    a.c.write('/gone/x', '1');
    a.c.call(XsType.RM, '/gone');
    // no close(): as if killed
    const b = open(dir);
    expect(b.p.loaded.journalRecords).toBeGreaterThan(0);
    expect(b.c.call(XsType.DIRECTORY, '/vm')).toBe('z\0a\0');
    expect(b.c.read('/vm/z')).toBe('last');
    expect(Buffer.from(b.c.read('/vm/a'), 'latin1')).toEqual(Buffer.from([0, 1, 255]));
    expect(b.c.call(XsType.GET_PERMS, '/vm/z')).toBe('n0\0r3\0');
    expect(b.c.read('/gone')).toBe('ERR:ENOENT');
    expect(b.c.call(XsType.DIRECTORY, '/')).toBe('vm\0');
  });

  it('persists transaction commits but not aborted or failed ones', () => {
    const dir = stateDir();
    const a = open(dir);
    const t1 = Number.parseInt(a.c.call(XsType.TRANSACTION_START, ''), 10);
    a.c.write('/t/ok', '1', t1);
    a.c.callTx(t1, XsType.TRANSACTION_END, 'T');
    const t2 = Number.parseInt(a.c.call(XsType.TRANSACTION_START, ''), 10);
    a.c.write('/t/aborted', '1', t2);
    a.c.callTx(t2, XsType.TRANSACTION_END, 'F');
    const b = open(dir);
    expect(b.c.read('/t/ok')).toBe('1');
    expect(b.c.read('/t/aborted')).toBe('ERR:ENOENT');
  });

  it('keeps introduced domains, targets and special-path permissions', () => {
    const dir = stateDir();
    const a = open(dir);
    a.c.call(XsType.INTRODUCE, '5', '-3', '7');
    a.c.call(XsType.INTRODUCE, '6', '1', '1');
    a.c.call(XsType.SET_TARGET, '6', '5');
    a.c.call(XsType.INTRODUCE, '9', '1', '1');
    a.c.call(XsType.RELEASE, '9');
    a.c.call(XsType.SET_PERMS, '@releaseDomain', 'n0', 'r5');
    const b = open(dir);
    expect(b.c.call(XsType.IS_DOMAIN_INTRODUCED, '5')).toBe('T\0');
    expect(b.c.call(XsType.IS_DOMAIN_INTRODUCED, '9')).toBe('F\0');
    expect(b.d.domains.get(5)?.mfn).toBe(-3n);
    expect(b.d.targetOf(6)).toBe(5);
    expect(b.c.call(XsType.GET_PERMS, '@releaseDomain')).toBe('n0\0r5\0');
  });

  it('journals a domain change as that domain\'s record alone, and replays old whole-state records too', () => {
    const dir = stateDir();
    const a = open(dir);
    for (let domid = 1; domid <= 50; domid++) a.c.call(XsType.INTRODUCE, String(domid), '1', '1');
    a.c.call(XsType.RELEASE, '7');
    const lines = readFileSync(join(dir, 'journal'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-2)).toEqual({ d: { domid: 50, mfn: '1', evtchn: 1, shutdownReported: false } });
    expect(lines.at(-1)).toEqual({ r: 7 });
    // a journal written before per-domain records: a whole-state line, then a per-domain one
    appendFileSync(join(dir, 'journal'), `${JSON.stringify({ m: { domains: [{ domid: 3, mfn: '9', evtchn: 2, shutdownReported: true }], special: [] } })}\n${JSON.stringify({ d: { domid: 4, mfn: '1', evtchn: 1, shutdownReported: false } })}\n`);
    const b = open(dir);
    expect([...b.d.domains.keys()].sort((x, y) => x - y)).toEqual([3, 4]);
    expect(b.d.domains.get(3)).toMatchObject({ mfn: 9n, evtchn: 2, shutdownReported: true });
  });

  it('snapshots on close and on load, emptying the journal, and keeps transaction ids growing', () => {
    const dir = stateDir();
    const a = open(dir);
    for (let i = 0; i < 50; i++) a.c.write(`/s/${i}`, `${i}`);
    const tx = Number.parseInt(a.c.call(XsType.TRANSACTION_START, ''), 10);
    a.p.close();
    expect(readFileSync(join(dir, 'journal'), 'utf8')).toBe('');
    const b = open(dir);
    expect(b.p.loaded).toMatchObject({ nodes: 52, journalRecords: 0 });
    expect(b.c.read('/s/49')).toBe('49');
    expect(Number.parseInt(b.c.call(XsType.TRANSACTION_START, ''), 10)).toBeGreaterThan(tx);
    b.c.write('/after', 'snap');
    const c = open(dir);
    expect(c.c.read('/after')).toBe('snap');
  });

  it('ignores a torn last journal line', () => {
    const dir = stateDir();
    const a = open(dir);
    a.c.write('/k', 'v');
    appendFileSync(join(dir, 'journal'), '{"n":[["/half","d');
    const b = open(dir);
    expect(b.c.read('/k')).toBe('v');
    expect(b.c.read('/half')).toBe('ERR:ENOENT');
  });

  it('loses no acknowledged write when the xenstored process is killed with SIGKILL', async () => {
    const dir = stateDir();
    const sock = join(dir, 'socket');
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const startDaemon = async (): Promise<{ kill(sig: NodeJS.Signals): Promise<number | null>; line: string }> => {
      const p = spawn(process.execPath, [join(root, 'bin/xenstored.mjs'), '--socket', sock, '--state', join(dir, 'state')], { cwd: root });
      let out = '';
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const exit = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
      const t0 = Date.now();
      while (!out.includes('\n') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
      return {
        line: out,
        kill: async (sig) => {
          p.kill(sig);
          return exit;
        },
      };
    };
    const first = await startDaemon();
    expect(first.line).toContain('listening on');
    const c = await XsClient.connect(sock);
    for (let i = 0; i < 200; i++) await c.write(`/durable/${i}`, `v${i}`);
    await c.setPerms('/durable/7', ['n0', 'r2']);
    c.close();
    await first.kill('SIGKILL');
    const second = await startDaemon();
    expect(second.line).toContain('(state ');
    const c2 = await XsClient.connect(sock);
    expect((await c2.directory('/durable')).length).toBe(200);
    expect(await c2.read('/durable/199')).toBe('v199');
    expect(await c2.getPerms('/durable/7')).toEqual(['n0', 'r2']);
    c2.close();
    expect(await second.kill('SIGTERM')).toBe(0);
  });
});
