// A domain's virtual block and network devices on a real host, read from xenstore the
// way libxl_device_disk_getinfo (tools/libs/light/libxl_disk.c) and
// libxl_device_nic_getinfo (libxl_nic.c) read them for `xl block-list` /
// `xl network-list`: the frontend's directory /local/domain/D/device/{vbd,vif}/DEVID
// (backend, backend-id, state, event-channel, ring-ref or tx-/rx-ring-ref, mac), and
// the backend's (params, type, mode, dev, device-type; bridge, mac). Numbers the guest
// has not written yet are -1, as libxl reports them.
import type { XenstoreNode } from './xenstore-ls';
// the toolstack's own shapes (type-only: nothing of the toolstack is loaded)
import type { DomainDevices } from '../../toolstack/types';

/** The nodes below one directory, by name relative to it (one level of names joined with "/"). */
function below(nodes: readonly XenstoreNode[], dir: string): Map<string, string> {
  const prefix = `${dir}/`;
  return new Map(nodes.filter((n) => n.path.startsWith(prefix)).map((n) => [n.path.slice(prefix.length), n.value]));
}

const num = (v: string | undefined): number => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : -1);

/** The devids of one kind of frontend (vbd, vif) under /local/domain/D/device. */
export function frontendDevids(deviceNodes: readonly XenstoreNode[], domid: number, kind: 'vbd' | 'vif'): number[] {
  const re = new RegExp(`^/local/domain/${domid}/device/${kind}/(\\d+)$`);
  return deviceNodes.flatMap((n) => {
    const m = re.exec(n.path);
    return m ? [Number(m[1])] : [];
  });
}

/** The backend paths the frontends name (to be listed next). */
export function backendPaths(deviceNodes: readonly XenstoreNode[], domid: number): string[] {
  const out: string[] = [];
  for (const kind of ['vbd', 'vif'] as const) {
    for (const devid of frontendDevids(deviceNodes, domid, kind)) {
      const be = below(deviceNodes, `/local/domain/${domid}/device/${kind}/${devid}`).get('backend');
      if (be !== undefined && be.startsWith('/')) out.push(be);
    }
  }
  return out;
}

export function devicesFromXenstore(domid: number, deviceNodes: readonly XenstoreNode[], backendNodes: readonly XenstoreNode[]): DomainDevices {
  const fe = (kind: string, devid: number): Map<string, string> => below(deviceNodes, `/local/domain/${domid}/device/${kind}/${devid}`);
  const disks = frontendDevids(deviceNodes, domid, 'vbd').map((devid) => {
    const f = fe('vbd', devid);
    const backendPath = f.get('backend') ?? '';
    const b = below(backendNodes, backendPath);
    const mode = b.get('mode');
    return {
      devid,
      vdev: b.get('dev') ?? f.get('virtual-device') ?? String(devid),
      target: b.get('params') ?? '',
      backendType: b.get('type') ?? '',
      mode: mode === 'w' ? ('w' as const) : ('r' as const),
      cdrom: (f.get('device-type') ?? b.get('device-type')) === 'cdrom',
      backendDomid: num(f.get('backend-id')),
      state: num(f.get('state')),
      evtch: num(f.get('event-channel')),
      ringRef: num(f.get('ring-ref')),
      backendPath,
    };
  });
  const nics = frontendDevids(deviceNodes, domid, 'vif').map((devid) => {
    const f = fe('vif', devid);
    const backendPath = f.get('backend') ?? '';
    const b = below(backendNodes, backendPath);
    return {
      devid,
      mac: f.get('mac') ?? b.get('mac') ?? '',
      bridge: b.get('bridge') ?? '',
      backendDomid: num(f.get('backend-id')),
      state: num(f.get('state')),
      evtch: num(f.get('event-channel')),
      txRingRef: num(f.get('tx-ring-ref')),
      rxRingRef: num(f.get('rx-ring-ref')),
      backendPath,
    };
  });
  return { disks, nics };
}
