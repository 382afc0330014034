/**
 * The first thing libxl does with a disk, for `xl create` (initiate_domain_create, after
 * the domain is made) and for `xl block-attach` (device_disk_add): choose its backend,
 * libxl__device_disk_set_backend (tools/libs/light/libxl_device.c). Unless the disk
 * names a qdisk backend, a script, or is an empty cdrom, libxl stat()s its target first,
 * and a target that is not there fails at once:
 *   libxl: error: libxl_device.c:455:libxl__device_disk_set_backend: Disk vdev=xvda failed to stat: /var/lib/xen/images/web1.img: No such file or directory
 *   libxl: error: libxl_create.c:1316:initiate_domain_create: Domain 1:Unable to set disk defaults for disk 0
 * and the half-made domain is destroyed (its domid is used up, as on Xen). A qdisk target
 * is QEMU's to open; it is not stat()ed here (the guest then waits for its device).
 *
 * What dom0 has is engine/toolstack/block-devices.ts. The refusal is a ToolstackError
 * (EINVAL, libxl's ERROR_INVAL) whose message carries what xl prints, so `xl` gives
 * libxl's lines also when the error came over the api socket (diskStatLines).
 */
import type { LibxlDiskJson } from './config/disk-spec';
import type { BlockDeviceLookup } from './block-devices';
import { ToolstackError } from './toolstack-error';

/** The disks libxl stat()s: backend unset, phy or standalone, no script, not an empty cdrom. */
function statted(d: LibxlDiskJson): boolean {
  return (d.backend === undefined || d.backend === 'phy' || d.backend === 'standalone') && d.script === undefined && d.format !== 'empty' && !!d.pdev_path;
}

function statError(lookup: BlockDeviceLookup, d: LibxlDiskJson): string | undefined {
  const dev = lookup(d.pdev_path!, 'stat');
  return 'error' in dev && dev.missing ? `Disk vdev=${d.vdev ?? ''} failed to stat: ${d.pdev_path!}: No such file or directory` : undefined;
}

const hint = (d: LibxlDiskJson): string => `Make the disk's target in dom0 first (the wizard's "new image", or truncate -s 10G ${d.pdev_path!}), or correct the disk spec`;

/** `xl create`: throws for the first of the domain's disks whose target is not in dom0. */
export function setDiskBackends(lookup: BlockDeviceLookup | undefined, domid: number, disks: readonly LibxlDiskJson[]): void {
  if (!lookup) return; // no dom0 filesystem modelled (a lab kept in memory): every target is there
  disks.forEach((d, i) => {
    const why = statted(d) ? statError(lookup, d) : undefined;
    if (why) throw new ToolstackError('EINVAL', `Domain ${domid}:Unable to set disk defaults for disk ${i}: ${why}`, hint(d));
  });
}

/** `xl block-attach`: throws when the new disk's target is not in dom0. */
export function setDiskBackend(lookup: BlockDeviceLookup | undefined, disk: LibxlDiskJson): void {
  const why = lookup && statted(disk) ? statError(lookup, disk) : undefined;
  if (why) throw new ToolstackError('EINVAL', why, hint(disk));
}

/** What a setDiskBackend(s) refusal's message says, for xl's lines; undefined for any other message. */
export function parseDiskStatError(message: string): { stat: string; domid?: number; index?: number } | undefined {
  const m = /^(?:Domain (\d+):Unable to set disk defaults for disk (\d+): )?(Disk vdev=\S* failed to stat: .*: No such file or directory)$/s.exec(message);
  if (!m) return undefined;
  return { stat: m[3]!, ...(m[1] !== undefined ? { domid: Number(m[1]), index: Number(m[2]) } : {}) };
}
