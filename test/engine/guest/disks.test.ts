import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labBlockDevices } from '../../../engine/toolstack/block-devices';
import { rig, xsNode as node, type GuestRig } from './guest-harness';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
const lab = mkdtempSync(join(tmpdir(), 'xendeck-disks-'));
afterAll(() => rmSync(lab, { recursive: true, force: true }));

/** A sparse image file in the lab folder, dom0's filesystem. */
function image(path: string, bytes: number): void {
  mkdirSync(join(lab, path, '..'), { recursive: true });
  writeFileSync(join(lab, path), '');
  truncateSync(join(lab, path), bytes);
}

async function boot(disk: string, seconds = 6): Promise<GuestRig> {
  const g = await rig(`name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 512\ndisk = [ ${disk} ]\n`, { host: { blockDevices: labBlockDevices(lab) } });
  await g.host.backendsReady;
  for (let s = 0; s < seconds; s++) {
    g.run(1);
    await settle();
  }
  return g;
}

describe("a guest's disks are the size of their target in the lab folder", () => {
  it('df: the root ext4 on xvda1 sized from its disk (less ext4 metadata), the tmpfs and devtmpfs lines from RAM; -h rounds up', async () => {
    image('var/lib/xen/images/df20.img', 20 * 1024 ** 3);
    const g = await boot("'/var/lib/xen/images/df20.img,raw,xvda,rw'");
    g.type('root\r');
    g.take();
    g.type('df\r');
    const lines = g.take().split('\r\n');
    expect(lines[1]).toBe('Filesystem     1K-blocks    Used Available Use% Mounted on');
    const row = (target: string): string[] => lines.find((l) => l.endsWith(` ${target}`))!.split(/ +/);
    const root = row('/');
    expect(root[0]).toBe('/dev/xvda1');
    // 20 GiB less the partition's first MiB: 5242624 blocks of 4 KiB, 160 groups of 514 metadata blocks, a 128 MiB journal
    expect(Number(root[1])).toBe((5242624 - 160 * 514 - 1 - 3 - 32768) * 4);
    const [size, used, avail] = [Number(root[1]), Number(root[2]), Number(root[3])];
    // 5% of the blocks kept for root: used + available falls short of the size by that
    expect(size - used - avail).toBe(Math.floor(5242624 * 0.05) * 4);
    expect(root[4]).toBe(`${Math.ceil((used * 100) / (used + avail))}%`);
    expect(lines.slice(2, -1).map((l) => l.split(/ +/).at(-1))).toEqual(['/dev', '/run', '/', '/dev/shm', '/run/lock']);
    expect(row('/dev')[0]).toBe('udev');
    expect(row('/run/lock').slice(0, 4)).toEqual(['tmpfs', '5120', '0', '5120']);
    g.type('df -h /\r');
    expect(g.take()).toMatch(/^df -h \/\r\nFilesystem {6}Size {2}Used Avail Use% Mounted on\r\n\/dev\/xvda1 {7}20G {2}1\.1G {3}18G {3}6% \/\r\nroot@web1:~# $/);
    g.type('df -q\r');
    expect(g.take()).toContain("df: invalid option -- 'q'\r\nTry 'df --help' for more information.");
  });

  it('a 20 GiB image file is a 20 GiB xvda: sectors, lsblk, /proc/partitions, /sys/block', async () => {
    image('var/lib/xen/images/web1.img', 20 * 1024 ** 3);
    image('srv/tools.iso', 600 * 1024 ** 2);
    const g = await boot("'/var/lib/xen/images/web1.img,raw,xvda,rw', '/srv/tools.iso,,xvdc,cdrom'");
    expect(await node(g, `/local/domain/0/backend/vbd/${g.domid}/51712/sectors`)).toBe(String((20 * 1024 ** 3) / 512));
    expect(g.text()).toContain('EXT4-fs (xvda1): mounted filesystem');
    g.type('root\r');
    g.take();
    g.type('lsblk\r');
    expect(g.take()).toBe(
      'lsblk\r\nNAME    MAJ:MIN RM  SIZE RO TYPE MOUNTPOINTS\r\nxvda    202:0    0   20G  0 disk\r\n└─xvda1 202:1    0   20G  0 part /\r\nxvdc    202:32   0  600M  1 disk\r\nroot@web1:~# ',
    );
    g.type('cat /sys/block/xvda/size\r');
    expect(g.take()).toContain(`\r\n${(20 * 1024 ** 3) / 512}\r\n`);
    g.type('cat /proc/partitions\r');
    expect(g.take()).toContain(' 202        0   20971520 xvda\r\n 202        1   20970496 xvda1\r\n 202       32     614400 xvdc\r\n');
  });

  it('a qdisk target that is not there (libxl does not stat it) never gets a backend, and blkfront times out, as Linux says', async () => {
    const g = await boot("'format=raw, vdev=xvdb, access=w, backendtype=qdisk, target=/dev/vg0/missing'", 36);
    const be = `/local/domain/0/backend/vbd/${g.domid}/51728`;
    expect(await node(g, `${be}/hotplug-status`)).toBe('error');
    expect(await node(g, `${be}/hotplug-error`)).toBe('/dev/vg0/missing does not exist.');
    expect(await node(g, `${be}/state`)).toBe('1');
    const t = g.text();
    expect(t).toMatch(/\] xenbus_probe_frontend: Waiting for devices to initialise: 25s\.\.\.20s\.\.\.15s\.\.\.10s\.\.\.5s\.\.\.0s\.\.\.\r\n/);
    expect(t).toMatch(/\] xenbus_probe_frontend: Timeout connecting to device: device\/vbd\/51728 \(local state 1, remote state 1\)\r\n/);
    expect(t).not.toContain('blkfront: xvdb');
    // wait_for_devices held the boot: init and the login prompt come after the timeout
    expect(t.indexOf('Run /sbin/init as init process')).toBeGreaterThan(t.indexOf('Timeout connecting to device'));
    expect(t).toMatch(/\[ {3}3\d\.\d{6}\] Run \/sbin\/init as init process/);
    g.type('root\rlsblk\r');
    expect(g.text().endsWith('lsblk\r\nNAME MAJ:MIN RM  SIZE RO TYPE MOUNTPOINTS\r\nroot@web1:~# ')).toBe(true);
    // dmesg keeps the countdown as one line
    g.type('dmesg\r');
    expect(g.take()).toMatch(/initialise: 25s\.\.\.20s\.\.\.15s\.\.\.10s\.\.\.5s\.\.\.0s\.\.\.\r\n/);
  });

  it('a root disk whose backend never connects holds the boot, then the kernel cannot mount root and panics: on_crash acts', async () => {
    const g = await rig(`name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 512\non_crash = "preserve"\ndisk = [ 'format=raw, vdev=xvda, access=w, backendtype=qdisk, target=/dev/vg0/gone' ]\n`, { host: { blockDevices: labBlockDevices(lab) } });
    await g.host.backendsReady;
    for (let s = 0; s < 40; s++) {
      g.run(1);
      await settle();
    }
    const t = g.text();
    expect(t).toMatch(/\] xenbus_probe_frontend: Timeout connecting to device: device\/vbd\/51712 \(local state 1, remote state 1\)\r\n/);
    const vfs = t.indexOf('VFS: Cannot open root device "xvda1" or unknown-block(0,0): error -6');
    expect(vfs).toBeGreaterThan(t.indexOf('Timeout connecting to device'));
    expect(t).toContain('Please append a correct "root=" boot option; here are the available partitions:\r\n');
    expect(t).toMatch(/\[ {3}3\d\.\d{6}\] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block\(0,0\)\r\n/);
    expect(t).toContain('  mount_block_root+0x1d3/0x1e6');
    // no init, no getty: the kernel never got that far
    expect(t).not.toContain('Run /sbin/init');
    expect(t).not.toContain('web1 login:');
    const d = await g.host.domain(g.domid);
    expect(d.shutdownReason).toBe('crash');
  });

  it('with rootwait the kernel waits for its root device instead, and the domain keeps running', async () => {
    const g = await rig(`name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 512\ncmdline = "root=/dev/xvda1 rootwait console=hvc0"\ndisk = [ 'format=raw, vdev=xvda, access=w, backendtype=qdisk, target=/dev/vg0/gone' ]\n`, { host: { blockDevices: labBlockDevices(lab) } });
    await g.host.backendsReady;
    for (let s = 0; s < 60; s++) {
      g.run(1);
      await settle();
    }
    const t = g.text();
    expect(t).toMatch(/\[ {3}3\d\.\d{6}\] Waiting for root device \/dev\/xvda1\.\.\.\r\n$/);
    expect(t).not.toContain('Kernel panic');
    expect((await g.host.domain(g.domid)).shutdownReason).toBeNull();
  });
});
