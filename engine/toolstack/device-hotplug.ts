/**
 * Hot-plugging vbds and vifs into a running domain, as libxl does for `xl block-attach`,
 * `block-detach`, `network-attach` and `network-detach` (tools/libs/light/libxl_disk.c,
 * libxl_nic.c, libxl_device.c):
 *
 *   attach  the spec is read as xl reads it (xlu_disk_parse for a disk, parse_nic_config
 *           for each vif argument); a vdev the domain already has is refused ("device
 *           already exists in xenstore"); a vif with no devid gets the next free one
 *           (libxl__device_nextid) and, with no mac, the one libxl would give it. The
 *           frontend and backend nodes go into xenstore in one transaction; dom0's
 *           backend probes the device (InitWait) and the guest's frontend bus sees it
 *           and connects (engine/guest/xenbus-frontend.ts followFrontendBus).
 *   detach  libxl__initiate_device_generic_remove: a backend that is Connected gets
 *           online = 0 and state = Closing (5); the frontend closes, the backend follows
 *           to Closed (6), and only then are the frontend and backend directories
 *           removed (libxl__device_destroy). A backend not Connected (the guest never
 *           connected it) or `-f` (libxl_device_disk_destroy) removes them at once. No
 *           Closed within LIBXL_DESTROY_TIMEOUT (10 s) is a timeout, the device left.
 *
 * The domain's libxl JSON (what `xl list -l` prints, kept with the domain) follows the
 * device list, as libxl's userdata does; the domain's xl.cfg file does not: xl never
 * rewrites a config file, so a domain created again from its file comes back without
 * the hot-plugged devices, as it does on Xen.
 */
import { diskDevNumber } from './config/device-number';
import { parseDiskSpecs, type LibxlDiskJson } from './config/disk-spec';
import { parseMac, parseVifSpec, type LibxlNicJson } from './config/vif-spec';
import { devicesForLayout } from './domain-devices';
import type { HostXenstore } from './host-xenstore';
import { ToolstackError } from './toolstack-error';
import type { DomainBuildInfoJson } from './types';
import { deviceLayout, XenbusState } from '../xenstore/layout';

/** LIBXL_DESTROY_TIMEOUT: how long libxl waits for a backend to reach Closed. */
export const LIBXL_DESTROY_TIMEOUT_MS = 10_000;

export interface HotplugHostView {
  readonly xenstore: HostXenstore;
  /** The domain's libxl JSON (undefined: not made by this toolstack). */
  buildInfoOf(domid: number): DomainBuildInfoJson | undefined;
  setBuildInfo(domid: number, b: DomainBuildInfoJson): void;
  uuidOf(domid: number): string;
  /** libxl__device_disk_set_backend for a new disk (disk-set-backend.ts): throws when dom0 lacks its target. */
  checkDisk?(disk: LibxlDiskJson): void;
}

function requireBuildInfo(h: HotplugHostView, domid: number): DomainBuildInfoJson {
  const b = h.buildInfoOf(domid);
  if (!b) throw new ToolstackError('EINVAL', `Domain ${domid} was not created by this toolstack: its devices are not managed here`, 'Attach devices to guests XenDeck created');
  return b;
}

const bePath = (kind: 'vbd' | 'vif', backend: number, domid: number, devid: number): string => `/local/domain/${backend}/backend/${kind}/${domid}/${devid}`;
const fePath = (kind: 'vbd' | 'vif', domid: number, devid: number): string => `/local/domain/${domid}/device/${kind}/${devid}`;

/** `xl block-attach DOMAIN SPEC...`: the disk added; its JSON returned. */
export function attachDisk(h: HotplugHostView, domid: number, specs: readonly string[]): LibxlDiskJson {
  const b = requireBuildInfo(h, domid);
  const parsed = parseDiskSpecs(specs);
  if (parsed.errors.length > 0) throw new ToolstackError('ECONFIG', `command line: ${parsed.errors[0]!}`);
  const disk = parsed.disk;
  const devid = diskDevNumber(disk.vdev ?? '');
  if (devid === undefined) throw new ToolstackError('EINVAL', `Invalid or unsupported virtual disk identifier ${disk.vdev ?? ''}`, 'vdev is xvdX, hdX, sdX or dNpN (xen-vbd-interface(7))');
  if ((b.disks ?? []).some((d) => diskDevNumber(d.vdev ?? '') === devid)) {
    throw new ToolstackError('EEXIST', 'device already exists in xenstore', `${disk.vdev} is in use by domain ${domid}`);
  }
  const next: DomainBuildInfoJson = { ...b, disks: [...(b.disks ?? []), disk] };
  h.checkDisk?.(disk);
  const spec = devicesForLayout(next, h.uuidOf(domid)).disks.find((d) => d.devid === devid)!;
  h.xenstore.deviceAdded(domid, deviceLayout(domid, { disk: spec }));
  h.setBuildInfo(domid, next);
  return disk;
}

