import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { labBlockDevices } from '../../../engine/toolstack/block-devices';
import type { ToolstackHost } from '../../../engine/toolstack/host-api';
import { createWithImages, makeImages } from '../../../main/services/disk-images';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'images-'));
const PV = (name: string, extra = ''): string => `name = "${name}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 256\ndisk = [ "format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/${name}.img" ]\n${extra}`;

describe('new disk images in dom0 (the lab folder)', () => {
  it('makes a sparse raw file of the size asked, which blkback then sizes', () => {
    const lab = tmp();
    const made = makeImages(lab, [{ path: '/var/lib/xen/images/web1.img', sizeMiB: 10240 }]);
    expect(made.created).toEqual(['/var/lib/xen/images/web1.img']);
    const st = statSync(join(lab, 'var/lib/xen/images/web1.img'));
    expect(st.size).toBe(10 * 1024 ** 3);
    expect(st.blocks * 512).toBeLessThan(1024 ** 2); // sparse: nothing written yet
    expect(labBlockDevices(lab)('/var/lib/xen/images/web1.img', 'phy')).toEqual({ sectors: 10 * 1024 ** 3 / 512 });
  });

  it('keeps an image that is already there as it is (never truncates a guest disk)', () => {
    const lab = tmp();
    mkdirSync(join(lab, 'var/lib/xen/images'), { recursive: true });
    writeFileSync(join(lab, 'var/lib/xen/images/db.img'), 'guest data');
    const made = makeImages(lab, [{ path: '/var/lib/xen/images/db.img', sizeMiB: 1 }]);
    expect(made.created).toEqual([]);
    made.undo();
    expect(readFileSync(join(lab, 'var/lib/xen/images/db.img'), 'utf8')).toBe('guest data');
  });

  it('refuses a path that would leave dom0\'s filesystem, making nothing', () => {
    const lab = join(tmp(), 'lab');
    mkdirSync(lab);
    expect(() => makeImages(lab, [{ path: '/ok.img', sizeMiB: 1 }, { path: '/../escape.img', sizeMiB: 1 }])).toThrow(/outside dom0's filesystem/);
    expect(existsSync(join(lab, 'ok.img'))).toBe(false);
    expect(existsSync(join(lab, '..', 'escape.img'))).toBe(false);
  });

  it('creates the domain with its image; a failed create removes the images it made and leaves the host as it was', async () => {
    const lab = tmp();
    const host = new EmbeddedHost({ id: 'h', blockDevices: labBlockDevices(lab) });
    const logs: string[] = [];
    const r = await createWithImages(host, lab, { configText: PV('web1'), file: 'web1.cfg' }, [{ path: '/var/lib/xen/images/web1.img', sizeMiB: 64 }], (m) => logs.push(m));
    expect(r.name).toBe('web1');
    expect(logs).toEqual(['disk image /var/lib/xen/images/web1.img created (64 MiB, sparse raw)']);
    expect(statSync(join(lab, 'var/lib/xen/images/web1.img')).size).toBe(64 * 1024 ** 2);

    const before = (await host.listDomains()).map((d) => d.name);
    // a second web1 is refused by the toolstack: its new image must not stay behind
    await expect(createWithImages(host, lab, { configText: PV('web1'), file: 'x.cfg' }, [{ path: '/var/lib/xen/images/web1-b.img', sizeMiB: 64 }], (m) => logs.push(m))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(existsSync(join(lab, 'var/lib/xen/images/web1-b.img'))).toBe(false);
    expect(existsSync(join(lab, 'var/lib/xen/images/web1.img'))).toBe(true);
    expect((await host.listDomains()).map((d) => d.name)).toEqual(before);
  });

  it('a dry run makes no image; a host that cannot reach its dom0 filesystem says so', async () => {
    const lab = tmp();
    const host = new EmbeddedHost({ id: 'h', blockDevices: labBlockDevices(lab) });
    await createWithImages(host, lab, { configText: PV('web1'), file: 'web1.cfg', dryRun: true }, [{ path: '/var/lib/xen/images/web1.img', sizeMiB: 64 }], () => undefined);
    expect(existsSync(join(lab, 'var/lib/xen/images/web1.img'))).toBe(false);
    const remote = { kind: 'remote', createDomain: () => Promise.reject(new Error('not reached')) } as unknown as ToolstackHost;
    await expect(createWithImages(remote, lab, { configText: PV('web1'), file: 'web1.cfg' }, [{ path: '/var/lib/xen/images/web1.img', sizeMiB: 64 }], () => undefined)).rejects.toMatchObject({ code: 'ENOSYS' });
  });
});
