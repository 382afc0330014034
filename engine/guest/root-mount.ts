/**
 * Mounting the root filesystem, the last thing the kernel does before it runs init
 * (init/do_mounts.c prepare_namespace, Linux 6.1): the `root=` device of the command
 * line (default /dev/xvda1, the cloud image's partition on the first vbd) must exist by
 * then. Before it, xenbus_probe_frontend's wait_for_devices (a late initcall) has held
 * the boot while PV devices were still connecting (up to 30 s). Then:
 *   - `rootwait` on the command line: "Waiting for root device /dev/xvda1..." and the
 *     kernel polls until the device appears (a later `xl block-attach` of it goes on);
 *   - otherwise mount_block_root fails: "VFS: Cannot open root device "xvda1" or
 *     unknown-block(0,0): error -6" (ENXIO: name_to_dev_t found no such device), the
 *     available partitions (printk_all_partitions), and
 *     panic("VFS: Unable to mount root fs on unknown-block(0,0)"); on Xen the panic
 *     notifier ends in SCHEDOP_shutdown(SHUTDOWN_crash), so xl.cfg's on_crash decides.
 * A root= that is not an xvd device (UUID=, LABEL=, /dev/sda1...) is not modelled: the
 * guest boots on as before, as does a guest with no vbd for its root at all (XenDeck's
 * diskless guests run from their image).
 */
import { printkTime } from './boot-log';
import type { GuestDisk } from './block-list';
import type { GuestHardware } from './guest-platform';
import { defaultCmdline } from './kernel-release';
import { panicLines } from './kernel-panic';

/** When prepare_namespace runs, ns after the kernel started (just before "Run /sbin/init"). */
export const ROOT_MOUNT_AT = 500_000_000;

export interface RootDevice {
  /** As root= gives it: /dev/xvda1. */
  device: string;
  /** The vbd it is on (xvda), when it is an xvd device. */
  disk: string | undefined;
  /** `rootwait`: wait for it instead of panicking. */
  wait: boolean;
}

export function rootDeviceOf(hw: GuestHardware): RootDevice {
  const words = (hw.cmdline ?? defaultCmdline(hw.type)).split(/\s+/);
  const device = words.find((w) => w.startsWith('root='))?.slice('root='.length) ?? '/dev/xvda1';
  const disk = /^\/dev\/(xvd[a-z]+)\d*$/.exec(device)?.[1];
  return { device, disk, wait: words.includes('rootwait') };
}

/** bdevt_str: major and minor as four hex digits when both fit a byte. */
function bdevt(major: number, minor: number): string {
  return major <= 0xff && minor <= 0xff ? `${major.toString(16).padStart(2, '0')}${minor.toString(16).padStart(2, '0')}` : `${major}:${minor}`;
}

/** mount_block_root's failure and the panic, up to where Xen takes over (timestamps at `uptimeNs`). */
export function rootPanicLines(uptimeNs: number, hw: GuestHardware, root: RootDevice, disks: readonly GuestDisk[]): string[] {
  const t = printkTime(uptimeNs);
  const name = root.device.replace(/^\/dev\//, '');
  const parts: string[] = [];
  for (const d of disks) {
    let i = 0;
    for (const ch of d.name.replace(/^xvd/, '')) i = i * 26 + (ch.charCodeAt(0) - 96);
    // printk_all_partitions: "%s %10llu %pg %s" (no uuid), then the driver on a line of its own
    parts.push(`${t} ${bdevt(202, (i - 1) * 16)} ${String(Math.floor(d.sectors / 2)).padStart(10)} ${d.name} `, `${t}  driver: vbd`);
  }
  return [
    `${t} VFS: Cannot open root device "${name}" or unknown-block(0,0): error -6`,
    `${t} Please append a correct "root=" boot option; here are the available partitions:`,
    ...parts,
    ...panicLines(t, hw, {
      reason: 'VFS: Unable to mount root fs on unknown-block(0,0)',
      pid: 1,
      comm: 'swapper/0',
      frames: ['mount_block_root+0x1d3/0x1e6', 'prepare_namespace+0x136/0x165', 'kernel_init_freeable+0x25c/0x286', '? rest_init+0xd0/0xd0', 'kernel_init+0x16/0x130', 'ret_from_fork+0x22/0x30'],
    }),
  ];
}