/** `xl network-attach DOMAIN [KEY=VALUE...]`: the vif added with the next free devid; its JSON returned. */
export function attachNic(h: HotplugHostView, domid: number, args: readonly string[]): { nic: LibxlNicJson; warnings: string[] } {
  const b = requireBuildInfo(h, domid);
  const r = parseVifSpec(args.join(','), -1);
  if (r.error) throw new ToolstackError('ECONFIG', r.error);
  const nics = b.nics ?? [];
  const devid = r.nic.devid >= 0 ? r.nic.devid : nics.reduce((m, n) => Math.max(m, n.devid + 1), 0);
  if (nics.some((n) => n.devid === devid)) throw new ToolstackError('EEXIST', 'device already exists in xenstore', `vif devid ${devid} is in use by domain ${domid}`);
  const withId: LibxlNicJson = { ...r.nic, devid };
  const draft: DomainBuildInfoJson = { ...b, nics: [...nics, withId] };
  const spec = devicesForLayout(draft, h.uuidOf(domid)).nics.find((n) => n.devid === devid)!;
  // libxl keeps the mac it made up in the domain's config, so it stays the same
  const nic: LibxlNicJson = { ...withId, mac: spec.mac };
  h.xenstore.deviceAdded(domid, deviceLayout(domid, { nic: spec }));
  h.setBuildInfo(domid, { ...b, nics: [...nics, nic] });
  return { nic, warnings: r.warnings };
}

/** libxl_vdev_to_device_disk: the disk with that vdev (a name, or its device number). */
export function findDisk(h: HotplugHostView, domid: number, vdev: string): LibxlDiskJson | undefined {
  const want = /^\d+$/.test(vdev) ? Number(vdev) : diskDevNumber(vdev);
  if (want === undefined) return undefined;
  return (h.buildInfoOf(domid)?.disks ?? []).find((d) => diskDevNumber(d.vdev ?? '') === want);
}

/** libxl_devid_to_device_nic / libxl_mac_to_device_nic: by devid (atoi, as xl) or by mac when it has a ':'. */
export function findNic(h: HotplugHostView, domid: number, dev: string): LibxlNicJson | undefined {
  const b = h.buildInfoOf(domid);
  if (!b) return undefined;
  const uuid = h.uuidOf(domid);
  const layout = devicesForLayout(b, uuid).nics;
  if (dev.includes(':')) {
    const mac = parseMac(dev);
    const hit = layout.find((n) => n.mac === mac);
    return hit && (b.nics ?? []).find((n) => n.devid === hit.devid);
  }
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(dev);
  const devid = m ? Number.parseInt(m[1]!, 10) : 0;
  return (b.nics ?? []).find((n) => n.devid === devid);
}

async function waitForBackendState(xs: HostXenstore, be: string, want: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [v] = await xs.readLive([`${be}/state`]);
    if (v === undefined || Number(v) === want) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The generic removal of one device (see above); `force` skips the handshake. */
async function removeDevice(h: HotplugHostView, domid: number, kind: 'vbd' | 'vif', devid: number, force: boolean, timeoutMs: number): Promise<void> {
  const be = bePath(kind, 0, domid, devid);
  const fe = fePath(kind, domid, devid);
  const [state] = await h.xenstore.readLive([`${be}/state`]);
  if (!force && Number(state) === XenbusState.Connected) {
    h.xenstore.write({ [`${be}/online`]: '0', [`${be}/state`]: String(XenbusState.Closing) });
    if (!(await waitForBackendState(h.xenstore, be, XenbusState.Closed, timeoutMs))) {
      throw new ToolstackError('ETIMEDOUT', `timed out waiting for the backend ${be} to close`, `the guest did not release the device within ${timeoutMs / 1000} s; detach with -f to remove it anyway`);
    }
  }
  await h.xenstore.deviceRemoved(domid, [fe, be]);
}

/** `xl block-detach [-f] DOMAIN VDEV`. */
export async function detachDisk(h: HotplugHostView, domid: number, vdev: string, opts: { force?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const disk = findDisk(h, domid, vdev);
  if (!disk) throw new ToolstackError('ENOENT', `Error: Device ${vdev} not connected.`);
  const devid = diskDevNumber(disk.vdev ?? '')!;
  await removeDevice(h, domid, 'vbd', devid, opts.force ?? false, opts.timeoutMs ?? LIBXL_DESTROY_TIMEOUT_MS);
  const b = h.buildInfoOf(domid);
  if (b) h.setBuildInfo(domid, { ...b, disks: (b.disks ?? []).filter((d) => d !== disk) });
}

/** `xl network-detach DOMAIN DEVID|MAC`. */
export async function detachNic(h: HotplugHostView, domid: number, dev: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  const nic = findNic(h, domid, dev);
  if (!nic) throw new ToolstackError('ENOENT', `Unknown device ${dev}.`);
  await removeDevice(h, domid, 'vif', nic.devid, false, opts.timeoutMs ?? LIBXL_DESTROY_TIMEOUT_MS);
  const b = h.buildInfoOf(domid);
  if (b) h.setBuildInfo(domid, { ...b, nics: (b.nics ?? []).filter((n) => n.devid !== nic.devid) });
}
