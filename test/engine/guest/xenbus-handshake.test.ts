import { describe, expect, it } from 'vitest';
import { XenbusState } from '../../../engine/xenstore/layout';
import { HVM, PV, rig, xsNode as node, type GuestRig } from './guest-harness';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

/**
 * Until the xl.cfg disk/vif layer passes devices at create, the test writes the device
 * nodes itself: the domain's layout again, with one disk and one NIC, before it runs.
 */
async function withDevices(cfg: string): Promise<GuestRig> {
  const g = await rig(cfg, { paused: true });
  const d = await g.host.domain(g.domid);
  const kept = g.host.configOf(g.domid)!;
  g.host.xenstore.domainCreated({ domid: g.domid, uuid: d.uuid, name: d.name, startNs: 0 }, kept.buildInfo, {
    disks: [{ devid: 51712, vdev: 'xvda', target: '/var/lib/xen/images/web1.img', backendType: 'phy', readwrite: true }],
    nics: [{ devid: 0, mac: '00:16:3e:12:34:56', bridge: 'xenbr0' }],
  });
  await g.host.xenstore.settled();
  await g.host.backendsReady;
  await g.host.unpause(g.domid);
  return g;
}

describe('PV frontends through the xenbus handshake', () => {
  it('brings vbd and vif to Connected on both ends and prints what Linux prints', async () => {
    const g = await withDevices(PV);
    g.run(0.3);
    await settle();
    g.run(2);
    await settle();
    const fe = `/local/domain/${g.domid}/device`;
    const be = `/local/domain/0/backend`;
    expect(await node(g, `${fe}/vbd/51712/state`)).toBe(String(XenbusState.Connected));
    expect(await node(g, `${be}/vbd/${g.domid}/51712/state`)).toBe(String(XenbusState.Connected));
    expect(await node(g, `${fe}/vif/0/state`)).toBe(String(XenbusState.Connected));
    expect(await node(g, `${be}/vif/${g.domid}/0/state`)).toBe(String(XenbusState.Connected));
    // what each side wrote for the other
    expect(await node(g, `${fe}/vbd/51712/ring-ref`)).toMatch(/^\d+$/);
    expect(await node(g, `${fe}/vbd/51712/protocol`)).toBe('x86_64-abi');
    expect(await node(g, `${fe}/vif/0/request-rx-copy`)).toBe('1');
    expect(await node(g, `${be}/vbd/${g.domid}/51712/sectors`)).toBe(String((10 * 1024 ** 3) / 512));
    expect(await node(g, `${be}/vbd/${g.domid}/51712/hotplug-status`)).toBe('connected');
    const t = g.text();
    expect(t).toContain('xen_netfront: Initialising Xen virtual ethernet driver');
    expect(t).toMatch(/\] blkfront: xvda: flush diskcache: enabled; persistent grants: enabled; indirect descriptors: enabled; bounce buffer: enabled\r\n/);
    expect(t).toContain('EXT4-fs (xvda1): mounted filesystem');
    expect(t).toContain('vif vif-0 enX0: renamed from eth0');
    expect(g.host.guestOf(g.domid)!.frontends.map((f) => f.name)).toEqual(['xvda', 'enX0']);
  });

  it('a guest without devices prints no frontend lines', async () => {
    const g = await rig(PV);
    g.run(0.3);
    await settle();
    g.run(2);
    expect(g.text()).not.toContain('blkfront');
    expect(g.text()).toContain('login:');
  });

  it('after kexec the new kernel resets the connected frontends and connects again', async () => {
    const g = await withDevices(`${HVM}on_soft_reset = "soft-reset"\n`);
    for (let i = 0; i < 5; i++) {
      g.run(1);
      await settle();
    }
    g.type('root\r');
    g.type('kexec -l /boot/vmlinuz\r');
    g.type('kexec -e\r');
    g.take();
    for (let i = 0; i < 5; i++) {
      g.run(0.5);
      await settle();
    }
    const t = g.take();
    expect(t).toContain('blkfront: xvda:');
    expect(await node(g, `/local/domain/${g.domid}/device/vbd/51712/state`)).toBe(String(XenbusState.Connected));
    expect(await node(g, `/local/domain/0/backend/vbd/${g.domid}/51712/state`)).toBe(String(XenbusState.Connected));
  });
});
