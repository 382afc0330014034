/**
 * `blkid [DEVICE...]` (util-linux 2.38, Debian 12): a line a block device that carries a
 * signature, in /proc/partitions' order — the image's disk with its GPT (PTUUID,
 * PTTYPE), its partition xvda1 with the ext4 on it (UUID, BLOCK_SIZE, TYPE) and the
 * partition's GUID (PARTUUID); blank disks have none and print nothing. Status 2 when
 * nothing was found. These are the identifiers root=UUID= / PARTUUID= name
 * (./root-mount.ts). Options (-s, -o, -p...) are not modelled and say so.
 */
import { rootPartitionSectors, type GuestDisk } from './block-list';
import { ROOT_FS_UUID, ROOT_PARTUUID } from './root-mount';
import type { ShellResult } from './shell';

/** The image's GPT disk GUID. */
export const IMAGE_PTUUID = '3b9c5d1e-8f2a-4e7b-a6c0-d14e9f2b7a58';

export function blkid(args: readonly string[], disks: readonly GuestDisk[]): ShellResult {
  const opt = args.find((a) => a.startsWith('-'));
  if (opt !== undefined) return { output: `blkid: option ${opt} is not implemented in XenDeck (blkid [DEVICE...] is)\n`, effect: { kind: 'none' }, status: 1 };
  const lines: [string, string][] = [];
  const xvda = disks.find((d) => d.name === 'xvda');
  if (xvda && rootPartitionSectors([xvda]) !== undefined) {
    lines.push(['/dev/xvda', `PTUUID="${IMAGE_PTUUID}" PTTYPE="gpt"`]);
    lines.push(['/dev/xvda1', `UUID="${ROOT_FS_UUID}" BLOCK_SIZE="4096" TYPE="ext4" PARTUUID="${ROOT_PARTUUID}"`]);
  }
  const shown = args.length === 0 ? lines : lines.filter(([dev]) => args.includes(dev));
  return { output: shown.map(([dev, tags]) => `${dev}: ${tags}\n`).join(''), effect: { kind: 'none' }, status: shown.length > 0 ? 0 : 2 };
}
