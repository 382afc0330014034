import { describe, expect, it } from 'vitest';
import { diskDevNumber } from '../../../engine/toolstack/config/device-number';
import { defaultNicMac } from '../../../engine/toolstack/config/nic-mac';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { ToolstackError } from '../../../engine/toolstack/toolstack-error';

const CFG = `name = "web1"
type = "pvh"
kernel = "/boot/vmlinuz"
memory = 128
vcpus = 2
cpus = ["0-1", "2,3"]
cpus_soft = "nodes:0"
cpu_weight = 512
cap = 50
disk = [ 'phy:/dev/vg/web1,xvda,w', 'file:/srv/data.img,xvdb,r', '/isos/d.iso,,hdc,cdrom' ]
vif = [ 'bridge=xenbr1', 'mac=00:16:3e:01:02:03' ]
`;

describe('virtual disk device numbers (libxl__device_disk_dev_number)', () => {
  it('numbers xvd, hd, sd, dNpN and plain numbers as libxl does', () => {
    expect(diskDevNumber('xvda')).toBe(51712);
    expect(diskDevNumber('xvdb')).toBe(51728);
    expect(diskDevNumber('xvda1')).toBe(51713);
    expect(diskDevNumber('xvdq')).toBe((1 << 28) | (16 << 8));
    expect(diskDevNumber('xvdaa')).toBe((1 << 28) | (26 << 8));
    expect(diskDevNumber('hda')).toBe(768);
    expect(diskDevNumber('hdb')).toBe(832);
    expect(diskDevNumber('hdc')).toBe(5632);
    expect(diskDevNumber('sda')).toBe(2048);
    expect(diskDevNumber('d0p1')).toBe(51713);
    expect(diskDevNumber('51712')).toBe(51712);
    expect(diskDevNumber('xvda01')).toBeUndefined();
    expect(diskDevNumber('hde')).toBeUndefined();
    expect(diskDevNumber('vda')).toBeUndefined();
  });

  it('gives a vif without a mac one in Xen\'s OUI, the same each time, different per devid', () => {
    const a = defaultNicMac('9e299091-277b-41c1-af52-afe305fb717d', 0);
    expect(a).toMatch(/^00:16:3e:[0-7][0-9a-f]:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(defaultNicMac('9e299091-277b-41c1-af52-afe305fb717d', 0)).toBe(a);
    expect(defaultNicMac('9e299091-277b-41c1-af52-afe305fb717d', 1)).not.toBe(a);
  });
});

describe('a domain built from a config with devices, affinity and scheduler parameters', () => {
  it('writes the vbd and vif frontend/backend nodes in XenbusState Initialising and lists them', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const { domid } = await h.createDomain({ configText: CFG, file: 'web1.cfg' });
    const devs = await h.domainDevices('web1');
    expect(devs.disks.map((d) => [d.devid, d.vdev, d.target, d.backendType, d.mode, d.cdrom, d.state, d.evtch])).toEqual([
      [51712, 'xvda', '/dev/vg/web1', 'phy', 'w', false, 1, -1],
      [51728, 'xvdb', '/srv/data.img', 'qdisk', 'r', false, 1, -1],
      [5632, 'hdc', '/isos/d.iso', 'qdisk', 'r', true, 1, -1],
    ]);
    expect(devs.disks[0]!.backendPath).toBe(`/local/domain/0/backend/vbd/${domid}/51712`);
    expect(devs.nics.map((n) => [n.devid, n.bridge, n.state])).toEqual([
      [0, 'xenbr1', 1],
      [1, 'xenbr0', 1],
    ]);
    expect(devs.nics[1]!.mac).toBe('00:16:3e:01:02:03');
    expect(devs.nics[0]!.mac).toMatch(/^00:16:3e:/);
    const fe = await h.xenstoreList(`/local/domain/${domid}/device/vbd/51712`);
    const v = Object.fromEntries(fe.children.map((c) => [c.path.split('/').pop(), c.value]));
    expect(v).toMatchObject({ backend: `/local/domain/0/backend/vbd/${domid}/51712`, 'backend-id': '0', state: '1', 'virtual-device': '51712', 'device-type': 'disk' });
    const be = await h.xenstoreList(`/local/domain/0/backend/vbd/${domid}/5632`);
    const b = Object.fromEntries(be.children.map((c) => [c.path.split('/').pop(), c.value]));
    expect(b).toMatchObject({ frontend: `/local/domain/${domid}/device/vbd/5632`, params: '/isos/d.iso', mode: 'r', 'device-type': 'cdrom', state: '1' });
    const vif = await h.xenstoreList(`/local/domain/0/backend/vif/${domid}/0`);
    expect(Object.fromEntries(vif.children.map((c) => [c.path.split('/').pop(), c.value]))).toMatchObject({ bridge: 'xenbr1', script: '/etc/xen/scripts/vif-bridge', mac: devs.nics[0]!.mac });
  });

  it('pins each vCPU as cpus= says, sets the soft affinity and the credit2 weight and cap', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    await h.createDomain({ configText: CFG, file: 'web1.cfg' });
    const vs = (await h.vcpuList('web1')).map((v) => [v.vcpu, v.hardAffinity, v.softAffinity]);
    expect(vs).toEqual([
      [0, '0-1', 'all'],
      [1, '2-3', 'all'],
    ]);
    expect((await h.domainSched('web1')).params).toMatchObject({ weight: 512, cap: 50 });
  });

  it('refuses two disks on one vdev and leaves the host as it was', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const before = await h.listDomains();
    const bad = CFG.replace("'file:/srv/data.img,xvdb,r'", "'file:/srv/data.img,xvda,r'");
    const e = await h.createDomain({ configText: bad, file: 'web1.cfg' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ToolstackError);
    expect((e as ToolstackError).message).toContain('xvda');
    expect(await h.listDomains()).toEqual(before);
  });

  it('names the file and line of a bad disk spec with xl\'s words', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const e = (await h.createDomain({ configText: CFG.replace("'phy:/dev/vg/web1,xvda,w'", "'/dev/vg/web1,qcow9,xvda'"), file: 'web1.cfg' }).catch((x: unknown) => x)) as ToolstackError;
    expect(e.message).toBe("web1.cfg:10: config parsing error in disk specification: unknown value for format: near `qcow9' in `/dev/vg/web1,qcow9,xvda'");
  });
});
