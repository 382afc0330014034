/**
 * A virtual disk's device number from its vdev, as libxl__device_disk_dev_number
 * (tools/libs/light/libxl_device.c) computes it, following
 * docs/man/xen-vbd-interface.7.pandoc: the number is the vbd's devid in xenstore
 * (device/vbd/<devid>), so xvda is 51712 (202 << 8).
 *
 *   xvdX[N] / dXpN   202 << 8 | disk << 4 | part        (disk <= 15, part <= 15)
 *                    1 << 28 | disk << 8 | part         (extended: larger disks / parts)
 *   hdX[N]           (disk < 2 ? 3 : 22) << 8 | (disk & 1) << 6 | part   (disk <= 3, part <= 63)
 *   sdX[N]           8 << 8 | disk << 4 | part          (disk <= 15, part <= 15)
 *   a number         itself (strtoul base 0, up to INT_MAX)
 *
 * Returns undefined for a name libxl cannot place ("Invalid or unsupported virtual disk
 * identifier" at attach).
 */

/** device_virtdisk_matches(): letters as base-26 digits (a = 0, aa = 26), then an optional partition. */
function virtdisk(vdev: string, prefix: string, maxIndex: number, maxPartition: number): { disk: number; partition: number } | undefined {
  if (!vdev.startsWith(prefix)) return undefined;
  let i = prefix.length;
  let index = -1;
  while (i < vdev.length && vdev[i]! >= 'a' && vdev[i]! <= 'z') {
    index = (index + 1) * 26 + (vdev.charCodeAt(i) - 97);
    if (index > maxIndex) return undefined;
    i++;
  }
  const rest = vdev.slice(i);
  if (rest === '') return { disk: index, partition: 0 };
  if (rest[0] === '0' || !/^\d+$/.test(rest)) return undefined; // no leading zeroes, no junk
  const partition = Number(rest);
  return partition > maxPartition ? undefined : { disk: index, partition };
}

export function diskDevNumber(vdev: string): number | undefined {
  const d = /^d(\d+)p(\d+)$/.exec(vdev);
  const xvd = d && Number(d[1]) < 1 << 20 && Number(d[2]) < 256 ? { disk: Number(d[1]), partition: Number(d[2]) } : virtdisk(vdev, 'xvd', (1 << 20) - 1, 255);
  if (xvd && xvd.disk >= 0) {
    return xvd.disk <= 15 && xvd.partition <= 15 ? (202 << 8) | (xvd.disk << 4) | xvd.partition : (1 << 28) | (xvd.disk << 8) | xvd.partition;
  }
  if (/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.test(vdev)) {
    const n = Number(vdev.startsWith('0x') || vdev.startsWith('0X') ? Number.parseInt(vdev, 16) : vdev.startsWith('0') && vdev.length > 1 ? Number.parseInt(vdev, 8) : Number(vdev));
    return n <= 0x7fffffff ? n : undefined;
  }
  const hd = virtdisk(vdev, 'hd', 3, 63);
  if (hd && hd.disk >= 0) return ((hd.disk < 2 ? 3 : 22) << 8) | ((hd.disk & 1) << 6) | hd.partition;
  const sd = virtdisk(vdev, 'sd', 15, 15);
  if (sd && sd.disk >= 0) return (8 << 8) | (sd.disk << 4) | sd.partition;
  return undefined;
}
