/**
 * root= as Linux 6.1 resolves it: the kernel (no initramfs) knows /dev/NAME and
 * PARTUUID=, not UUID= or LABEL=; an initramfs (ramdisk=, or HVM's GRUB) finds UUID=
 * through udev and gives up after ROOTDELAY without panicking.
 */
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labBlockDevices } from '../../../engine/toolstack/block-devices';
import { ROOT_FS_UUID, ROOT_PARTUUID } from '../../../engine/guest/root-mount';
import { rig, type GuestRig } from './guest-harness';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
const lab = mkdtempSync(join(tmpdir(), 'xendeck-root-'));
afterAll(() => rmSync(lab, { recursive: true, force: true }));
mkdirSync(join(lab, 'var/lib/xen/images'), { recursive: true });
writeFileSync(join(lab, 'var/lib/xen/images/r.img'), '');
truncateSync(join(lab, 'var/lib/xen/images/r.img'), 4 * 1024 ** 3);
const DISK = "disk = [ '/var/lib/xen/images/r.img,raw,xvda,rw' ]\n";

async function boot(extra: string, seconds: number): Promise<GuestRig> {
  const g = await rig(`name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 512\non_crash = "preserve"\n${DISK}${extra}`, { host: { blockDevices: labBlockDevices(lab) } });
  await g.host.backendsReady;
  for (let s = 0; s < seconds; s++) {
    g.run(1);
    await settle();
  }
  return g;
}

describe('root= forms without an initramfs: the kernel resolves them (init/do_mounts.c)', () => {
  it('PARTUUID= of the image’s partition (any case, a prefix as strncasecmp compares) boots to the login prompt; blkid shows it', async () => {
    const g = await boot(`cmdline = "root=PARTUUID=${ROOT_PARTUUID.toUpperCase()} ro console=hvc0"\n`, 6);
    expect(g.text()).toContain('Run /sbin/init as init process');
    expect(g.text()).toContain('web1 login:');
    g.type('root\r');
    g.take();
    g.type('blkid\r');
    expect(g.take()).toBe(`blkid\r\n/dev/xvda: PTUUID="3b9c5d1e-8f2a-4e7b-a6c0-d14e9f2b7a58" PTTYPE="gpt"\r\n/dev/xvda1: UUID="${ROOT_FS_UUID}" BLOCK_SIZE="4096" TYPE="ext4" PARTUUID="${ROOT_PARTUUID}"\r\nroot@web1:~# `);
    g.type('blkid /dev/xvdb\r');
    g.take();
    g.type('echo $?\r');
    expect(g.take()).toContain('\r\n2\r\n');
  });

  it('UUID= cannot be resolved by the kernel: VFS cannot open root device "UUID=…", the partitions with their PARTUUID, panic; on_crash acts', async () => {
    const g = await boot(`cmdline = "root=UUID=${ROOT_FS_UUID} ro console=hvc0"\n`, 6);
    const t = g.text();
    expect(t).toContain(`VFS: Cannot open root device "UUID=${ROOT_FS_UUID}" or unknown-block(0,0): error -6\r\n`);
    expect(t).toMatch(/\] {3}ca01 {4}4193280 xvda1 6a1d2e4f-0b3c-4d8e-9f7a-5c2b1e0d3a94\r\n/);
    expect(t).toContain('Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)');
    expect(t).not.toContain('login:');
    expect((await g.host.domain(g.domid)).shutdownReason).toBe('crash');
  });

  it('LABEL= with rootwait waits for ever (the kernel never finds it); a PARTUUID= that matches nothing panics', async () => {
    const w = await boot('cmdline = "root=LABEL=rootfs rootwait console=hvc0"\n', 20);
    expect(w.text()).toMatch(/\] Waiting for root device LABEL=rootfs\.\.\.\r\n$/);
    expect((await w.host.domain(w.domid)).shutdownReason).toBeNull();
    const p = await boot('cmdline = "root=PARTUUID=00000000-0000-0000-0000-000000000000 console=hvc0"\n', 6);
    expect(p.text()).toContain('VFS: Cannot open root device "PARTUUID=00000000-0000-0000-0000-000000000000" or unknown-block(0,0): error -6');
  });

  it('a malformed PARTUUID= is invalid and disables rootwait: the kernel panics', async () => {
    const g = await boot(`cmdline = "root=PARTUUID=${ROOT_PARTUUID}/PARTNROFF=x rootwait console=hvc0"\n`, 6);
    const t = g.text();
    expect(t).toMatch(/\] VFS: PARTUUID= is invalid\.\r\n\[ *[\d.]+\] Expected PARTUUID=<valid-uuid-id>\[\/PARTNROFF=%d\]\r\n\[ *[\d.]+\] Disabling rootwait; root= is invalid\.\r\n/);
    expect(t).toContain('Kernel panic - not syncing: VFS: Unable to mount root fs');
  });
});

describe('root= forms with an initramfs (ramdisk=): initramfs-tools finds root', () => {
  it('UUID= of the image’s ext4 boots (the kernel runs /init)', async () => {
    const g = await boot(`ramdisk = "/boot/initrd.img"\ncmdline = "root=UUID=${ROOT_FS_UUID} ro console=hvc0"\n`, 6);
    expect(g.text()).toContain('Run /init as init process');
    expect(g.text()).toContain('web1 login:');
  });

  it('LABEL= that no filesystem has: after rootdelay it gives up and drops to its shell; no panic, the domain runs on', async () => {
    const g = await boot('ramdisk = "/boot/initrd.img"\ncmdline = "root=LABEL=rootfs rootdelay=10 console=hvc0"\n', 9);
    expect(g.text()).not.toContain('Gave up');
    for (let s = 0; s < 5; s++) {
      g.run(1);
      await settle();
    }
    const t = g.text();
    expect(t).toContain('Gave up waiting for root file system device.  Common problems:\r\n - Boot args (cat /proc/cmdline)\r\n   - Check rootdelay= (did the system wait long enough?)\r\n - Missing modules (cat /proc/modules; ls /dev)\r\nALERT!  LABEL=rootfs does not exist.  Dropping to a shell!\r\n');
    expect(t).not.toContain('Kernel panic');
    expect(t).not.toContain('login:');
    expect((await g.host.domain(g.domid)).shutdownReason).toBeNull();
  });
});
