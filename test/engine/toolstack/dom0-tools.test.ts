import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labStatfs } from '../../../engine/cli/dom0-tools';
import { runXl } from '../../../engine/cli/xl';
import { inProcessXlHost } from '../../../engine/cli/dom0-tools';
import { SECONDS } from '../../../engine/hypervisor/clock';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import type { ToolstackEvent } from '../../../engine/toolstack/types';
import { dom0Shell, PROMPT, until, type Dom0Shell } from './dom0-shell';

const dom0 = (): Promise<Dom0Shell> => dom0Shell();

/** What xl prints for `args` against the same host, run as its own command (the `npx xl` code path's output). */
async function xlOut(host: EmbeddedHost, args: string[]): Promise<{ out: string; status: number }> {
  let out = '';
  const sink = { write: (s: string) => (out += s) };
  const status = await runXl(args, { stdin: undefined, stdout: sink, stderr: sink, env: {} }, { host: inProcessXlHost(host), cwd: '/root', file: (p) => p });
  return { out, status };
}

describe("xl in Domain-0's shell runs XenDeck's xl against the host dom0 belongs to", () => {
  it('xl list prints what xl prints, with its exit status in $?', async () => {
    const { host, run } = await dom0();
    const list = await run('xl list');
    expect(list).toBe((await xlOut(host, ['list'])).out);
    expect(list).toMatch(/^Name {40}ID {3}Mem VCPUs\tState\tTime\(s\)\nDomain-0 {2,}0 /);
    expect(await run('echo $?')).toBe('0\n');
    expect(await run('xl destroy nosuch')).toBe('nosuch is an invalid domain identifier (rc=-6)\n');
    expect(await run('echo rc=$?')).toBe('rc=1\n');
    expect(await run('xl --lab /tmp list')).toBe('unknown global option\n');
    expect(await run('xl nosuchcommand')).toBe('command not implemented\n');
  });

  it('xl create reads the config from dom0’s filesystem (the lab folder); the domain is the host’s, with its events', async () => {
    const { host, lab, run } = await dom0();
    mkdirSync(join(lab, 'etc/xen'), { recursive: true });
    writeFileSync(join(lab, 'etc/xen/web1.cfg'), 'name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvcpus = 1\n');
    const events: ToolstackEvent[] = [];
    host.subscribe((e) => events.push(e));
    expect(await run('xl create /etc/xen/web1.cfg')).toBe('Parsing config from /etc/xen/web1.cfg\n');
    const web1 = (await host.listDomains()).find((d) => d.name === 'web1');
    expect(web1?.memoryMiB).toBe(256);
    expect(events.some((e) => e.kind === 'domain.created')).toBe(true);
    expect(await run('xl list web1')).toMatch(/\nweb1 +1 +256 +1 /);
    // relative to root's home; a missing file as xl says it
    expect(await run('xl create web2.cfg')).toContain('Failed to read config file: web2.cfg: No such file or directory');
    expect(await run('echo $?')).not.toBe('0\n');
    // cd .. above / stays in dom0's filesystem: the lab folder
    expect(await run('xl create ../../../etc/xen/web1.cfg')).toContain('Domain with name "web1" already exists');
    await run('xl destroy web1');
    expect((await host.listDomains()).map((d) => d.name)).toEqual(['Domain-0']);
  });

  it('xl save / restore with a file in root’s home, dom0’s working directory', async () => {
    const { host, lab, run } = await dom0();
    await host.createDomain({ configText: 'name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 128\n' });
    host.advanceClock(SECONDS(3));
    const saved = await run('xl save web1 web1.save');
    expect(saved).toMatch(/^Saving to \/root\/web1\.save new xl format \(info 0x3\/0x0\/\d+\)\n/);
    expect(existsSync(join(lab, 'root/web1.save'))).toBe(true);
    expect((await host.listDomains()).map((d) => d.name)).toEqual(['Domain-0']);
    expect(await run('xl restore /root/web1.save')).toContain('Loading new save file /root/web1.save');
    expect((await host.listDomains()).map((d) => d.name)).toContain('web1');
  });

  it('refuses what would hold the tty (xl console, create -F) with a clear message', async () => {
    const { run } = await dom0();
    expect(await run('xl console 0')).toContain("xl console: not available from Domain-0's shell in XenDeck");
  });

  it('^C ends an xl that waits (shutdown -ww of a preserved domain: for its death) and gives the prompt back', async () => {
    const { host, lab, run, type, text } = await dom0();
    mkdirSync(join(lab, 'root'), { recursive: true });
    writeFileSync(join(lab, 'root/keep.cfg'), 'name = "keep"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 128\non_poweroff = "preserve"\n');
    await run('xl create keep.cfg');
    host.advanceClock(SECONDS(10));
    type('xl shutdown -ww keep\r');
    await until(() => text().includes('continue waiting for death'));
    await new Promise((r) => setTimeout(r, 250));
    expect(text().endsWith(PROMPT)).toBe(false);
    type('\x03');
    expect(text().endsWith(`^C\r\n${PROMPT}`)).toBe(true);
    expect(await run('echo $?')).toBe('130\n');
    expect(await run('uname -n')).toBe('xenhost1\n');
  });
});

