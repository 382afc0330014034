/**
 * Mounting the root filesystem (Linux 6.1, the guests' kernel). Before it,
 * xenbus_probe_frontend's wait_for_devices (a late initcall) has held the boot while PV
 * devices were still connecting (up to 30 s). Who mounts root depends on whether the
 * guest booted with an initramfs:
 *
 * Without one (a PV/PVH guest whose xl.cfg has no `ramdisk=`), the kernel does it
 * (init/do_mounts.c prepare_namespace): name_to_dev_t turns `root=` (default /dev/xvda1,
 * the cloud image's partition on the first vbd) into a device. It knows /dev/NAME and
 * PARTUUID= (the GPT partition's unique GUID, compared case-insensitively over the
 * length given, optionally /PARTNROFF=N partitions further; a malformed one is "VFS:
 * PARTUUID= is invalid." and disables rootwait), but not UUID= or LABEL= — those are
 * filesystem properties only userspace (blkid, udev) reads, so they never resolve.
 *   - `rootwait`: "Waiting for root device ROOT..." and the kernel polls until the device
 *     appears (a later `xl block-attach` of it goes on; UUID= waits forever);
 *   - otherwise mount_block_root fails: "VFS: Cannot open root device "ROOT" or
 *     unknown-block(0,0): error -6" (ENXIO), the available partitions
 *     (printk_all_partitions), and panic("VFS: Unable to mount root fs on
 *     unknown-block(0,0)"); on Xen the panic notifier ends in SCHEDOP_shutdown
 *     (SHUTDOWN_crash), so xl.cfg's on_crash decides.
 *
 * With one (an HVM guest: GRUB loads the image's initrd, "Loading initial ramdisk ...";
 * a PV/PVH guest with `ramdisk=`), the kernel runs /init from it and initramfs-tools
 * (scripts/local) finds root: UUID= and LABEL= through udev's /dev/disk/by-uuid and
 * by-label links, PARTUUID= through by-partuuid, /dev/NAME as it is. It waits for the
 * device up to ROOTDELAY (`rootdelay=`, default 180 s), then gives up ("Gave up waiting
 * for root file system device", "ALERT!  ROOT does not exist.  Dropping to a shell!"):
 * no panic; the domain runs on in the initramfs's shell (not modelled: the console says
 * so and takes no input).
 *
 * The image on xvda (./block-list.ts: xvda1 from sector 2048) carries fixed identifiers,
 * as every copy of one cloud image does: its GPT partition GUID and its ext4 UUID
 * (`blkid` shows both); the filesystem has no label (mke2fs without -L). A root= that is
 * not one of these forms (/dev/sda1, PARTLABEL=...) is not modelled: the guest boots on
 * as before, as does a guest with no vbd at all (XenDeck's diskless guests run from
 * their image).
 */
import { printkTime } from './boot-log';
import { rootPartitionSectors, type GuestDisk } from './block-list';
import type { GuestHardware } from './guest-platform';
import { defaultCmdline } from './kernel-release';
import { panicLines } from './kernel-panic';

/** When prepare_namespace runs, ns after the kernel started (just before "Run /sbin/init"). */
export const ROOT_MOUNT_AT = 500_000_000;

/** The cloud image's xvda1: its GPT unique partition GUID (PARTUUID) and its ext4 UUID. */
export const ROOT_PARTUUID = '6a1d2e4f-0b3c-4d8e-9f7a-5c2b1e0d3a94';
export const ROOT_FS_UUID = 'e5f1c3a2-7b4d-4c9e-8a21-3f6d0b9e4c17';

/** initramfs-tools' ROOTDELAY when the command line sets no rootdelay=, seconds. */
export const INITRAMFS_ROOTDELAY_S = 180;

export type RootSpec =
  | { kind: 'dev'; disk: string | undefined }
  | { kind: 'partuuid'; uuid: string; offset: number }
  | { kind: 'partuuid-invalid' }
  | { kind: 'uuid'; uuid: string }
  | { kind: 'label'; label: string }
  /** A form XenDeck does not model (PARTLABEL=, major:minor, /dev/sda1): boots on. */
  | { kind: 'other' };

export interface RootDevice {
  /** As root= gives it: /dev/xvda1, UUID=.... */
  device: string;
  spec: RootSpec;
  /** The vbd it is on (xvda), when it names one of the guest's disks. */
  disk: string | undefined;
  /** `rootwait`: wait for it instead of panicking (the kernel's; initramfs-tools ignores it). */
  wait: boolean;
  /** Booted with an initramfs: it mounts root, not the kernel. */
  initramfs: boolean;
  /** initramfs-tools' ROOTDELAY, s. */
  rootDelayS: number;
}

