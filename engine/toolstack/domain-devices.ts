/**
 * A domain's virtual block and network devices, from its config to xenstore and back:
 *
 *   - devicesForLayout: what libxl's device_disk_add / device_nic_add write for each
 *     `disk` and `vif` entry (libxl_disk.c, libxl_nic.c): the vbd's devid is the vdev's
 *     device number (xvda = 51712, config/device-number.ts), a vif's is its index; a vif
 *     with no mac gets one (config/nic-mac.ts), no bridge means xenbr0 and no script
 *     vif-bridge (libxl__device_nic_setdefault). The backend is dom0 (or `backend=` when
 *     it names Domain-0); the disk backend type libxl picks is phy for a raw /dev path,
 *     qdisk otherwise (libxl__device_disk_set_backend), both under backend/vbd as the
 *     guest's xenbus handshake expects them.
 *   - readDomainDevices: what libxl_device_disk_getinfo / libxl_device_nic_getinfo read
 *     back for `xl block-list` / `xl network-list`: the frontend's state, event-channel
 *     and ring-ref(s), -1 when absent.
 */
import { diskDevNumber } from './config/device-number';
import { defaultNicMac } from './config/nic-mac';
import type { DiskSpec, NicSpec } from '../xenstore/layout';
import { ToolstackError } from './toolstack-error';
import type { DomainBuildInfoJson, DomainDevices } from './types';

export const DEFAULT_BRIDGE = 'xenbr0';
export const DEFAULT_VIF_SCRIPT = '/etc/xen/scripts/vif-bridge';

export interface LayoutDevices {
  disks: DiskSpec[];
  nics: NicSpec[];
}

export function devicesForLayout(b: DomainBuildInfoJson, uuid: string): LayoutDevices {
  const disks: DiskSpec[] = [];
  const seen = new Map<number, string>();
  for (const d of b.disks ?? []) {
    const vdev = d.vdev ?? '';
    const devid = diskDevNumber(vdev);
    if (devid === undefined) throw new ToolstackError('EINVAL', `Invalid or unsupported virtual disk identifier ${vdev}`, 'vdev is xvdX, hdX, sdX or dNpN (xen-vbd-interface(7))');
    const other = seen.get(devid);
    if (other !== undefined) throw new ToolstackError('EEXIST', `Device ${vdev} is already in use (as ${other}): two disks with the same vdev`);
    seen.set(devid, vdev);
    disks.push({
      devid,
      vdev,
      target: d.pdev_path ?? '',
      backendType: d.backend ?? (d.format === 'raw' && (d.pdev_path ?? '').startsWith('/dev/') ? 'phy' : 'qdisk'),
      readwrite: d.readwrite === 1,
      ...(d.is_cdrom ? { cdrom: true } : {}),
      backendDomid: backendDomid(d.backend_domname),
    });
  }
  const nics: NicSpec[] = (b.nics ?? []).map((n) => ({
    devid: n.devid,
    mac: n.mac ?? defaultNicMac(uuid, n.devid),
    bridge: n.bridge ?? DEFAULT_BRIDGE,
    script: n.script === undefined ? DEFAULT_VIF_SCRIPT : n.script.startsWith('/') ? n.script : `/etc/xen/scripts/${n.script}`,
    backendDomid: backendDomid(n.backend_domname),
  }));
  return { disks, nics };
}

/** The simulated host has one backend domain, dom0: any other name is refused. */
function backendDomid(name: string | undefined): number {
  if (name === undefined || name === 'Domain-0' || name === '0') return 0;
  throw new ToolstackError('ENOSYS', `backend=${name}: driver domains are not implemented in XenDeck; Domain-0 is the only backend`);
}

/** Reads live xenstore nodes; undefined when a node is absent. */
export type XenstoreReader = (paths: string[]) => Promise<(string | undefined)[]>;

const num = (v: string | undefined): number => (v === undefined || !/^\d+$/.test(v) ? -1 : Number(v));

export async function readDomainDevices(domid: number, layout: LayoutDevices, read: XenstoreReader): Promise<DomainDevices> {
  const fe = (kind: string, devid: number): string => `/local/domain/${domid}/device/${kind}/${devid}`;
  const be = (kind: string, backend: number, devid: number): string => `/local/domain/${backend}/backend/${kind}/${domid}/${devid}`;
  const disks = await Promise.all(
    layout.disks.map(async (d) => {
      const [state, evtch, rref] = await read(['state', 'event-channel', 'ring-ref'].map((k) => `${fe('vbd', d.devid)}/${k}`));
      return {
        devid: d.devid,
        vdev: d.vdev,
        target: d.target,
        backendType: d.backendType,
        mode: d.readwrite ? ('w' as const) : ('r' as const),
        cdrom: d.cdrom ?? false,
        backendDomid: d.backendDomid ?? 0,
        state: num(state),
        evtch: num(evtch),
        ringRef: num(rref),
        backendPath: be('vbd', d.backendDomid ?? 0, d.devid),
      };
    }),
  );
  const nics = await Promise.all(
    layout.nics.map(async (n) => {
      const [state, evtch, tx, rx] = await read(['state', 'event-channel', 'tx-ring-ref', 'rx-ring-ref'].map((k) => `${fe('vif', n.devid)}/${k}`));
      return {
        devid: n.devid,
        mac: n.mac,
        bridge: n.bridge,
        backendDomid: n.backendDomid ?? 0,
        state: num(state),
        evtch: num(evtch),
        txRingRef: num(tx),
        rxRingRef: num(rx),
        backendPath: be('vif', n.backendDomid ?? 0, n.devid),
      };
    }),
  );
  return { disks, nics };
}
