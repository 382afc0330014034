/**
 * `df [-h] [-k] [FILE...]` as Debian 12's coreutils prints it: the mounted filesystems
 * with their size, used and available 1K blocks (or -h: powers of 1024, rounded up as
 * human_ceiling does), Use% (used / (used + available), rounded up), the mount point.
 * Columns are as wide as their widest cell, at least coreutils' field_data widths
 * (Filesystem 14, the numbers 5, Use% 4); Filesystem and Mounted on left-aligned.
 *
 * What is mounted is what a Debian cloud guest mounts at boot: devtmpfs on /dev ("udev",
 * half of RAM: the kernel's default size), the initramfs's tmpfs on /run (10% of RAM,
 * initramfs-tools' RUNSIZE), the root ext4 on /dev/xvda1 (./block-list.ts: the disk
 * less its first MiB), then systemd's tmpfs on /dev/shm (half of RAM) and /run/lock
 * (5 MiB). The root filesystem is sized as ext4's statfs reports it (fs/ext4/super.c
 * ext4_statfs: the blocks less the metadata overhead — inode tables, bitmaps, the
 * journal — and `Available` less the 5% reserved for root), for mke2fs's defaults on
 * such a disk (4 KiB blocks, 32768 blocks a group, an inode per 16 KiB of 256 bytes,
 * e2fsprogs 1.47's ext2fs_default_journal_size). A disk without xvda1 has no root here.
 *
 * Domain-0 boots from the host's own disk, not a vbd: its `/` is the root LV a Debian
 * installer's guided LVM makes on a lab host (/dev/mapper/HOSTNAME--vg-root: the VG is
 * "HOSTNAME-vg", dashes doubled by device-mapper), and its figures are the statfs of the
 * filesystem that holds dom0's files — the lab folder's (configs, the disk images under
 * /var/lib/xen/images, save files), so `xl save` or a written image shows in Used.
 */
import type { GuestHardware } from './guest-platform';
import { rootPartitionSectors, type GuestDisk } from './block-list';
import { memTotalKiB } from './proc-files';
import type { ShellResult } from './shell';
import type { Dom0Statfs } from './dom0-tools';

const BLOCK = 4096;
const BLOCKS_PER_GROUP = 32768;
/** inode_ratio 16384, inode_size 256: inode table blocks per group. */
const INODE_TABLE_BLOCKS = (BLOCKS_PER_GROUP * BLOCK) / 16384 / (BLOCK / 256);
/** The cloud image's installed files (Debian 12 genericcloud after first boot), KiB. */
const ROOT_FILES_KIB = 1_143_284;
/** What the running system keeps in /run (udev's database, pid files), KiB. */
const RUN_USED_KIB = 480;

interface Mount {
  source: string;
  target: string;
  sizeKiB: number;
  usedKiB: number;
  availKiB: number;
}

/** e2fsprogs' ext2fs_default_journal_size, in blocks (-1: no journal). */
function journalBlocks(blocks: number): number {
  if (blocks < 2048) return -1;
  if (blocks < 32768) return 1024;
  if (blocks < 256 * 1024) return 4096;
  if (blocks < 512 * 1024) return 8192;
  if (blocks < 4096 * 1024) return 16384;
  if (blocks < 8192 * 1024) return 32768;
  if (blocks < 16384 * 1024) return 65536;
  if (blocks < 32768 * 1024) return 131072;
  return 262144;
}

/** ext4_statfs of a fresh ext4 over `bytes`, with the image's files on it. */
export function ext4Statfs(bytes: number): { sizeKiB: number; usedKiB: number; availKiB: number } {
  const blocks = Math.floor(bytes / BLOCK);
  const groups = Math.ceil(blocks / BLOCKS_PER_GROUP);
  // each group: its inode table and two bitmaps; group 0 the superblock and descriptors
  const overhead = groups * (INODE_TABLE_BLOCKS + 2) + 1 + Math.ceil((groups * 64) / BLOCK) + Math.max(0, journalBlocks(blocks));
  const fBlocks = Math.max(0, blocks - overhead);
  const used = Math.min(fBlocks, Math.ceil(ROOT_FILES_KIB / 4));
  const reserved = Math.floor(blocks * 0.05);
  return { sizeKiB: fBlocks * 4, usedKiB: used * 4, availKiB: Math.max(0, fBlocks - used - reserved) * 4 };
}

/** A root filesystem the guest has other than the image on xvda1 (Domain-0's, on the host's disk). */
export interface RootFilesystem extends Dom0Statfs {
  source: string;
}

