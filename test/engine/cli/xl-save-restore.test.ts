/**
 * `xl save` / `xl restore` against a lab folder and against a running XenDeck: xl's
 * stderr lines, exit codes, what becomes of the domain, and that the next xl run (a
 * journal replay) sees the same host.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../engine/cli/xl';
import { startConsoleServer, type ConsoleServer } from '../../../main/serve/console-server';
import { newLab, writeGuestConfig, xl, type XlRun } from './xl-harness';

const names = (r: XlRun): string[] => r.stdout.split('\n').slice(1).filter((l) => l !== '').map((l) => l.split(/\s+/)[0]!);

describe('xl save / restore in a lab', () => {
  it('saves (the domain goes), restores (it comes back under its name), and the next run sees it', async () => {
    const lab = newLab();
    await xl(lab, 'create', writeGuestConfig(lab, 'web1', 'vcpus = 2\n'));
    const file = join(lab, 'web1.save');
    const s = await xl(lab, 'save', 'web1', file);
    expect(s.code).toBe(0);
    expect(s.stdout).toBe('');
    expect(s.stderr).toMatch(new RegExp(`^Saving to ${file} new xl format \\(info 0x3/0x0/\\d+\\)\\n$`));
    expect(names(await xl(lab, 'list'))).toEqual(['Domain-0']);

    const r = await xl(lab, 'restore', file);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^Loading new save file ${file} \\(new xl fmt info 0x3/0x0/\\d+\\)$`)),
      ' Savefile contains xl domain config in JSON format',
      'Parsing config from <saved>',
      '',
    ]);
    const list = await xl(lab, 'list');
    expect(names(list)).toEqual(['Domain-0', 'web1']);
    expect(list.stdout).toMatch(/^web1\s+2\s+128\s+2\s/m);
    const json = JSON.parse((await xl(lab, 'list', '-l', 'web1')).stdout) as [{ config: { b_info: { cmdline: string }; on_crash?: string } }];
    expect(json[0].config.b_info.cmdline).toBe('console=hvc0 quiet');
    expect(json[0].config.on_crash).toBe('preserve');
  });

  it('-c keeps the domain running, -p leaves it paused; restore -p leaves the copy paused', async () => {
    const lab = newLab();
    await xl(lab, 'create', writeGuestConfig(lab, 'db1'));
    expect((await xl(lab, 'save', '-c', 'db1', join(lab, 'c.save'))).code).toBe(0);
    expect((await xl(lab, 'list')).stdout).toMatch(/^db1\s+1\s.*-----/m);
    expect((await xl(lab, 'save', '-p', 'db1', join(lab, 'p.save'))).code).toBe(0);
    expect((await xl(lab, 'list')).stdout).toMatch(/^db1\s+1\s+\S+\s+\S+\s+--p---/m);
    await xl(lab, 'destroy', 'db1');
    expect((await xl(lab, 'restore', '-p', join(lab, 'p.save'))).code).toBe(0);
    expect((await xl(lab, 'list')).stdout).toMatch(/^db1\s+2\s+\S+\s+\S+\s+--p---/m);
  });

  it('a file that is not a save file, or none at all: xl\'s words, exit 1, nothing made', async () => {
    const lab = newLab();
    const bad = join(lab, 'bad.save');
    writeFileSync(bad, 'Xen saved domain, xm format\n \0 \r and then some more bytes of nothing');
    expect(await xl(lab, 'restore', bad)).toEqual({ code: 1, stdout: '', stderr: 'File has wrong magic number - corrupt or for a different tool? (at byte 0)\n' });
    expect(await xl(lab, 'restore', join(lab, 'none.save'))).toEqual({ code: 1, stdout: '', stderr: "Can't open restore file: No such file or directory\n" });
    expect(names(await xl(lab, 'list'))).toEqual(['Domain-0']);
  });

  it('an unknown domain is find_domain\'s error; -D is said not to be implemented', async () => {
    const lab = newLab();
    expect(await xl(lab, 'save', 'nosuch', join(lab, 'x.save'))).toEqual({ code: 1, stdout: '', stderr: 'nosuch is an invalid domain identifier (rc=-6)\n' });
    await xl(lab, 'create', writeGuestConfig(lab, 'd'));
    const r = await xl(lab, 'save', '-D', 'd', join(lab, 'x.save'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/xl save -D .*not implemented/);
  });
});

describe('xl save / restore against a running XenDeck', () => {
  let server: ConsoleServer;
  let dir: string;
  let socket: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xendeck-xlsave-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    socket = join(dir, 'run', 'api.sock');
    server = await startConsoleServer({ host: '127.0.0.1', port: 0, allowRemote: false, token: 'test-token-0123456789', seed: 1, labDir: join(dir, 'lab'), socketPath: socket, rendererDir: dir }, 'test');
  });
  afterAll(async () => {
    await server.close();
  });
  const run = async (...argv: string[]): Promise<XlRun> => {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, { stdin: null, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { XENDECK_SOCKET: socket } });
    return { code, stdout, stderr };
  };

  it('writes the file xl was asked for and restores from it; the XenDeck\'s save folder keeps nothing of the transfer', async () => {
    const cfg = writeGuestConfig(dir, 'sock1');
    expect((await run('create', cfg)).code).toBe(0);
    const file = join(dir, 'sock1.save');
    const s = await run('save', 'sock1', file);
    expect(s.stderr).toMatch(new RegExp(`^Saving to ${file} new xl format`));
    expect(s.code).toBe(0);
    expect(names(await run('list'))).not.toContain('sock1');
    const r = await run('restore', file);
    expect(r.stderr).toContain(`Loading new save file ${file}`);
    expect(r.code).toBe(0);
    expect(names(await run('list'))).toContain('sock1');
    expect(readdirSync(join(dir, 'lab', 'save', 'lab1'))).toEqual([]);
  });
});
