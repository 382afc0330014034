/**
 * Xen's standard xenstore layout of a domain, as the toolstack writes it when it creates
 * one and removes it when it destroys it (libxl: libxl__domain_make, libxl__build_post,
 * libxl__device_generic_add; the node list matches tools/helpers/init-dom0less.c, which
 * was "retrieved by running xenstore-ls on a corresponding domain started by xl/libxl").
 *
 *   /vm/<uuid>/{name, uuid, start_time}
 *   /local/domain/<domid>/{vm, name, domid, cpu/<n>/availability, memory/{static-max,
 *     target, videoram}, device/suspend/event-channel, control/{shutdown, feature-*,
 *     sysrq, platform-feature-*}, data, drivers, feature, attr, store/{port, ring-ref},
 *     console/{...}, device/<type>/<devid>/...}
 *   /local/domain/<backend>/backend/<type>/<domid>/<devid>/...   (vbd, vif, console)
 *   /libxl/<domid>/{type, dm-version}
 *
 * Permissions as libxl's: the domain's directory and the nodes the guest only reads are
 * [n0, r<domid>]; the nodes the guest writes (data, drivers, feature, attr, error,
 * control/shutdown ...) are owned by the guest [n<domid>]; a device's frontend directory
 * is [n<domid>, r<backend>] and its backend directory [n<backend>, r<domid>]. Devices
 * start in XenbusState Initialising on both ends (xen/include/public/io/xenbus.h). The
 * whole layout is one transaction, then the domain is INTRODUCEd (@introduceDomain).
 *
 * It is written as libxl writes it: dom0 requests over a xenstore connection (the unix
 * socket of a xenstored process, or an in-process connection to the same daemon code),
 * pipelined inside the transaction.
 */
import type { XsClient } from './client';
import { inTransaction } from './client-transaction';
import type { Perm } from './perms';
import { formatPerm } from './perms';
import { domainPath } from './path';

/** enum xenbus_state (xen/include/public/io/xenbus.h). */
export const XenbusState = {
  Unknown: 0,
  Initialising: 1,
  InitWait: 2,
  Initialised: 3,
  Connected: 4,
  Closing: 5,
  Closed: 6,
  Reconfiguring: 7,
  Reconfigured: 8,
} as const;

export interface DiskSpec {
  devid: number;
  /** Guest device name, e.g. xvda. */
  vdev: string;
  /** Backend target (file or device path). */
  target: string;
  /** Backend kind: phy, qdisk ... */
  backendType: string;
  readwrite: boolean;
  cdrom?: boolean;
  backendDomid?: number;
}

export interface NicSpec {
  devid: number;
  mac: string;
  bridge: string;
  script?: string;
  backendDomid?: number;
}

export interface DomainLayoutSpec {
  domid: number;
  name: string;
  uuid: string;
  type: 'pv' | 'pvh' | 'hvm';
  maxMemKb: number;
  targetMemKb: number;
  /** vCPUs online at start; maxVcpus - vcpus more are written offline. */
  vcpus: number;
  maxVcpus?: number;
  storePort: number;
  storeRingRef: bigint | number;
  console?: { port: number; ringRef: number | bigint };
  disks?: DiskSpec[];
  nics?: NicSpec[];
  /** Seconds since the epoch (start_time); default now. */
  startTime?: number;
}

/** One step of a layout: remove a subtree if present, or write a node with its permissions. */
export type LayoutOp = { rm: string } | { path: string; value: string; perms: Perm[] };

function put(t: LayoutOp[], path: string, value: string, perms: Perm[]): void {
  t.push({ path, value, perms });
}

/** Sends layout steps in one dom0 transaction (pipelined), retried on EAGAIN. */
export async function applyLayout(xs: XsClient, steps: readonly LayoutOp[]): Promise<void> {
  await inTransaction(xs, (t) => {
    for (const s of steps) {
      if ('rm' in s) {
        t.rmIfPresent(s.rm);
      } else {
        t.write(s.path, s.value);
        t.setPerms(s.path, s.perms.map(formatPerm));
      }
    }
  });
}

/** Writes the layout of a new domain and introduces it (over dom0's connection `xs`). */
export async function writeDomainLayout(xs: XsClient, spec: DomainLayoutSpec): Promise<void> {
  await applyLayout(xs, domainLayout(spec));
  await xs.introduce(spec.domid, BigInt(spec.storeRingRef), spec.storePort);
}