function mounts(disks: readonly GuestDisk[], hw: GuestHardware, rootFs: RootFilesystem | undefined): Mount[] {
  const ram = memTotalKiB(hw);
  const tmpfs = (source: string, target: string, sizeKiB: number, usedKiB = 0): Mount => ({ source, target, sizeKiB, usedKiB, availKiB: sizeKiB - usedKiB });
  const out = [tmpfs('udev', '/dev', Math.floor(ram / 2)), tmpfs('tmpfs', '/run', Math.floor(ram / 10 / 4) * 4, RUN_USED_KIB)];
  const root = rootPartitionSectors(disks);
  if (rootFs !== undefined) out.push({ source: rootFs.source, target: '/', sizeKiB: rootFs.sizeKiB, usedKiB: rootFs.usedKiB, availKiB: rootFs.availKiB });
  else if (root !== undefined) out.push({ source: '/dev/xvda1', target: '/', ...ext4Statfs(root * 512) });
  out.push(tmpfs('tmpfs', '/dev/shm', Math.floor(ram / 2)), tmpfs('tmpfs', '/run/lock', 5120));
  return out;
}

/** coreutils' human_readable with human_ceiling | human_autoscale | human_base_1024 (df -h). */
export function humanCeil(kib: number): string {
  if (kib === 0) return '0';
  const units = ['K', 'M', 'G', 'T', 'P', 'E'];
  let exp = 0;
  let v = kib;
  while (v >= 1024 && exp < units.length - 1) {
    v /= 1024;
    exp++;
  }
  if (v < 10) {
    const one = Math.ceil(v * 10 - 1e-9) / 10;
    if (one < 10) return `${one.toFixed(1)}${units[exp]}`;
    v = one;
  }
  const whole = Math.ceil(v - 1e-9);
  if (whole >= 1024 && exp < units.length - 1) return `1.0${units[exp + 1]}`;
  return `${whole}${units[exp]}`;
}

/** Use%: used / (used + avail), rounded up; "-" for an empty filesystem. */
function usePct(m: Mount): string {
  const total = m.usedKiB + m.availKiB;
  if (total === 0) return '-';
  return `${Math.ceil((m.usedKiB * 100) / total - 1e-9)}%`;
}

/** The mount a path lies on: the longest mount point that is a prefix of it. */
function mountOf(all: readonly Mount[], path: string): Mount | undefined {
  const abs = path.startsWith('/') ? path : `/root/${path}`;
  let best: Mount | undefined;
  for (const m of all) {
    const inside = m.target === '/' || abs === m.target || abs.startsWith(`${m.target}/`);
    if (inside && (!best || m.target.length > best.target.length)) best = m;
  }
  return best;
}

export function df(args: readonly string[], disks: readonly GuestDisk[], hw: GuestHardware, rootFs?: RootFilesystem): ShellResult {
  let human = false;
  const files: string[] = [];
  const usage = (what: string): ShellResult => ({ output: `df: ${what}\nTry 'df --help' for more information.\n`, effect: { kind: 'none' }, status: 1 });
  for (const a of args) {
    if (a === '--human-readable') human = true;
    else if (a.startsWith('--')) return usage(`unrecognized option '${a}'`);
    else if (a.startsWith('-') && a.length > 1) {
      for (const c of a.slice(1)) {
        if (c === 'h') human = true;
        else if (c === 'k') human = false;
        else return usage(`invalid option -- '${c}'`);
      }
    } else files.push(a);
  }
  const all = mounts(disks, hw, rootFs);
  let shown: Mount[] = all;
  let errors = '';
  if (files.length > 0) {
    shown = [];
    for (const f of files) {
      const m = mountOf(all, f);
      if (m) shown.push(m);
      else errors += `df: ${f}: No such file or directory\n`;
    }
  }
  const num = (kib: number): string => (human ? humanCeil(kib) : String(kib));
  const table = [['Filesystem', human ? 'Size' : '1K-blocks', 'Used', human ? 'Avail' : 'Available', 'Use%', 'Mounted on']];
  for (const m of shown) table.push([m.source, num(m.sizeKiB), num(m.usedKiB), num(m.availKiB), usePct(m), m.target]);
  const minWidth = [14, 5, 5, 5, 4, 0];
  const width = minWidth.map((w, c) => Math.max(w, ...table.map((r) => r[c]!.length)));
  const text = table
    .map((r) =>
      r
        .map((cell, c) => (c === 5 ? cell : c === 0 ? cell.padEnd(width[c]!) : cell.padStart(width[c]!)))
        .join(' '),
    )
    .join('\n');
  return { output: `${shown.length > 0 ? `${text}\n` : ''}${errors}`, effect: { kind: 'none' }, status: errors === '' ? 0 : 1 };
}
