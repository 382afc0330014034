/**
 * New raw disk images for a domain about to be created, as an administrator makes them in
 * dom0 before `xl create` (`truncate -s 10G /var/lib/xen/images/web1.img`): xl itself
 * never creates a disk, and a vbd whose target is missing fails in the block hotplug
 * script (engine/toolstack/block-devices.ts). On an embedded host dom0's filesystem is the
 * lab folder, so the image is a sparse file there: only what the guest writes takes room.
 *
 * Creation is all or nothing with the domain: images made for a create that then fails
 * are removed again, and an image already there is used as it is (never truncated or
 * overwritten — it may hold a guest's data).
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { labPathOf } from '../../engine/toolstack/block-devices';
import { ToolstackError } from '../../engine/toolstack/toolstack-error';
import type { ToolstackHost } from '../../engine/toolstack/host-api';
import type { CreateDomainRequest, CreateDomainResult } from '../../engine/toolstack/types';

export interface NewImage {
  /** dom0's path of the image (a disk spec's target). */
  path: string;
  sizeMiB: number;
}

export interface MadeImages {
  /** dom0 paths created now (the others were there already). */
  created: string[];
  /** Removes what this call created (the create it served failed). */
  undo(): void;
}

/** Creates the images that are not there yet, in `labDir` (dom0's filesystem). */
export function makeImages(labDir: string, images: readonly NewImage[]): MadeImages {
  const made: { path: string; full: string }[] = [];
  const undo = (): void => {
    for (const m of made.splice(0)) {
      try {
        unlinkSync(m.full);
      } catch {
        // already gone: nothing to undo
      }
    }
  };
  try {
    for (const img of images) {
      if (!img.path.startsWith('/')) throw new ToolstackError('EINVAL', `disk image ${img.path}: not an absolute path in dom0`, 'Give the image as a path such as /var/lib/xen/images/NAME.img');
      const full = labPathOf(labDir, img.path);
      if (full === undefined) throw new ToolstackError('EINVAL', `disk image ${img.path}: outside dom0's filesystem`);
      mkdirSync(dirname(full), { recursive: true });
      let fd: number;
      try {
        fd = openSync(full, 'wx', 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // an existing image is kept as it is
        throw new ToolstackError('EIO', `disk image ${img.path}: ${(e as Error).message}`);
      }
      made.push({ path: img.path, full });
      try {
        ftruncateSync(fd, img.sizeMiB * 1024 * 1024);
      } finally {
        closeSync(fd);
      }
    }
  } catch (e) {
    undo();
    throw e;
  }
  return { created: made.map((m) => m.path), undo };
}

/**
 * `domain.create` with its new images: made first (embedded host with a lab folder), the
 * domain created, the images removed again if the create fails. A dry run makes nothing.
 */
export async function createWithImages(
  host: ToolstackHost,
  labDir: string | undefined,
  req: CreateDomainRequest,
  images: readonly NewImage[],
  log: (message: string) => void,
): Promise<CreateDomainResult> {
  if (images.length === 0 || req.dryRun) return host.createDomain(req);
  if (host.kind === 'remote') return createWithRemoteImages(host, req, images, log);
  // A lab kept only in memory has no dom0 filesystem: every vbd target is there (10 GiB).
  if (labDir === undefined) return host.createDomain(req);
  const made = makeImages(labDir, images);
  try {
    const r = await host.createDomain(req);
    for (const p of made.created) log(`disk image ${p} created (${images.find((i) => i.path === p)!.sizeMiB} MiB, sparse raw)`);
    return r;
  } catch (e) {
    made.undo();
    throw e;
  }
}

/** The same on a real host: each image made in its dom0 over SSH, removed again on failure. */
async function createWithRemoteImages(host: ToolstackHost, req: CreateDomainRequest, images: readonly NewImage[], log: (message: string) => void): Promise<CreateDomainResult> {
  const make = host.makeDiskImage?.bind(host);
  const remove = host.removeDiskImage?.bind(host);
  if (!make || !remove) {
    throw new ToolstackError('ENOSYS', `creating disk images on host ${host.id}: not implemented in XenDeck yet`, 'Create each image in dom0 first (truncate -s 10G /var/lib/xen/images/NAME.img), then create the domain without "new image"');
  }
  const created: NewImage[] = [];
  const undo = async (): Promise<void> => {
    for (const img of created.splice(0)) await remove(img.path).catch(() => undefined);
  };
  try {
    for (const img of images) if ((await make(img.path, img.sizeMiB)) === 'created') created.push(img);
    const r = await host.createDomain(req);
    for (const img of created) log(`disk image ${img.path} created in dom0 (${img.sizeMiB} MiB, sparse raw)`);
    return r;
  } catch (e) {
    await undo();
    throw e;
  }
}