function specOf(device: string): RootSpec {
  const xvd = /^\/dev\/(xvd[a-z]+)\d*$/.exec(device);
  if (xvd) return { kind: 'dev', disk: xvd[1] };
  if (device.startsWith('PARTUUID=')) {
    const v = device.slice('PARTUUID='.length);
    const slash = v.indexOf('/');
    // sscanf(slash + 1, "PARTNROFF=%d%c", ...) must read the number and nothing after it
    const off = slash < 0 ? undefined : /^PARTNROFF=([-+]?\d+)$/.exec(v.slice(slash + 1));
    const uuid = slash < 0 ? v : v.slice(0, slash);
    if ((slash >= 0 && !off) || uuid === '') return { kind: 'partuuid-invalid' };
    return { kind: 'partuuid', uuid, offset: off ? Number(off[1]) : 0 };
  }
  if (device.startsWith('UUID=')) return { kind: 'uuid', uuid: device.slice(5) };
  if (device.startsWith('LABEL=')) return { kind: 'label', label: device.slice(6) };
  return { kind: 'other' };
}

export function rootDeviceOf(hw: GuestHardware): RootDevice {
  const words = (hw.cmdline ?? defaultCmdline(hw.type)).split(/\s+/);
  const device = words.find((w) => w.startsWith('root='))?.slice('root='.length) ?? '/dev/xvda1';
  const spec = specOf(device);
  const delay = words.find((w) => w.startsWith('rootdelay='))?.slice('rootdelay='.length);
  const rootDelayS = delay !== undefined && /^\d+$/.test(delay) ? Number(delay) : INITRAMFS_ROOTDELAY_S;
  // the forms that can only be on the image's partition: the guest's xvda
  const disk = spec.kind === 'dev' ? spec.disk : spec.kind === 'other' || spec.kind === 'partuuid-invalid' ? undefined : 'xvda';
  return { device, spec, disk, wait: words.includes('rootwait'), initramfs: hw.initrd ?? false, rootDelayS };
}

/**
 * The disk whose partition is root, among the disks blkfront has connected, for who
 * looks it up (the kernel's name_to_dev_t, or the initramfs's udev links); undefined
 * while there is none.
 */
export function resolveRoot(root: RootDevice, connected: readonly string[]): string | undefined {
  const s = root.spec;
  const image = connected.includes('xvda') ? 'xvda' : undefined;
  switch (s.kind) {
    case 'dev':
      return s.disk !== undefined && connected.includes(s.disk) ? s.disk : undefined;
    case 'partuuid':
      // match_dev_by_uuid: strncasecmp over the length given; the image has one partition
      return image && s.offset === 0 && ROOT_PARTUUID.slice(0, s.uuid.length).toLowerCase() === s.uuid.toLowerCase() && s.uuid.length <= ROOT_PARTUUID.length ? image : undefined;
    case 'uuid':
      // the kernel cannot; /dev/disk/by-uuid/UUID is an exact name
      return root.initramfs && s.uuid === ROOT_FS_UUID ? image : undefined;
    case 'label':
      return undefined;
    default:
      return undefined;
  }
}

/** devt_from_partuuid's complaint about a malformed PARTUUID=, and what it does to rootwait. */
export function partuuidInvalidLines(uptimeNs: number, root: RootDevice): string[] {
  const t = printkTime(uptimeNs);
  return [`${t} VFS: PARTUUID= is invalid.`, `${t} Expected PARTUUID=<valid-uuid-id>[/PARTNROFF=%d]`, ...(root.wait ? [`${t} Disabling rootwait; root= is invalid.`] : [])];
}

/** initramfs-tools giving up on the root device (scripts/local, then panic() in scripts/functions). */
export function initramfsGaveUpLines(root: RootDevice): string[] {
  return [
    'Gave up waiting for root file system device.  Common problems:',
    ' - Boot args (cat /proc/cmdline)',
    '   - Check rootdelay= (did the system wait long enough?)',
    ' - Missing modules (cat /proc/modules; ls /dev)',
    `ALERT!  ${root.device} does not exist.  Dropping to a shell!`,
  ];
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
    // printk_all_partitions: "%s%s %10llu %pg %s" (a whole disk has no uuid), the driver on a
    // line of its own, then the disk's partitions indented, with their PARTUUID
    parts.push(`${t} ${bdevt(202, (i - 1) * 16)} ${String(Math.floor(d.sectors / 2)).padStart(10)} ${d.name} `, `${t}  driver: vbd`);
    const part = d.name === 'xvda' ? rootPartitionSectors([d]) : undefined;
    if (part !== undefined) parts.push(`${t}   ${bdevt(202, (i - 1) * 16 + 1)} ${String(Math.floor(part / 2)).padStart(10)} ${d.name}1 ${ROOT_PARTUUID}`);
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
