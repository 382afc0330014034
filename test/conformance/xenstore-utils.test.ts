// Conformance: Debian's real xenstore-utils (libxenstore 4.17 clients) against our
// xenstored, started as its own process (bin/xenstored.mjs) on a temporary socket and
// found by the clients through XENSTORED_PATH (tools/include/xen-tools/xenstore-common.h).
// The binaries come from the Debian package xenstore-utils (.ci/run installs it); if they
// are missing this suite fails and says so rather than skipping. Xen's own xenstore test
// program, test-xenstore, ships in xen-utils-4.17, whose dependencies we do not want on
// the machine: it is fetched with `apt-get download` and unpacked (dpkg-deb -x) into a
// cache folder; it only needs libxenstore4, which xenstore-utils brings. The same package's
// xenstore-control drives a live update.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { xenUtil } from './xen-utils-package';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TOOLS = ['xenstore-write', 'xenstore-read', 'xenstore-ls', 'xenstore-rm', 'xenstore-chmod', 'xenstore-list', 'xenstore-exists', 'xenstore-watch'];
const root = fileURLToPath(new URL('../..', import.meta.url));

let dir = '';
let sock = '';
let daemon: ChildProcess | undefined;
let daemonErr = '';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function xs(tool: string, ...args: string[]): Run {
  const r = spawnSync(`/usr/bin/${tool}`, args, { env: { ...process.env, XENSTORED_PATH: sock }, encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(tool: string, ...args: string[]): string {
  const r = xs(tool, ...args);
  expect(r.stderr, `${tool} ${args.join(' ')}`).toBe('');
  expect(r.code, `${tool} ${args.join(' ')}`).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  const missing = TOOLS.filter((t) => !existsSync(`/usr/bin/${t}`));
  if (missing.length > 0) {
    throw new Error(
      `Debian's xenstore-utils are not installed (missing ${missing.join(', ')}): run \`apt-get install -y xenstore-utils\``,
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'xenstored-conf-'));
  sock = join(dir, 'socket');
  const child = spawn(process.execPath, [join(root, 'bin/xenstored.mjs'), '--socket', sock, '--verbose'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  daemon = child;
  await new Promise<void>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`xenstored did not start: ${out}${err}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      daemonErr += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`xenstored exited ${code}: ${out}${err}`)));
  });
}, 30_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon!.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("Debian's xenstore-utils against our xenstored", () => {
  it('xenstore-write then xenstore-read', () => {
    ok('xenstore-write', '/vm/a', '1', '/vm/b', 'two words', '/vm/c/d', 'deep');
    expect(ok('xenstore-read', '/vm/a', '/vm/b', '/vm/c/d')).toBe('1\ntwo words\ndeep\n');
    expect(ok('xenstore-read', '/vm/c')).toBe('\n');
  });

  it('xenstore-read of a missing node fails', () => {
    const r = xs('xenstore-read', '/no/such/node');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("couldn't read path /no/such/node");
  });

  it('xenstore-ls prints the tree, with -f full paths and -p permissions', () => {
    expect(ok('xenstore-ls', '/vm')).toBe('a = "1"\nb = "two words"\nc = ""\n d = "deep"\n');
    expect(ok('xenstore-ls', '-f', '/vm')).toBe('/vm/a = "1"\n/vm/b = "two words"\n/vm/c = ""\n/vm/c/d = "deep"\n');
    const p = ok('xenstore-ls', '-p', '/vm').split('\n');
    expect(p[0]).toMatch(/^a = "1" +[. ]+ \(n0\)$/);
    expect(p[3]).toMatch(/^ d = "deep" +[. ]+ \(n0\)$/);
  });

  it('xenstore-list lists the children', () => {
    expect(ok('xenstore-list', '/vm')).toBe('a\nb\nc\n');
    expect(ok('xenstore-list', '/vm/a')).toBe('');
  });

  it('xenstore-exists reports by exit status', () => {
    expect(xs('xenstore-exists', '/vm/a').code).toBe(0);
    expect(xs('xenstore-exists', '/vm/zz').code).toBe(1);
  });

  it('xenstore-chmod sets permissions (and -r recursively)', () => {
    ok('xenstore-chmod', '/vm/a', 'n0', 'r5');
    ok('xenstore-chmod', '-r', '/vm/c', 'b3', 'r4');
    const p = ok('xenstore-ls', '-p', '/vm').split('\n');
    expect(p[0]).toMatch(/\(n0,r5\)$/);
    expect(p[1]).toMatch(/\(n0\)$/);
    expect(p[2]).toMatch(/\(b3,r4\)$/);
    expect(p[3]).toMatch(/\(b3,r4\)$/);
  });

  it('xenstore-chmod rejects a malformed permission', () => {
    expect(xs('xenstore-chmod', '/vm/a', 'q1').code).not.toBe(0);
  });

  it('xenstore-rm removes recursively; a missing node is fine, a missing parent is not', () => {
    ok('xenstore-write', '/rmme/x/y', '1');
    ok('xenstore-rm', '/rmme/x');
    expect(ok('xenstore-list', '/rmme')).toBe('');
    ok('xenstore-rm', '/rmme/x');
    const r = xs('xenstore-rm', '/nowhere/x');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not remove path /nowhere/x');
    ok('xenstore-write', '/tidy/a/b', '1');
    ok('xenstore-rm', '-t', '/tidy/a/b');
    expect(xs('xenstore-exists', '/tidy').code).toBe(1);
  });

  it('xenstore-watch gets the initial event, then the changes below the path', async () => {
    const w = spawn('/usr/bin/xenstore-watch', ['-n', '3', '/watched'], { env: { ...process.env, XENSTORED_PATH: sock } });
    let out = '';
    const lines = (): string[] => out.split('\n').filter((l) => l !== '');
    w.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => w.once('exit', r));
    const until = async (n: number): Promise<void> => {
      const t0 = Date.now();
      while (lines().length < n) {
        if (Date.now() - t0 > 10_000) throw new Error(`xenstore-watch printed only ${JSON.stringify(out)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(1);
    ok('xenstore-write', '/watched/child', 'x');
    await until(2);
    ok('xenstore-write', '/elsewhere', 'x');
    ok('xenstore-rm', '/watched');
    expect(await exited).toBe(0);
    expect(lines()).toEqual(['/watched', '/watched/child', '/watched']);
  });

  it('xenstore-watch stays connected and keeps its watch across `xenstore-control live-update`', async () => {
    const w = spawn('/usr/bin/xenstore-watch', ['-n', '2', '/live'], { env: { ...process.env, XENSTORED_PATH: sock } });
    let out = '';
    w.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => w.once('exit', r));
    const t0 = Date.now();
    while (!out.includes('\n')) {
      if (Date.now() - t0 > 10_000) throw new Error('no initial watch event');
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = daemonErr.length;
    const lu = spawnSync(xenUtil('xenstore-control'), ['live-update', process.execPath], {
      env: { ...process.env, XENSTORED_PATH: sock },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(lu.stderr).toBe('');
    expect(lu.status).toBe(0);
    while (!daemonErr.slice(before).includes('live update done')) {
      if (Date.now() - t0 > 20_000) throw new Error(`live update did not finish: ${daemonErr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    ok('xenstore-write', '/live/after', '1');
    expect(await exited).toBe(0);
    expect(out).toBe('/live\n/live/after\n');
    expect(ok('xenstore-ls', '-f', '/vm')).toContain('/vm/b = "two words"');
  });

  it("passes Xen's test-xenstore (reads, writes, directories, removal, transactions incl. the conflict case)", () => {
    const bin = xenUtil('test-xenstore');
    const r = spawnSync(bin, [], { env: { ...process.env, XENSTORED_PATH: sock }, encoding: 'utf8', timeout: 120_000 });
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(r.stderr).toBe('');
    expect(lines.filter((l) => l.includes('failed'))).toEqual([]);
    expect(lines.map((l) => l.split(':')[0]!.trim())).toEqual([
      'read 1', 'read 2000', 'write 1', 'write 2000', 'dir', 'rm node', 'rm dir',
      'ta empty', 'ta empty x', 'ta rmw', 'ta rmw x', 'ta err',
    ]);
    expect(r.status).toBe(0);
  }, 150_000);

  it('the daemon still serves after all of that', () => {
    expect(ok('xenstore-read', '/vm/b')).toBe('two words\n');
  });
});
