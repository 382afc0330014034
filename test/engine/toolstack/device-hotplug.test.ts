/**
 * xl block-attach / block-detach / network-attach / network-detach on a running guest:
 * the nodes libxl writes, dom0's backend and the guest's frontend bus (xenbus handshake
 * to Connected), and detach through Closing → Closed before the nodes go.
 */
import { describe, expect, it } from 'vitest';
import { ToolstackError } from '../../../engine/toolstack/toolstack-error';
import { XenbusState } from '../../../engine/xenstore/layout';
import { XsClient } from '../../../engine/xenstore/client';
import { PV, rig, type GuestRig } from '../guest/guest-harness';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  // real time for the handshake (promises over the in-process xenstored), generous for a loaded machine
  for (let i = 0; i < 3000; i++) {
    const v = await f();
    if (ok(v)) return v;
    await tick();
  }
  throw new Error('condition never held');
}

const DISK = 'disk = [ "phy:/dev/vg/web1,xvda,w" ]\nvif = [ "bridge=xenbr0" ]\n';

async function booted(): Promise<GuestRig> {
  const g = await rig(`${PV}${DISK}`);
  await g.host.backendsReady;
  g.run(0.3);
  await tick();
  g.run(3);
  await until(
    async () => g.host.guestOf(g.domid)!.frontends.length,
    (n) => n === 2,
  );
  return g;
}

describe('device hot-plug through the toolstack and xenbus', { timeout: 60_000 }, () => {
  it('block-attach: the guest\'s frontend connects the new vbd; block-detach closes it, then the nodes go', async () => {
    const g = await booted();
    const guest = g.host.guestOf(g.domid)!;
    await g.host.blockAttach('web1', ['phy:/dev/vg/data,xvdb,w']);
    const devs = await until(
      () => g.host.domainDevices('web1'),
      (d) => d.disks.find((x) => x.vdev === 'xvdb')?.state === XenbusState.Connected,
    );
    expect(devs.disks.map((d) => [d.vdev, d.target, d.mode])).toEqual([
      ['xvda', '/dev/vg/web1', 'w'],
      ['xvdb', '/dev/vg/data', 'w'],
    ]);
    expect(devs.disks[1]!.ringRef).toBeGreaterThan(0);
    expect(guest.frontends.map((f) => f.name)).toEqual(['xvda', 'enX0', 'xvdb']);
    expect(g.text()).toMatch(/blkfront: xvdb: flush diskcache: enabled/);
    // libxl's JSON of the domain has the disk; its xl.cfg does not (xl never rewrites it)
    expect(g.host.configOf('web1')!.buildInfo.disks!.map((d) => d.vdev)).toEqual(['xvda', 'xvdb']);
    expect(g.host.configOf('web1')!.text).not.toContain('xvdb');

    // the backend goes Closing, the frontend Closed, the backend Closed; then both directories go
    const be = `/local/domain/0/backend/vbd/${g.domid}/51728`;
    const fe = `/local/domain/${g.domid}/device/vbd/51728`;
    // a dom0 connection of our own sees every state write, in order
    const xs = XsClient.xenbus(g.host.xenstore.daemon!, 0);
    const seen: string[] = [];
    xs.onWatch((path) => {
      if (path.endsWith('/state')) void xs.read(path).then((v) => seen.push(`${path.startsWith(be) ? 'be' : 'fe'}=${v}`), () => undefined);
    });
    await xs.watch(`${be}/state`, 'b');
    await xs.watch(`${fe}/state`, 'f');
    await g.host.blockDetach('web1', 'xvdb');
    expect(seen).toEqual(expect.arrayContaining(['be=5', 'fe=6', 'be=6']));
    expect(seen.at(-1)).toBe('be=6');
    expect(await g.host.xenstore.readLive([`${be}/state`, `/local/domain/${g.domid}/device/vbd/51728/state`])).toEqual([undefined, undefined]);
    expect((await g.host.domainDevices('web1')).disks.map((d) => d.vdev)).toEqual(['xvda']);
    await until(async () => guest.frontends.map((f) => f.name).join(), (s) => s === 'xvda,enX0');
  });

  it('network-attach gives the next devid and a mac; network-detach by mac takes it away', async () => {
    const g = await booted();
    const r = await g.host.networkAttach('web1', ['bridge=xenbr0', 'model=e1000x', 'bogus']);
    expect(r.warnings).toEqual(["unrecognized argument `bogus'"]);
    const devs = await until(
      () => g.host.domainDevices('web1'),
      (d) => d.nics.find((n) => n.devid === 1)?.state === XenbusState.Connected,
    );
    const mac = devs.nics[1]!.mac;
    expect(mac).toMatch(/^00:16:3e:/);
    expect(g.text()).toContain('vif vif-1 enX1: renamed from eth1');
    await g.host.networkDetach('web1', mac);
    expect((await g.host.domainDevices('web1')).nics.map((n) => n.devid)).toEqual([0]);
  });

  it('refuses a vdev in use, an unknown device, a bad spec; the host is left as it was', async () => {
    const g = await booted();
    await expect(g.host.blockAttach('web1', ['phy:/dev/vg/other,xvda,w'])).rejects.toMatchObject({ code: 'EEXIST', message: 'device already exists in xenstore' });
    await expect(g.host.blockAttach('web1', ['phy:/dev/vg/other'])).rejects.toMatchObject({ code: 'ECONFIG' });
    await expect(g.host.blockDetach('web1', 'xvdz')).rejects.toMatchObject({ code: 'ENOENT', message: 'Error: Device xvdz not connected.' });
    await expect(g.host.networkDetach('web1', '7')).rejects.toMatchObject({ message: 'Unknown device 7.' });
    const e = await g.host.blockAttach('Domain-0', ['phy:/dev/x,xvdc,w']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ToolstackError);
    const devs = await g.host.domainDevices('web1');
    expect(devs.disks.map((d) => d.vdev)).toEqual(['xvda']);
    expect(devs.nics.map((n) => n.devid)).toEqual([0]);
  });

  it('a device the guest never connected is removed at once (no handshake to wait for)', async () => {
    const g = await rig(`${PV}`, { paused: true });
    await g.host.blockAttach('web1', ['phy:/dev/vg/x,xvdb,w']);
    await g.host.xenstore.settled();
    await g.host.blockDetach('web1', 'xvdb');
    expect((await g.host.domainDevices('web1')).disks).toEqual([]);
  });
});
