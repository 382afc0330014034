/** `xl sysrq`: libxl_send_sysrq's control/sysrq, handled by the guest kernel's handle_sysrq. */
import { describe, expect, it } from 'vitest';
import { PV, rig } from './guest-harness';

describe('xl sysrq reaches the guest kernel', () => {
  it('writes control/sysrq; h prints SysRq help, s syncs, the domain keeps running', async () => {
    const g = await rig(PV);
    await g.login();
    await g.host.sendSysrq('web1', 'h');
    await g.host.sendSysrq('web1', 's');
    // the toolstack wrote the key; the guest's driver took it and cleared the node
    await g.host.xenstore.settled();
    expect(g.host.xenstore.read(`/local/domain/${g.domid}/control/sysrq`)).toBe('s');
    await new Promise((r) => setTimeout(r, 20));
    expect(await g.host.xenstore.readLive([`/local/domain/${g.domid}/control/sysrq`])).toEqual(['']);
    const t = g.take();
    expect(t).toMatch(/\] sysrq: HELP : loglevel\(0-9\) reboot\(b\) crash\(c\)/);
    expect(t).toMatch(/\] sysrq: Emergency Sync\r\n/);
    expect((await g.host.domain('web1')).state).not.toContain('s');
  });

  it('c crashes the kernel (on_crash applies), b reboots at once (on_reboot), o powers off', async () => {
    const c = await rig(`${PV}on_crash = "preserve"\n`);
    await c.login();
    await c.host.sendSysrq('web1', 'c');
    expect(c.take()).toContain('Kernel panic - not syncing: sysrq triggered crash');
    expect((await c.host.domain('web1')).shutdownReason).toBe('crash');

    const b = await rig(`${PV}on_reboot = "preserve"\n`);
    await b.login();
    await b.host.sendSysrq('web1', 'b');
    expect(b.take()).toMatch(/\] sysrq: Resetting\r\n/);
    expect((await b.host.domain('web1')).shutdownReason).toBe('reboot');

    const o = await rig(`${PV}on_poweroff = "preserve"\n`);
    await o.login();
    await o.host.sendSysrq('web1', 'o');
    expect((await o.host.domain('web1')).shutdownReason).toBe('poweroff');
  });

  it('a paused guest takes the key when it runs again; more than one character is refused', async () => {
    const g = await rig(`${PV}on_crash = "preserve"\n`);
    await g.login();
    await g.host.pause('web1');
    await g.host.sendSysrq('web1', 'c');
    expect((await g.host.domain('web1')).shutdownReason ?? null).toBeNull();
    await g.host.unpause('web1');
    g.run(0.1);
    expect((await g.host.domain('web1')).shutdownReason).toBe('crash');
    await expect(g.host.sendSysrq('web1', 'cb')).rejects.toMatchObject({ code: 'EINVAL', message: 'Invalid sysrq.' });
  });
});
