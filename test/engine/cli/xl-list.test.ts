import { describe, expect, it } from 'vitest';
import { fieldEnds, fixture, fixtureExit, jsonSkeleton, newLab, writeGuestConfig, xl } from './xl-harness';

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

async function labWithGuest(): Promise<string> {
  const lab = newLab();
  const r = await xl(lab, 'create', writeGuestConfig(lab));
  expect(r.code).toBe(0);
  return lab;
}

describe('xl list and the other read-only listings, held against a real Xen 4.17', () => {
  it('list: the header, and rows in the real column layout', async () => {
    const lab = await labWithGuest();
    const r = await xl(lab, 'list');
    expect(r.code).toBe(0);
    const real = lines(fixture('xl-list-guest.out'));
    const ours = lines(r.stdout);
    expect(ours[0]).toBe(real[0]);
    expect(ours.length).toBe(real.length);
    // Domain-0 has 1024 MiB and 4 vCPUs here, 768 and 1 there: still right-aligned alike
    for (let i = 1; i < real.length; i++) expect(fieldEnds(ours[i]!)).toEqual(fieldEnds(real[i]!));
    expect(ours[2]).toMatch(/^xendeck-pv {30} +1 +128 +1 {5}[-r][-b]-{4} +0\.0$/);
  });

  it('list -v: UUID, reason code and security label columns', async () => {
    const lab = await labWithGuest();
    const ours = lines((await xl(lab, 'list', '-v')).stdout);
    const real = lines(fixture('xl-list-v-guest.out'));
    expect(ours[0]).toBe(real[0]);
    for (let i = 1; i < real.length; i++) expect(fieldEnds(ours[i]!)).toEqual(fieldEnds(real[i]!));
    expect(ours[1]).toContain(' 00000000-0000-0000-0000-000000000000        -                -');
  });

  it('list -c: the Cpupool column', async () => {
    const lab = await labWithGuest();
    const ours = lines((await xl(lab, 'list', '-c')).stdout);
    const real = lines(fixture('xl-list-c.out'));
    expect(ours[0]).toBe(real[0]);
    expect(fieldEnds(ours[1]!)).toEqual(fieldEnds(real[1]!));
    expect(ours[2]!.endsWith('          Pool-0')).toBe(true);
  });

  it('list DOMAIN: one row; a bad name is xl\'s message and exit 1', async () => {
    const lab = await labWithGuest();
    const one = lines((await xl(lab, 'list', 'xendeck-pv')).stdout);
    expect(one.length).toBe(2);
    const bad = await xl(lab, 'list', 'nosuch');
    expect(bad.stderr).toBe(fixture('xl-list-nosuch.err'));
    expect(bad.stdout).toBe('');
    expect(bad.code).toBe(fixtureExit('xl-list-nosuch'));
    expect(await xl(lab, 'list', '42')).toEqual({ code: 1, stdout: '', stderr: "Error: Domain '42' does not exist.\n" });
  });

  it('list -l: libxl\'s JSON, laid out like the real one for Domain-0 and a PV guest', async () => {
    const lab = newLab();
    const dom0 = await xl(lab, 'list', '-l');
    expect(jsonSkeleton(dom0.stdout)).toBe(jsonSkeleton(fixture('xl-list-l.out')));
    await xl(lab, 'create', writeGuestConfig(lab));
    const both = await xl(lab, 'list', '-l');
    expect(jsonSkeleton(both.stdout)).toBe(jsonSkeleton(fixture('xl-list-l-guest.out')));
    const one = await xl(lab, 'list', '-l', 'xendeck-pv');
    expect(jsonSkeleton(one.stdout)).toBe(jsonSkeleton(fixture('xl-list-l-one.out')));
    const parsed = JSON.parse(one.stdout) as [{ domid: number; config: { b_info: { target_memkb: number; kernel: string }; on_crash: string } }];
    expect(parsed[0].domid).toBe(1);
    expect(parsed[0].config.b_info.target_memkb).toBe(128 * 1024);
    expect(parsed[0].config.b_info.kernel).toBe('/var/lib/xen/images/xendeck-pv/vmlinuz');
    expect(parsed[0].config.on_crash).toBe('preserve');
  });

  it('vm-list: the header and "UUID  ID    name" rows, Domain-0 included as 4.17 does', async () => {
    const lab = newLab();
    expect((await xl(lab, 'vm-list')).stdout).toBe(fixture('xl-vm-list.out'));
    await xl(lab, 'create', writeGuestConfig(lab));
    const ours = lines((await xl(lab, 'vm-list')).stdout);
    const real = lines(fixture('xl-vm-list-guest.out'));
    expect(ours[0]).toBe(real[0]);
    expect(ours[1]).toBe(real[1]);
    expect(fieldEnds(ours[2]!)).toEqual(fieldEnds(real[2]!));
    expect(ours[2]!.length).toBe(real[2]!.length);
  });

  it('domid / domname: the real outputs and messages', async () => {
    const lab = await labWithGuest();
    const id = await xl(lab, 'domid', 'xendeck-pv');
    expect(id.stdout).toMatch(/^\d+\n$/);
    expect(id.stdout).toBe(fixture('xl-domid.out').replace('2', '1'));
    expect((await xl(lab, 'domname', '1')).stdout).toBe(fixture('xl-domname.out'));
    const none = await xl(lab, 'domname', '99');
    expect(none.stderr).toBe(fixture('xl-domname-nosuch.err'));
    expect(none.code).toBe(fixtureExit('xl-domname-nosuch'));
    expect(await xl(lab, 'domid', 'nosuch')).toEqual({ code: 1, stdout: '', stderr: "Can't get domid of domain name 'nosuch', maybe this domain does not exist.\n" });
    expect(await xl(lab, 'domname', 'abc')).toEqual({ code: 1, stdout: '', stderr: 'Invalid domain id.\n\n' });
  });

  it('uptime: "Name ID Uptime" and "%-33s %4d %2d:%02d:%02d" rows', async () => {
    const lab = await labWithGuest();
    const ours = lines((await xl(lab, 'uptime')).stdout);
    const real = lines(fixture('xl-uptime.out'));
    expect(ours[0]).toBe(real[0]);
    // the real dom0's uptime is whatever it was at capture time; ours starts at 0:00:00
    expect(ours[1]).toBe(real[1]!.replace(/\d+:\d\d:\d\d$/, '0:00:00'));
    expect(ours[2]).toBe(`${'xendeck-pv'.padEnd(33)}    1  0:00:00`);
    expect((await xl(lab, 'uptime', '-s', 'xendeck-pv')).stdout).toMatch(/^ \d\d:\d\d:\d\d up {2}0:00, xendeck-pv \(1\)\n$/);
  });

  it('info: the real field names in order, "%-23s: " layout; info FIELD prints the value', async () => {
    const lab = newLab();
    const r = await xl(lab, 'info');
    const realKeys = lines(fixture('xl-info.out')).map((l) => l.slice(0, 23).trim());
    const ourKeys = lines(r.stdout).map((l) => l.slice(0, 23).trim());
    const pos = ourKeys.map((k) => realKeys.indexOf(k));
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
    expect((await xl(lab, 'info', 'nr_cpus')).stdout).toBe('8\n');
  });

  it('dmesg prints the console ring; dmesg -c clears it, and the clear persists', async () => {
    const lab = newLab();
    const r = await xl(lab, 'dmesg');
    expect(r.stdout).toMatch(/^\(XEN\) Xen version 4\.17/);
    expect((await xl(lab, 'dmesg', '-c')).stdout).toBe(r.stdout);
    expect((await xl(lab, 'dmesg')).stdout).toBe('');
  });
});
