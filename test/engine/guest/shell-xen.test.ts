import { describe, expect, it } from 'vitest';
import { HVM, PV, rig } from './guest-harness';

/** Let the guest's xenbus requests and replies go through (they are asynchronous, as on a ring). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('guest shell: commands that talk to Xen', () => {
  it('xenstore-read and xenstore-write go through the guest\'s own connection, relative to /local/domain/<domid>', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('xenstore-read name domid\r');
    await settle();
    expect(g.take()).toContain('web1\r\n1\r\n');
    g.type('xenstore-write data/greeting hello\r');
    await settle();
    g.take();
    const listing = await g.host.xenstoreList(`/local/domain/${g.domid}/data`);
    expect(listing.children.map((c) => [c.path, c.value])).toContainEqual([`/local/domain/${g.domid}/data/greeting`, 'hello']);
    // the guest may not write what only dom0 may (its name is [n0, r<domid>])
    g.type('xenstore-write name evil\r');
    await settle();
    expect(g.take()).toContain('xenstore-write: could not write path name');
    expect((await g.host.xenstoreList(`/local/domain/${g.domid}`)).children.find((c) => c.path.endsWith('/name'))?.value).toBe('web1');
    // nor read another domain's nodes
    g.type('xenstore-read /local/domain/0/name\r');
    await settle();
    expect(g.take()).toContain("xenstore-read: couldn't read path /local/domain/0/name");
  });

  it('xenstore-ls prints the tree as do_ls does, and refuses the root to a domU', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('xenstore-ls memory\r');
    await settle();
    const out = g.take();
    expect(out).toContain('static-max = "524288"\r\n');
    expect(out).toContain('target = "524288"\r\n');
    g.type('xenstore-ls /\r');
    await settle();
    expect(g.take()).toContain('xenstore-ls: xs_directory (/): Permission denied');
  });

  it('stress raises the CPU time the scheduler accounts to the domain, then stops', async () => {
    const g = await rig(PV);
    await g.login();
    const before = (await g.host.domain(g.domid)).cpuTimeS;
    g.type('stress --cpu 2 --timeout 10\r');
    g.run(0.001);
    expect(g.take()).toMatch(/stress: info: \[\d+\] dispatching hogs: 2 cpu, 0 io, 0 vm, 0 hdd/);
    g.run(11);
    const out = g.take();
    expect(out).toMatch(/stress: info: \[\d+\] successful run completed in 10s/);
    const during = (await g.host.domain(g.domid)).cpuTimeS - before;
    // two vCPUs busy for 10 s on an idle host: close to 20 s of CPU
    expect(during).toBeGreaterThan(18);
    g.run(10);
    const after = (await g.host.domain(g.domid)).cpuTimeS - before;
    expect(after - during).toBeLessThan(0.5);
  });

  it('top shows the stress workers and steal time when vCPUs wait for busy pCPUs', async () => {
    const g = await rig(PV);
    // a second guest competes for the same pCPUs
    const other = await g.host.createDomain({ configText: 'name = "hog"\nvcpus = 8\nmemory = 256\n' });
    g.host.xen.hypercall({ op: 'sim.set_workload', domid: other.domid!, vcpu: 'all', workload: { kind: 'cpu' } });
    await g.login();
    g.type('stress --cpu 2 --timeout 60 &\r');
    g.run(0.001);
    expect(g.take()).toMatch(/\[1\] \d+\r\n/);
    g.run(10);
    g.type('top -b -n 2 -d 5\r');
    g.run(6);
    const out = g.take();
    const frames = out.split('top - ').slice(1);
    expect(frames).toHaveLength(2);
    // 8 pCPUs, 10 busy vCPUs: the guest's vCPUs wait for a pCPU part of the time
    const cpu = (f: string, k: string): number => Number(new RegExp(`([\\d.]+) ${k}(,|\\r)`).exec(f)?.[1]);
    expect(cpu(frames[1]!, 'st')).toBeGreaterThan(5);
    expect(cpu(frames[1]!, 'us')).toBeGreaterThan(50);
    expect(cpu(frames[1]!, 'us') + cpu(frames[1]!, 'st')).toBeGreaterThan(95);
    // the two workers lead the task area, each near one vCPU's worth minus the steal
    const rows = frames[1]!.split('\r\n').filter((l) => / stress\s*$/.test(l) && / R /.test(l));
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(Number(r.trim().split(/\s+/)[8])).toBeGreaterThan(50);
    expect(out).toContain('PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND');
    // two always-runnable tasks: the 1-minute average climbs towards 2 (0.44 after 20 s, as calc_load gives)
    const load = (f: string): number => Number(/load average: ([\d.]+)/.exec(f)?.[1]);
    expect(load(frames[1]!)).toBeGreaterThan(load(frames[0]!));
    expect(load(frames[1]!)).toBeGreaterThan(0.3);
  });

  it('kexec -e with on_soft_reset="soft-reset" keeps the domain and boots the new kernel in place', async () => {
    const g = await rig(`${HVM}on_soft_reset = "soft-reset"\n`);
    await g.login();
    g.type('kexec -e\r');
    expect(g.take()).toContain('Nothing has been loaded!');
    g.type('kexec -l /boot/vmlinuz-6.1.0-56-amd64 --append="root=/dev/xvda1 ro quiet"\r');
    g.type('cat /sys/kernel/kexec_loaded\r');
    expect(g.take()).toContain('1\r\n');
    const { uuid } = await g.host.domain(g.domid);
    g.type('kexec -e\r');
    expect(g.take()).toContain('kexec_core: Starting new kernel');
    g.run(3);
    const d = await g.host.domain(g.domid);
    expect(d.uuid).toBe(uuid);
    expect(d.state).not.toContain('s');
    const boot = g.take();
    expect(boot).not.toContain('SeaBIOS');
    expect(boot).toContain('Command line: root=/dev/xvda1 ro quiet');
    expect(boot.endsWith('win1 login: ')).toBe(true);
  });

  it('kexec -e with on_soft_reset="destroy" removes the domain; a PV guest cannot kexec', async () => {
    const g = await rig(`${HVM}on_soft_reset = "destroy"\n`);
    await g.login();
    g.type('kexec -l /boot/vmlinuz\r');
    g.type('kexec -e\r');
    await expect(g.host.domain(g.domid)).rejects.toThrow();
    const p = await rig(PV);
    await p.login();
    p.type('kexec -l /boot/vmlinuz\r');
    expect(p.take()).toContain('kexec_load failed: Operation not supported');
  });
});
