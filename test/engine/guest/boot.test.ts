import { describe, expect, it } from 'vitest';
import { HVM, PV, PVH, rig } from './guest-harness';

describe('guest boot', () => {
  it('boots a PV guest with Linux-on-Xen messages to a login prompt on hvc0', async () => {
    const g = await rig(PV);
    g.run(0.5);
    expect(g.text()).toContain('[    0.000000] Linux version 6.1.0-56-cloud-amd64');
    expect(g.text()).toContain('Hypervisor detected: Xen PV');
    expect(g.text()).not.toContain('login:');
    g.run(5);
    const t = g.text();
    expect(t).toContain('Booting paravirtualized kernel on Xen PV');
    expect(t).toContain('xen:grant_table: Grant tables using version 1 layout');
    expect(t).toContain('smp: Brought up 1 node, 2 CPUs');
    expect(t).toContain('Debian GNU/Linux 12 web1 hvc0');
    expect(t.endsWith('web1 login: ')).toBe(true);
    expect(t).toContain('\r\n'); // ONLCR
    expect(g.host.guestOf(g.domid)?.state).toBe('login');
  });

  it('boots PVH as Xen PVH', async () => {
    const g = await rig(PVH);
    g.run(5);
    expect(g.text()).toContain('Hypervisor detected: Xen PVH');
    expect(g.text()).toContain('smp: Brought up 1 node, 1 CPU\r\n');
    expect(g.text().endsWith('web2 login: ')).toBe(true);
  });

  it('boots HVM through the firmware, then the kernel on ttyS0', async () => {
    const g = await rig(HVM);
    g.run(6);
    const t = g.text();
    const bios = t.indexOf('SeaBIOS (version');
    const kernel = t.indexOf('Linux version 6.1.0-56-amd64');
    expect(bios).toBe(0);
    expect(kernel).toBeGreaterThan(bios);
    expect(t).toContain('Booting from Hard Disk...');
    expect(t).toContain('Hypervisor detected: Xen HVM');
    expect(t).toContain('Debian GNU/Linux 12 win1 ttyS0');
    expect(t.endsWith('win1 login: ')).toBe(true);
  });

  it('does not boot while paused (xl create -p), and boots once unpaused', async () => {
    const g = await rig(PV, { paused: true });
    g.run(10);
    expect(g.text()).toBe('');
    await g.host.unpause(g.domid);
    g.run(5);
    expect(g.text().endsWith('web1 login: ')).toBe(true);
  });

  it('is deterministic: two hosts print the same bytes', async () => {
    const a = await rig(PV);
    const b = await rig(PV);
    for (const g of [a, b]) {
      g.run(5);
      g.type('root\r');
      g.type('uptime\r');
      g.run(1);
    }
    expect(a.text()).toBe(b.text());
  });

  it('waits when nobody reads its console ring and nothing is lost when read later', async () => {
    const g = await rig(PV);
    g.console.pause?.();
    g.run(5);
    expect(g.text()).toBe('');
    expect(g.host.guestOf(g.domid)!.pendingBytes).toBeGreaterThan(0);
    g.console.resume?.();
    expect(g.text()).toContain('[    0.000000] Linux version');
    expect(g.text().endsWith('web1 login: ')).toBe(true);
  });
});
