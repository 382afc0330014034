/**
 * The guest's view of its PV disks (what blkfront made of each vbd: name, size in
 * 512-byte sectors from the backend's `sectors`, read-only from `info`), as util-linux
 * lsblk, /proc/partitions and /sys/block/NAME/size show it. The root disk (xvda) carries
 * the cloud image's one partition, xvda1 from sector 2048 (1 MiB) to the end, mounted on /.
 */
export interface GuestDisk {
  name: string;
  sectors: number;
  readonly: boolean;
}

/** xen-blkfront's major for xvd* disks (XENVBD_MAJOR); 16 minors a disk. */
const XENVBD_MAJOR = 202;
export const PART_START = 2048;

/** The root partition xvda1 of a disk (sectors), when the disk is xvda and has room for it. */
export function rootPartitionSectors(disks: readonly GuestDisk[]): number | undefined {
  const d = disks.find((x) => x.name === 'xvda');
  return d && d.sectors > PART_START ? d.sectors - PART_START : undefined;
}

function index(name: string): number {
  let i = 0;
  for (const ch of name.replace(/^xvd/, '')) i = i * 26 + (ch.charCodeAt(0) - 96);
  return i - 1;
}

interface Row {
  name: string;
  minor: number;
  sectors: number;
  ro: boolean;
  type: 'disk' | 'part';
  mount: string;
}

function rows(disks: readonly GuestDisk[]): Row[] {
  const out: Row[] = [];
  for (const d of disks) {
    const minor = index(d.name) * 16;
    out.push({ name: d.name, minor, sectors: d.sectors, ro: d.readonly, type: 'disk', mount: '' });
    if (d.name === 'xvda' && d.sectors > PART_START) out.push({ name: `${d.name}1`, minor: minor + 1, sectors: d.sectors - PART_START, ro: d.readonly, type: 'part', mount: '/' });
  }
  return out;
}

/** util-linux's size_to_human_string with one-letter suffixes: 10G, 1.5G, 512M, 0B. */
export function humanSize(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P', 'E'];
  let exp = 0;
  while (exp < units.length - 1 && bytes >= 1024 ** (exp + 1)) exp++;
  if (exp === 0) return `${bytes}B`;
  const v = bytes / 1024 ** exp;
  const r = Math.round(v * 10) / 10;
  return `${Number.isInteger(r) ? r : r.toFixed(1)}${units[exp]}`;
}

/** `lsblk`: columns as wide as their widest cell, the partition drawn under its disk. */
export function lsblk(disks: readonly GuestDisk[]): string {
  const table = [['NAME', 'MAJ:MIN', 'RM', 'SIZE', 'RO', 'TYPE', 'MOUNTPOINTS']];
  for (const r of rows(disks)) table.push([r.type === 'part' ? `└─${r.name}` : r.name, `${XENVBD_MAJOR}:${r.minor}`, '0', humanSize(r.sectors * 512), r.ro ? '1' : '0', r.type, r.mount]);
  // SIZE is at least 5 wide (util-linux's width hint for it), the others as their widest cell
  const width = table[0]!.map((_, c) => Math.max(c === 3 ? 5 : 0, ...table.map((row) => [...row[c]!].length)));
  // NAME, MAJ:MIN (major always 202: the colons line up), TYPE, MOUNTPOINTS left-aligned; the numbers right-aligned
  const right = new Set([2, 3, 4]);
  return `${table
    .map((row) =>
      row
        .map((cell, c) => {
          const pad = width[c]! - [...cell].length;
          if (c === 6) return cell;
          return right.has(c) ? ' '.repeat(pad) + cell : cell + ' '.repeat(pad);
        })
        .join(' ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** /proc/partitions: major, minor, size in 1 KiB blocks, name. */
export function procPartitions(disks: readonly GuestDisk[]): string {
  const lines = rows(disks).map((r) => `${String(XENVBD_MAJOR).padStart(4)}  ${String(r.minor).padStart(7)} ${String(Math.floor(r.sectors / 2)).padStart(10)} ${r.name}`);
  return `major minor  #blocks  name\n\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
}