/** The steps of a new domain's layout (a stale one for the same domid is removed first). */
export function domainLayout(spec: DomainLayoutSpec): LayoutOp[] {
  const { domid } = spec;
  const dom = domainPath(domid);
  const ro: Perm[] = [
    { id: 0, perm: 'n' },
    { id: domid, perm: 'r' },
  ];
  const rw: Perm[] = [{ id: domid, perm: 'n' }];
  const vm = `/vm/${spec.uuid}`;
  const start = spec.startTime ?? Date.now() / 1000;
  const t: LayoutOp[] = [];
  {
    for (const p of [dom, vm, `/libxl/${domid}`]) t.push({ rm: p });
    put(t, vm, '', ro);
    put(t, `${vm}/name`, spec.name, ro);
    put(t, `${vm}/uuid`, spec.uuid, ro);
    put(t, `${vm}/start_time`, start.toFixed(2), ro);

    put(t, dom, '', ro);
    put(t, `${dom}/vm`, vm, ro);
    put(t, `${dom}/name`, spec.name, ro);
    put(t, `${dom}/cpu`, '', ro);
    const max = Math.max(spec.maxVcpus ?? spec.vcpus, spec.vcpus);
    for (let i = 0; i < max; i++) put(t, `${dom}/cpu/${i}/availability`, i < spec.vcpus ? 'online' : 'offline', ro);
    put(t, `${dom}/memory`, '', ro);
    put(t, `${dom}/memory/static-max`, String(spec.maxMemKb), ro);
    put(t, `${dom}/memory/target`, String(spec.targetMemKb), ro);
    put(t, `${dom}/memory/videoram`, '-1', ro);
    put(t, `${dom}/device`, '', ro);
    put(t, `${dom}/device/suspend`, '', ro);
    put(t, `${dom}/device/suspend/event-channel`, '', rw);
    put(t, `${dom}/control`, '', ro);
    put(t, `${dom}/control/shutdown`, '', rw);
    put(t, `${dom}/control/feature-poweroff`, '', rw);
    put(t, `${dom}/control/feature-reboot`, '', rw);
    put(t, `${dom}/control/feature-suspend`, '', rw);
    put(t, `${dom}/control/sysrq`, '', rw);
    put(t, `${dom}/control/platform-feature-multiprocessor-suspend`, '1', ro);
    put(t, `${dom}/control/platform-feature-xs_reset_watches`, '1', ro);
    put(t, `${dom}/domid`, String(domid), ro);
    for (const d of ['data', 'drivers', 'feature', 'attr', 'error']) put(t, `${dom}/${d}`, '', rw);
    put(t, `${dom}/store`, '', ro);
    put(t, `${dom}/store/port`, String(spec.storePort), ro);
    put(t, `${dom}/store/ring-ref`, String(spec.storeRingRef), ro);
    if (spec.console) writeConsole(t, spec, spec.console);
    for (const d of spec.disks ?? []) writeDisk(t, domid, d);
    for (const n of spec.nics ?? []) writeNic(t, domid, n);
    put(t, `/libxl/${domid}/type`, spec.type, [{ id: 0, perm: 'n' }]);
    put(t, `/libxl/${domid}/dm-version`, 'qemu_xen', [{ id: 0, perm: 'n' }]);
  }
  return t;
}

/** A device's frontend and backend directories with their handshake fields. */
function writeDevice(
  t: LayoutOp[],
  domid: number,
  kind: string,
  devid: number,
  backendDomid: number,
  front: Record<string, string>,
  back: Record<string, string>,
): void {
  const fe = `${domainPath(domid)}/device/${kind}/${devid}`;
  const be = `${domainPath(backendDomid)}/backend/${kind}/${domid}/${devid}`;
  const fePerms: Perm[] = [
    { id: domid, perm: 'n' },
    { id: backendDomid, perm: 'r' },
  ];
  const bePerms: Perm[] = [
    { id: backendDomid, perm: 'n' },
    { id: domid, perm: 'r' },
  ];
  put(t, fe, '', fePerms);
  const feFields: Record<string, string> = { backend: be, 'backend-id': String(backendDomid), state: String(XenbusState.Initialising), ...front };
  for (const [k, v] of Object.entries(feFields)) put(t, `${fe}/${k}`, v, fePerms);
  put(t, be, '', bePerms);
  const beFields: Record<string, string> = { frontend: fe, 'frontend-id': String(domid), online: '1', state: String(XenbusState.Initialising), ...back };
  for (const [k, v] of Object.entries(beFields)) put(t, `${be}/${k}`, v, bePerms);
}

