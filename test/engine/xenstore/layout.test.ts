import { describe, expect, it } from 'vitest';
import { XenbusState, removeDomainLayout, writeDomainLayout } from '../../../engine/xenstore/layout';
import type { DomainLayoutSpec } from '../../../engine/xenstore/layout';
import { XsType } from '../../../engine/xenstore/wire';
import { XsClient } from '../../../engine/xenstore/client';
import { MemClient, daemon } from './helpers';

const spec: DomainLayoutSpec = {
  domid: 3,
  name: 'web',
  uuid: '6f1c2a4e-0b5d-4c1e-9a53-2f3d1e0c7b11',
  type: 'pvh',
  maxMemKb: 524288,
  targetMemKb: 262144,
  vcpus: 2,
  maxVcpus: 4,
  storePort: 1,
  storeRingRef: 0xfeffc,
  startTime: 1764090000.5,
  console: { port: 2, ringRef: 0xfeffd },
  disks: [{ devid: 51712, vdev: 'xvda', target: '/images/web.img', backendType: 'qdisk', readwrite: true }],
  nics: [{ devid: 0, mac: '00:16:3e:00:00:03', bridge: 'xenbr0' }],
};

describe("Xen's domain layout in xenstore", () => {
  it('writes /local/domain/N, /vm/<uuid> and /libxl/N with their values', async () => {
    const d = daemon();
    await writeDomainLayout(XsClient.xenbus(d, 0), spec);
    const c = new MemClient(d, 0);
    const dom = '/local/domain/3';
    expect(c.read(`${dom}/name`)).toBe('web');
    expect(c.read(`${dom}/domid`)).toBe('3');
    expect(c.read(`${dom}/vm`)).toBe(`/vm/${spec.uuid}`);
    expect(c.read(`${dom}/memory/target`)).toBe('262144');
    expect(c.read(`${dom}/memory/static-max`)).toBe('524288');
    expect(c.call(XsType.DIRECTORY, `${dom}/cpu`)).toBe('0\x001\x002\x003\0');
    expect(c.read(`${dom}/cpu/1/availability`)).toBe('online');
    expect(c.read(`${dom}/cpu/2/availability`)).toBe('offline');
    expect(c.read(`${dom}/store/ring-ref`)).toBe(String(0xfeffc));
    expect(c.read(`${dom}/control/platform-feature-xs_reset_watches`)).toBe('1');
    expect(c.read(`/vm/${spec.uuid}/name`)).toBe('web');
    expect(c.read(`/vm/${spec.uuid}/start_time`)).toBe('1764090000.50');
    expect(c.read('/libxl/3/type')).toBe('pvh');
    expect(c.call(XsType.IS_DOMAIN_INTRODUCED, '3')).toBe('T\0');
  });

  it('writes both ends of each device in XenbusState Initialising', async () => {
    const d = daemon();
    await writeDomainLayout(XsClient.xenbus(d, 0), spec);
    const c = new MemClient(d, 0);
    const fe = '/local/domain/3/device/vbd/51712';
    const be = '/local/domain/0/backend/vbd/3/51712';
    expect(c.read(`${fe}/backend`)).toBe(be);
    expect(c.read(`${be}/frontend`)).toBe(fe);
    expect(c.read(`${fe}/state`)).toBe(String(XenbusState.Initialising));
    expect(c.read(`${be}/state`)).toBe('1');
    expect(c.read(`${be}/params`)).toBe('/images/web.img');
    expect(c.read(`${be}/mode`)).toBe('w');
    expect(c.read('/local/domain/0/backend/vif/3/0/bridge')).toBe('xenbr0');
    expect(c.read('/local/domain/3/device/vif/0/mac')).toBe('00:16:3e:00:00:03');
    expect(c.read('/local/domain/3/console/backend')).toBe('/local/domain/0/backend/console/3/0');
    expect(c.call(XsType.GET_PERMS, fe)).toBe('n3\0r0\0');
    expect(c.call(XsType.GET_PERMS, be)).toBe('n0\0r3\0');
  });

  it("gives the guest libxl's access: read its layout, write data and control/shutdown, nothing of others", async () => {
    const d = daemon();
    await writeDomainLayout(XsClient.xenbus(d, 0), spec);
    await writeDomainLayout(XsClient.xenbus(d, 0), { ...spec, domid: 4, name: 'db', uuid: '00000000-0000-4000-8000-000000000004', disks: [], nics: [] });
    const g = new MemClient(d, 3);
    expect(g.read('name')).toBe('web');
    expect(g.write('name', 'evil')).toBe('ERR:EACCES');
    expect(g.write('memory/target', '1')).toBe('ERR:EACCES');
    expect(g.write('data/updated', '1')).toBe('OK\0');
    expect(g.write('control/shutdown', 'poweroff')).toBe('OK\0');
    expect(g.write('device/vbd/51712/state', String(XenbusState.Connected))).toBe('OK\0');
    expect(g.read('/local/domain/0/backend/vbd/3/51712/state')).toBe('1');
    expect(g.write('/local/domain/0/backend/vbd/3/51712/state', '4')).toBe('ERR:EACCES');
    expect(g.read('/local/domain/4/name')).toBe('ERR:EACCES');
    expect(g.read('/libxl/3/type')).toBe('ERR:EACCES');
  });

  it('fires @introduceDomain on create and @releaseDomain on destroy, which removes every node', async () => {
    const d = daemon();
    const c = new MemClient(d, 0);
    c.call(XsType.WATCH, '@introduceDomain', 'in');
    c.call(XsType.WATCH, '@releaseDomain', 'out');
    c.call(XsType.WATCH, '/local/domain/0/backend', 'be');
    c.events();
    await writeDomainLayout(XsClient.xenbus(d, 0), spec);
    const ev = c.events();
    expect(ev).toContainEqual(['@introduceDomain', 'in']);
    expect(ev).toContainEqual(['/local/domain/0/backend/vbd/3/51712/state', 'be']);
    const before = d.store.size;
    await removeDomainLayout(XsClient.xenbus(d, 0), 3);
    expect(c.events()).toContainEqual(['@releaseDomain', 'out']);
    expect(c.read('/local/domain/3')).toBe('ERR:ENOENT');
    expect(c.read(`/vm/${spec.uuid}`)).toBe('ERR:ENOENT');
    expect(c.read('/libxl/3')).toBe('ERR:ENOENT');
    expect(c.read('/local/domain/0/backend/vbd/3')).toBe('ERR:ENOENT');
    expect(c.call(XsType.DIRECTORY, '/local/domain/0/backend/vbd')).toBe('');
    expect(d.store.size).toBeLessThan(before - 60);
    expect(c.call(XsType.IS_DOMAIN_INTRODUCED, '3')).toBe('F\0');
  });

  it('rewrites a stale layout left for the same domid', async () => {
    const d = daemon();
    await writeDomainLayout(XsClient.xenbus(d, 0), spec);
    const c = new MemClient(d, 0);
    c.write('/local/domain/3/stale', 'x');
    await removeDomainLayout(XsClient.xenbus(d, 0), 3);
    c.write('/local/domain/3/stale', 'x');
    await writeDomainLayout(XsClient.xenbus(d, 0), { ...spec, name: 'web2' });
    expect(c.read('/local/domain/3/stale')).toBe('ERR:ENOENT');
    expect(c.read('/local/domain/3/name')).toBe('web2');
  });
});
