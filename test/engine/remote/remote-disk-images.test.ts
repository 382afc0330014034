// The wizard's new disk images on a real host: made in its dom0 over SSH (only where
// nothing is there), and removed again when the create then fails.
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteToolstackHost } from '../../../engine/toolstack/remote-toolstack-host';
import { createWithImages } from '../../../main/services/disk-images';
import { connectToFakeDom0, startFakeDom0, type FakeDom0, toolsProbe } from './fake-dom0';

const TOOLS = toolsProbe();
const CFG = 'name = "web9"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\ndisk = [ "format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/web9.img" ]\n';

let dom0: FakeDom0 | undefined;
afterEach(async () => {
  await dom0?.close();
  dom0 = undefined;
});

describe('new disk images on a real host', () => {
  it('makes a missing image with truncate in dom0, keeps an existing one, and removes what it made when xl create fails', async () => {
    const existing = new Set(['/srv/old.img']);
    dom0 = await startFakeDom0((cmd) => {
      if (cmd.includes('command -v')) return { stdout: TOOLS };
      if (cmd.startsWith('sh -c ')) {
        const path = /sh (\/\S+) \d+$/.exec(cmd)![1]!;
        if (existing.has(path)) return { stdout: 'kept\n' };
        existing.add(path);
        return { stdout: 'created\n' };
      }
      if (cmd.startsWith('rm -f -- ')) return (existing.delete(cmd.slice('rm -f -- '.length)), { stdout: '' });
      if (cmd.includes('xl') && cmd.includes('create')) return { stderr: 'libxl: error: libxl_create.c:1296:initiate_domain_create: cannot make domain: -3\n', code: 3 };
      return { stderr: `sh: unexpected ${cmd}\n`, code: 99 };
    });
    const host = new RemoteToolstackHost('real1', await connectToFakeDom0(dom0));
    const logs: string[] = [];
    await expect(
      createWithImages(host, undefined, { configText: CFG, file: 'web9.cfg' }, [
        { path: '/var/lib/xen/images/web9.img', sizeMiB: 10240 },
        { path: '/srv/old.img', sizeMiB: 5 },
      ], (m) => logs.push(m)),
    ).rejects.toBeTruthy();
    const cmds = dom0.commands.filter((c) => !c.includes('command -v'));
    expect(cmds[0]).toMatch(/^sh -c .*truncate -s "\$2"M.* sh \/var\/lib\/xen\/images\/web9\.img 10240$/);
    expect(cmds[1]).toMatch(/ sh \/srv\/old\.img 5$/);
    expect(cmds.some((c) => c.includes('xl') && c.includes('create'))).toBe(true);
    expect(cmds).toContain('rm -f -- /var/lib/xen/images/web9.img');
    expect(cmds).not.toContain('rm -f -- /srv/old.img');
    expect([...existing]).toEqual(['/srv/old.img']);
    expect(logs).toEqual([]);
    await expect(host.makeDiskImage('/x/../etc/passwd', 1)).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
