/**
 * What dom0 finds behind a vbd's `params` when its block hotplug script and blkback open
 * it (tools/hotplug/Linux/block: `phy` needs the device to exist, `file` the file, which
 * it loop-mounts; blkback then sizes the device, vbd_sz() in xen-blkback/xenbus.c).
 * On an embedded host, dom0's filesystem is the lab folder: a target
 * /var/lib/xen/images/web1.img is <lab>/var/lib/xen/images/web1.img (a relative one is
 * taken from the lab folder too). A regular file there stands in for a phy: device as
 * well (an LV's contents), so a lab can hold any disk as a sparse file
 * (`truncate -s 20G <lab>/dev/vg0/web1`). Its size, in 512-byte sectors, is the disk's.
 * A target that is not there fails as the block script does: "<path> does not exist.".
 */
import { statSync } from 'node:fs';
import { join, relative, resolve, isAbsolute } from 'node:path';

/** `missing`: nothing at the path (what stat() would say ENOENT to). */
export type BlockDevice = { sectors: number } | { error: string; missing?: boolean };

/**
 * (`params`, the backend's `type` node: phy or qdisk, or 'stat' for libxl's own stat of
 * the path as given) → the device or the script's error.
 */
export type BlockDeviceLookup = (params: string, type: string) => BlockDevice;


export const SECTOR_BYTES = 512;

/**
 * Where dom0's path lives in the lab folder, or undefined when it would leave the folder
 * (`..`): dom0's filesystem is the folder and nothing above it.
 */
export function labPathOf(labDir: string, dom0Path: string): string | undefined {
  const full = resolve(join(labDir, dom0Path));
  const rel = relative(resolve(labDir), full);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : full;
}

export function labBlockDevices(labDir: string): BlockDeviceLookup {
  return (params, type) => {
    // the block script's expand_dev: a phy: name without a path is under /dev
    const path = type === 'phy' && !params.startsWith('/') ? `/dev/${params}` : params;
    const full = labPathOf(labDir, path);
    if (full === undefined) return { error: `${path} does not exist.`, missing: true };
    let size: number;
    try {
      const st = statSync(full);
      if (!st.isFile()) return { error: `${path} is not a block device.` };
      size = st.size;
    } catch {
      return { error: `${path} does not exist.`, missing: true };
    }
    return { sectors: Math.floor(size / SECTOR_BYTES) };
  };
}