describe("xentop and xenstore-* in Domain-0's shell", () => {
  it('xentop -b -i 1 prints the header and a line a domain in xentop’s batch format', async () => {
    const { host, run } = await dom0();
    await host.createDomain({ configText: 'name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 512\nvcpus = 2\n' });
    host.advanceClock(SECONDS(3));
    const out = (await run('xentop -b -i 1')).split('\n');
    expect(out[0]).toBe('      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID');
    expect(out[1]).toMatch(/^ {2}Domain-0 [-rb]{6} +\d+ +0\.0 +\d+ +\d+\.\d +no limit +n\/a +\d+ +0 +0 +0 +0 +0 +0 +0 +0 +0 +0$/);
    expect(out[2]).toMatch(/^ {6}web1 [-rb]{6} +\d+ +0\.0 +524288 +\d+\.\d +524288 +\d+\.\d +2 +0 +0 +0 +0 /);
    expect(out).toHaveLength(4);
  });

  it('xentop -b -i 1 -v -n -x adds each domain’s vCPU seconds, a line a vif and a line a vbd', async () => {
    const { host, run } = await dom0();
    await host.createDomain({ configText: "name = \"web1\"\ntype = \"pvh\"\nkernel = \"/boot/vmlinuz\"\nmemory = 512\nvcpus = 6\nvif = [ 'bridge=xenbr0' ]\ndisk = [ 'format=raw, vdev=xvda, access=w, backendtype=qdisk, target=/nowhere' ]\n" });
    host.advanceClock(SECONDS(2));
    const out = await run('xentop -b -i 1 -v -n -x');
    const web1 = out.slice(out.indexOf('      web1 '));
    const lines = web1.split('\n');
    expect(lines[1]).toMatch(/^VCPUs\(sec\): {3}0: +\d+s {2}1: +\d+s {2}2: +\d+s {2}3: +\d+s {2}4: +\d+s$/);
    expect(lines[2]).toMatch(/^ {10}5: +\d+s$/);
    expect(lines[3]).toBe('Net0 RX:        0bytes        0pkts        0err        0drop  TX:        0bytes        0pkts        0err        0drop');
    // the qdisk's backend never came: no statistics, '-' as xentop prints an unreadable vbd
    expect(lines[4]).toBe('VBD BlkBack 51712 [ca: 0]  OO:        -   RD:        -   WR:        -   RSECT:          -   WSECT:          -');
    expect(lines[0]).toMatch(/ {3}1 {8}- {8}- {8}- {10}- {10}- {4}0$/);
  });

  it('xenstore-rm / -list / -exists over dom0’s own connection, with their statuses', async () => {
    const { run } = await dom0();
    expect(await run('xenstore-write /tool/a/b 1 /tool/c 2')).toBe('');
    expect(await run('xenstore-list /tool')).toBe('a\nc\n');
    expect(await run('xenstore-list -p /tool')).toBe('/tool/a\n/tool/c\n');
    await run('xenstore-exists /tool/a/b');
    expect(await run('echo $?')).toBe('0\n');
    await run('xenstore-exists /tool/nope');
    expect(await run('echo $?')).toBe('1\n');
    // -t removes the parents left empty and valueless: /tool/a goes, /tool stays (it has c)
    expect(await run('xenstore-rm -t /tool/a/b')).toBe('');
    expect(await run('xenstore-list /tool')).toBe('c\n');
    expect(await run('xenstore-rm')).toBe('xenstore-rm: Usage: xenstore-rm [-h] [-s] [-t] key [...]\n');
    expect(await run('xenstore-list /nope')).toBe('xenstore-list: could not list path /nope\n');
  });
});

describe("Domain-0's root filesystem", () => {
  it('df shows / on the host’s root LV with its statfs figures: Use% rounded up, -h in powers of 1024 rounded up, /var/lib/xen/images and /root on it', async () => {
    // figures of a 100 GiB LV, not the machine's disk: the output is exact
    const { run } = await dom0Shell({ rootStatfs: { sizeKiB: 102_626_232, usedKiB: 7_340_032, availKiB: 90_026_504 } });
    const lines = (await run('df')).split('\n');
    expect(lines[0]).toMatch(/^Filesystem +1K-blocks +Used +Available Use% Mounted on$/);
    // 7340032 * 100 / (7340032 + 90026504) = 7.54 -> 8%
    expect(lines.find((l) => l.endsWith(' /'))!.split(/ +/)).toEqual(['/dev/mapper/xenhost1--vg-root', '102626232', '7340032', '90026504', '8%', '/']);
    expect(lines.some((l) => l.startsWith('tmpfs ') && l.endsWith(' /run'))).toBe(true);
    expect((await run('df /var/lib/xen/images')).split('\n')[1]!.split(/ +/)).toEqual(['/dev/mapper/xenhost1--vg-root', '102626232', '7340032', '90026504', '8%', '/']);
    // 97.87 GiB -> 98G, 7 GiB -> 7.0G, 85.86 GiB -> 86G
    expect((await run('df -h /root')).split('\n')[1]!.split(/ +/)).toEqual(['/dev/mapper/xenhost1--vg-root', '98G', '7.0G', '86G', '8%', '/']);
  });

  it('dom0’s root filesystem is the statfs of the filesystem the lab folder is on', async () => {
    const { lab, run } = await dom0();
    const root = (await run('df /')).split('\n')[1]!.split(/ +/);
    expect(root[0]).toBe('/dev/mapper/xenhost1--vg-root');
    // only the size: what is used and available on the machine's disk moves with its other users
    expect(Number(root[1])).toBe(labStatfs(lab)!.sizeKiB);
  });

  it('a host without a lab folder gives dom0 no files: df has only the tmpfs mounts', async () => {
    const { run } = await dom0Shell({ labFolder: false });
    const out = await run('df');
    expect(out).toContain(' /run/lock\n');
    expect(out).not.toMatch(/ \/\n/);
  });
});
