import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labBlockDevices } from '../../../engine/toolstack/block-devices';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { diskStatLines } from '../../../engine/cli/xl/libxl-log';
import { makeImages } from '../../../main/services/disk-images';

const cfg = (name: string, disk: string): string => `name = "${name}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\ndisk = [ "${disk}" ]\n`;
const WEB1 = cfg('web1', 'format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/web1.img');

describe('a disk whose target is not in dom0 is refused as libxl__device_disk_set_backend refuses it', () => {
  it('xl create: EINVAL with the stat failure; the made domain is destroyed again (its domid used up, as on Xen)', async () => {
    const lab = mkdtempSync(join(tmpdir(), 'disk-stat-'));
    const h = new EmbeddedHost({ id: 'h', blockDevices: labBlockDevices(lab) });
    const before = await h.listDomains();
    const freeBefore = (await h.summary()).freeMemoryMiB;
    const err = await h.createDomain({ configText: WEB1, file: 'web1.cfg' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EINVAL', message: 'Domain 1:Unable to set disk defaults for disk 0: Disk vdev=xvda failed to stat: /var/lib/xen/images/web1.img: No such file or directory' });
    expect((err as { hint: string }).hint).toContain('truncate -s 10G /var/lib/xen/images/web1.img');
    expect(await h.listDomains()).toEqual(before);
    expect((await h.summary()).freeMemoryMiB).toBe(freeBefore);
    expect((await h.xenstoreList('/local/domain')).children.map((c) => c.path)).toEqual(['/local/domain/0']);
    // with the image made, the same config creates (as domain 2: libxl had made domain 1)
    makeImages(lab, [{ path: '/var/lib/xen/images/web1.img', sizeMiB: 8 }]);
    await expect(h.createDomain({ configText: WEB1, file: 'web1.cfg' })).resolves.toMatchObject({ name: 'web1', domid: 2 });
  });

  it('a qdisk backend or a script is not stat()ed by libxl; a lab kept in memory has every target', async () => {
    const lab = mkdtempSync(join(tmpdir(), 'disk-stat-'));
    const h = new EmbeddedHost({ id: 'h', blockDevices: labBlockDevices(lab) });
    await expect(h.createDomain({ configText: cfg('q', 'format=qcow2, vdev=xvda, backendtype=qdisk, target=/srv/q.qcow2'), file: 'q.cfg', paused: true })).resolves.toMatchObject({ name: 'q' });
    await expect(h.createDomain({ configText: cfg('s', 'vdev=xvda, script=iscsi, target=iqn.2001-05.com.example:disk1'), file: 's.cfg', paused: true })).resolves.toMatchObject({ name: 's' });
    await expect(new EmbeddedHost({ id: 'm' }).createDomain({ configText: WEB1, file: 'web1.cfg', paused: true })).resolves.toMatchObject({ name: 'web1' });
  });

  it('xl block-attach of a missing target: refused, the domain keeps the devices it had', async () => {
    const lab = mkdtempSync(join(tmpdir(), 'disk-stat-'));
    makeImages(lab, [{ path: '/srv/a.img', sizeMiB: 8 }]);
    const h = new EmbeddedHost({ id: 'h', blockDevices: labBlockDevices(lab) });
    await h.createDomain({ configText: cfg('web1', 'format=raw, vdev=xvda, access=rw, target=/srv/a.img'), file: 'web1.cfg', paused: true });
    const devices = await h.domainDevices('web1');
    await expect(h.blockAttach('web1', ['phy:/dev/vg0/missing,xvdb,w'])).rejects.toMatchObject({ code: 'EINVAL', message: 'Disk vdev=xvdb failed to stat: /dev/vg0/missing: No such file or directory' });
    expect(await h.domainDevices('web1')).toEqual(devices);
  });

  it("xl prints libxl's lines for either refusal, also when only the message came over the api socket", () => {
    expect(diskStatLines('Domain 3:Unable to set disk defaults for disk 0: Disk vdev=xvda failed to stat: /var/lib/xen/images/web1.img: No such file or directory')).toBe(
      'libxl: error: libxl_device.c:455:libxl__device_disk_set_backend: Disk vdev=xvda failed to stat: /var/lib/xen/images/web1.img: No such file or directory\n' +
        'libxl: error: libxl_create.c:1316:initiate_domain_create: Domain 3:Unable to set disk defaults for disk 0\n',
    );
    expect(diskStatLines('Disk vdev=xvdb failed to stat: /dev/vg0/missing: No such file or directory')).toBe(
      'libxl: error: libxl_device.c:455:libxl__device_disk_set_backend: Disk vdev=xvdb failed to stat: /dev/vg0/missing: No such file or directory\n',
    );
    expect(diskStatLines('Domain with name "x" already exists.')).toBeUndefined();
  });
});