/**
 * One device's frontend and backend nodes, as libxl__device_disk_add / libxl__device_nic_add
 * write them when a device is hot-plugged (`xl block-attach`, `xl network-attach`): the
 * same nodes a domain's layout has for it at create.
 */
export function deviceLayout(domid: number, dev: { disk: DiskSpec } | { nic: NicSpec }): LayoutOp[] {
  const t: LayoutOp[] = [];
  if ('disk' in dev) writeDisk(t, domid, dev.disk);
  else writeNic(t, domid, dev.nic);
  return t;
}

function writeDisk(t: LayoutOp[], domid: number, d: DiskSpec): void {
  const deviceType = d.cdrom ? 'cdrom' : 'disk';
  writeDevice(t, domid, 'vbd', d.devid, d.backendDomid ?? 0, { 'virtual-device': String(d.devid), 'device-type': deviceType }, {
    removable: d.cdrom ? '1' : '0',
    bootable: '1',
    dev: d.vdev,
    type: d.backendType,
    mode: d.readwrite ? 'w' : 'r',
    'device-type': deviceType,
    params: d.target,
  });
}

function writeNic(t: LayoutOp[], domid: number, n: NicSpec): void {
  writeDevice(t, domid, 'vif', n.devid, n.backendDomid ?? 0, { handle: String(n.devid), mac: n.mac }, {
    script: n.script ?? '/etc/xen/scripts/vif-bridge',
    mac: n.mac,
    bridge: n.bridge,
    handle: String(n.devid),
    type: 'vif',
  });
}

function writeConsole(t: LayoutOp[], spec: DomainLayoutSpec, c: { port: number; ringRef: number | bigint }): void {
  const { domid } = spec;
  const con = `${domainPath(domid)}/console`;
  const be = `${domainPath(0)}/backend/console/${domid}/0`;
  const ro: Perm[] = [
    { id: 0, perm: 'n' },
    { id: domid, perm: 'r' },
  ];
  const rw: Perm[] = [{ id: domid, perm: 'n' }];
  put(t, con, '', ro);
  for (const [k, v] of Object.entries({
    backend: be,
    'backend-id': '0',
    limit: '1048576',
    type: 'xenconsoled',
    output: 'pty',
    port: String(c.port),
    'ring-ref': String(c.ringRef),
  })) {
    put(t, `${con}/${k}`, v, ro);
  }
  put(t, `${con}/tty`, '', rw);
  put(t, `${con}/state`, String(XenbusState.Initialising), rw);
  const bePerms: Perm[] = [
    { id: 0, perm: 'n' },
    { id: domid, perm: 'r' },
  ];
  put(t, be, '', bePerms);
  for (const [k, v] of Object.entries({ frontend: con, 'frontend-id': String(domid), online: '1', state: String(XenbusState.Initialising), protocol: 'vt100' })) {
    put(t, `${be}/${k}`, v, bePerms);
  }
}

/**
 * Removes a destroyed domain's nodes (its directory, /vm/<uuid>, /libxl/<domid> and the
 * backend directories for it in every backend domain), then releases it
 * (@releaseDomain) if it was introduced.
 */
export async function removeDomainLayout(xs: XsClient, domid: number): Promise<void> {
  const dom = domainPath(domid);
  await inTransaction(xs, async (t) => {
    const vm = await t.read(`${dom}/vm`);
    const paths = [dom, `/libxl/${domid}`];
    if (vm !== undefined && vm.length > 0) paths.push(vm);
    const backends = await Promise.all((await t.directory('/local/domain')).map(async (be) => ({ be, kinds: await t.directory(`/local/domain/${be}/backend`) })));
    for (const { be, kinds } of backends) for (const kind of kinds) paths.push(`/local/domain/${be}/backend/${kind}/${domid}`);
    for (const p of paths) t.rmIfPresent(p);
  });
  if (await xs.isIntroduced(domid)) await xs.release(domid);
}
