/**
 * The guest's PV frontends coming up through the xenbus handshake
 * (xen/include/public/io/xenbus.h, blkif.h, netif.h; Linux drivers/xen/xenbus,
 * drivers/block/xen-blkfront.c, drivers/net/xen-netfront.c), over the guest's own
 * xenstore connection:
 *
 *   xenbus_probe lists device/vbd and device/vif; each device's `backend` node names the
 *   backend directory. A frontend left Connected by a previous kernel (kexec) is reset
 *   first (xenbus_reset_state: Closing, Closed, then Initialising, each after the
 *   backend follows). Then:
 *   blkfront  waits for the backend's InitWait (2), writes ring-ref, event-channel,
 *             protocol and feature-persistent, switches to Initialised (3); when the
 *             backend is Connected (4) it reads sectors / sector-size / info and the
 *             features, prints "blkfront: xvda: flush diskcache: ...", the partition
 *             line, and switches to Connected (4).
 *   netfront  waits for InitWait, writes tx-ring-ref, rx-ring-ref, event-channel,
 *             request-rx-copy and its features, and goes straight to Connected (4)
 *             (xennet_connect); it reports the backend's XDP headroom support.
 *
 * Ring references and event channels are the numbers a guest would grant and allocate
 * (the grant table's first free entries from 8, ports from 3 after store and console);
 * no ring is mapped, the simulated devices carry no I/O yet.
 */
import type { XsClient } from '../xenstore/client';
import { XenbusState } from '../xenstore/layout';
import { listOr, readOr, XenbusWatches } from './xenbus-watch';

/** blkif.h's protocol name for a 64-bit x86 frontend (XEN_IO_PROTO_ABI_X86_64). */
const PROTO_X86_64 = 'x86_64-abi';

export interface FrontendHost {
  /** printk from the frontend drivers. */
  log(line: string): void;
}

export interface FrontendResult {
  kind: 'vbd' | 'vif';
  devid: number;
  /** xvda, or enX0 for a vif. */
  name: string;
  /** A vbd's size in 512-byte sectors and whether it is read-only (VDISK_READONLY in info). */
  sectors?: number;
  readonly?: boolean;
}

const n = (s: string | undefined): number => Number(s ?? NaN);

/** Linux's xvd naming from a virtual-device number (xen-blkfront.c xlbd_*): 202:N*16. */
export function vbdName(vdev: number): string {
  // xvd style: major 202, minor = index * 16
  if (vdev & (1 << 28)) return `xvd${letters((vdev >> 8) & 0xfffff)}`; // extended (xvde and beyond)
  const major = vdev >> 8;
  const minor = vdev & 0xff;
  if (major === 202) return `xvd${letters(minor >> 4)}`;
  if (major === 3) return `xvd${letters(minor >> 6)}`; // hda..: emulated IDE names map to xvd
  if (major === 8) return `xvd${letters(minor >> 4)}`; // sda..
  return `xvd${letters(0)}`;
}

function letters(i: number): string {
  let s = '';
  let k = i;
  do {
    s = String.fromCharCode(97 + (k % 26)) + s;
    k = Math.floor(k / 26) - 1;
  } while (k >= 0);
  return s;
}

/** The grant references and event channel ports the frontends take, in the order they come up. */
class FrontendRefs {
  grant = 8;
  port = 3;
}

/** xenbus_probe: every frontend of the domain up; resolves when all are Connected (or failed). */
export async function probeFrontends(xs: XsClient, host: FrontendHost, refs = new FrontendRefs()): Promise<FrontendResult[]> {
  const w = new XenbusWatches(xs);
  const vbds = (await listOr(xs, 'device/vbd')).map(Number).sort((a, b) => a - b);
  const vifs = (await listOr(xs, 'device/vif')).map(Number).sort((a, b) => a - b);
  const results: FrontendResult[] = [];
  const jobs: Promise<void>[] = [];
  for (const devid of vbds) jobs.push(connectOne(xs, w, 'vbd', devid, refs, host).then((r) => void (r && results.push(r))));
  for (const devid of vifs) jobs.push(connectOne(xs, w, 'vif', devid, refs, host).then((r) => void (r && results.push(r))));
  await Promise.all(jobs);
  return results.sort((a, b) => (a.kind === b.kind ? a.devid - b.devid : a.kind === 'vbd' ? -1 : 1));
}

function connectOne(xs: XsClient, w: XenbusWatches, kind: 'vbd' | 'vif', devid: number, refs: FrontendRefs, host: FrontendHost): Promise<FrontendResult | undefined> {
  if (kind === 'vbd') return blkfront(xs, w, devid, { ring: refs.grant++, evtchn: refs.port++ }, host);
  return netfront(xs, w, devid, { tx: refs.grant++, rx: refs.grant++, evtchn: refs.port++ }, host);
}

export interface HotplugHost extends FrontendHost {
  /** A device the toolstack attached came up (xenbus handshake done). */
  attached(r: FrontendResult): void;
  /** A device went away (the backend closed it, the toolstack removed its nodes). */
  detached(kind: 'vbd' | 'vif', devid: number): void;
}

/**
 * The frontend bus after boot (drivers/xen/xenbus/xenbus_probe_frontend.c watches
 * "device"): a new device/<kind>/<devid> with a backend is probed and connected as at
 * boot (`xl block-attach` / `network-attach`); a connected device whose backend goes to
 * Closing is closed (blkfront_closing / netback_changed → xenbus_frontend_closed:
 * the frontend switches to Closed) so the toolstack can remove it (`xl block-detach`);
 * its directory gone, the device is forgotten. `known` holds the devices probed at boot.
 * Returns the stop function (unwatch).
 */
export async function followFrontendBus(xs: XsClient, host: HotplugHost, known: readonly FrontendResult[]): Promise<() => Promise<void>> {
  const w = new XenbusWatches(xs);
  const refs = new FrontendRefs();
  refs.grant += known.reduce((a, r) => a + (r.kind === 'vbd' ? 1 : 2), 0);
  refs.port += known.length;
  const devices = new Map<string, (() => Promise<void>) | undefined>();
  const watchBackend = async (kind: 'vbd' | 'vif', devid: number): Promise<void> => {
    const fe = `device/${kind}/${devid}`;
    const be = await readOr(xs, `${fe}/backend`);
    if (be === undefined) return;
    let closing = false;
    const stop = await w.watch(`${be}/state`, () => {
      void readOr(xs, `${be}/state`).then(async (v) => {
        if (closing || n(v) !== XenbusState.Closing) return;
        closing = true;
        if ((await readOr(xs, `${fe}/state`)) !== undefined) await xs.write(`${fe}/state`, String(XenbusState.Closed)).catch(() => undefined);
      });
    });
    devices.set(`${kind}/${devid}`, stop);
  };
  for (const r of known) await watchBackend(r.kind, r.devid);
  const changed = async (path: string): Promise<void> => {
    const m = /(?:^|\/)device\/(vbd|vif)\/(\d+)(?:\/|$)/.exec(path);
    if (!m) return;
    const kind = m[1] as 'vbd' | 'vif';
    const devid = Number(m[2]);
    const key = `${kind}/${devid}`;
    const present = (await readOr(xs, `device/${kind}/${devid}/backend`)) !== undefined;
    if (devices.has(key) && !present) {
      const stop = devices.get(key);
      devices.delete(key);
      await stop?.();
      host.detached(kind, devid);
    } else if (!devices.has(key) && present && n(await readOr(xs, `device/${kind}/${devid}/state`)) === XenbusState.Initialising) {
      devices.set(key, undefined);
      const r = await connectOne(xs, w, kind, devid, refs, host);
      if (r) {
        host.attached(r);
        await watchBackend(kind, devid);
      }
    }
  };
  let queue: Promise<void> = Promise.resolve();
  return w.watch('device', (p) => {
    // one event at a time, as the xenwatch thread
    queue = queue.then(() => changed(p)).catch((e: unknown) => host.log(`xenbus: ${e instanceof Error ? e.message : String(e)}`));
  });
}

/** xenbus_reset_state for one device a previous kernel left connected. */
async function resetIfConnected(xs: XsClient, w: XenbusWatches, fe: string, be: string): Promise<void> {
  const state = n(await readOr(xs, `${fe}/state`));
  if (!(state > XenbusState.Initialising)) return;
  await xs.write(`${fe}/state`, String(XenbusState.Closing));
  await w.until(`${be}/state`, (v) => n(v) >= XenbusState.Closing);
  await xs.write(`${fe}/state`, String(XenbusState.Closed));
  await w.until(`${be}/state`, (v) => n(v) === XenbusState.Closed);
  await xs.write(`${fe}/state`, String(XenbusState.Initialising));
}

async function blkfront(xs: XsClient, w: XenbusWatches, devid: number, refs: { ring: number; evtchn: number }, host: FrontendHost): Promise<FrontendResult | undefined> {
  const fe = `device/vbd/${devid}`;
  const be = await readOr(xs, `${fe}/backend`);
  if (be === undefined) return undefined;
  await resetIfConnected(xs, w, fe, be);
  const vdev = n(await readOr(xs, `${fe}/virtual-device`));
  const name = vbdName(Number.isFinite(vdev) ? vdev : devid);
  // blkback's InitWait; if the hotplug script failed instead, blkback never comes: the
  // device stays unattached (at boot, wait_for_devices times out on it) and the bus goes on
  if (!(await backendReady(xs, w, be))) return undefined;
  // talk_to_blkback: the ring in one transaction
  const tx = await xs.transactionStart();
  await xs.write(`${fe}/ring-ref`, String(refs.ring), tx);
  await xs.write(`${fe}/event-channel`, String(refs.evtchn), tx);
  await xs.write(`${fe}/protocol`, PROTO_X86_64, tx);
  await xs.write(`${fe}/feature-persistent`, '1', tx);
  await xs.transactionEnd(tx, true);
  await xs.write(`${fe}/state`, String(XenbusState.Initialised));
  await w.until(`${be}/state`, (v) => n(v) === XenbusState.Connected);
  // blkfront_connect: the disk's geometry and features from the backend
  const sectors = n(await readOr(xs, `${be}/sectors`));
  const readonly = (n(await readOr(xs, `${be}/info`)) & 4) !== 0; // VDISK_READONLY
  const flush = (await readOr(xs, `${be}/feature-flush-cache`)) === '1';
  const persistent = (await readOr(xs, `${be}/feature-persistent`)) === '1';
  const indirect = n(await readOr(xs, `${be}/feature-max-indirect-segments`)) > 0;
  const on = (b: boolean): string => (b ? 'enabled' : 'disabled');
  host.log(`blkfront: ${name}: flush diskcache: ${on(flush)}; persistent grants: ${on(persistent)}; indirect descriptors: ${on(indirect)}; bounce buffer: enabled`);
  if (Number.isFinite(sectors)) host.log(` ${name}: ${name}1`);
  await xs.write(`${fe}/state`, String(XenbusState.Connected));
  return { kind: 'vbd', devid, name, ...(Number.isFinite(sectors) ? { sectors } : {}), readonly };
}

async function netfront(xs: XsClient, w: XenbusWatches, devid: number, refs: { tx: number; rx: number; evtchn: number }, host: FrontendHost): Promise<FrontendResult | undefined> {
  const fe = `device/vif/${devid}`;
  const be = await readOr(xs, `${fe}/backend`);
  if (be === undefined) return undefined;
  await resetIfConnected(xs, w, fe, be);
  await w.until(`${be}/state`, (v) => n(v) === XenbusState.InitWait);
  const tx = await xs.transactionStart();
  for (const [k, v] of [
    ['tx-ring-ref', String(refs.tx)],
    ['rx-ring-ref', String(refs.rx)],
    ['event-channel', String(refs.evtchn)],
    ['request-rx-copy', '1'],
    ['feature-rx-notify', '1'],
    ['feature-sg', '1'],
    ['feature-gso-tcpv4', '1'],
    ['feature-gso-tcpv6', '1'],
    ['feature-ipv6-csum-offload', '1'],
  ] as const) {
    await xs.write(`${fe}/${k}`, v, tx);
  }
  await xs.transactionEnd(tx, true);
  if ((await readOr(xs, `${be}/feature-xdp-headroom`)) === '1') host.log('xen_netfront: backend supports XDP headroom');
  await xs.write(`${fe}/state`, String(XenbusState.Connected));
  await w.until(`${be}/state`, (v) => n(v) === XenbusState.Connected);
  host.log(`vif vif-${devid} enX${devid}: renamed from eth${devid}`);
  return { kind: 'vif', devid, name: `enX${devid}` };
}

/**
 * Frontends not Connected yet, with their state and their backend's (XenbusStateUnknown
 * 0 when unreadable), and whether the backend's hotplug script failed (it never connects).
 */
export async function stuckDevices(xs: XsClient): Promise<{ node: string; local: number; remote: number; hotplugError: boolean }[]> {
  const out: { node: string; local: number; remote: number; hotplugError: boolean }[] = [];
  for (const kind of ['vbd', 'vif']) {
    for (const devid of (await listOr(xs, `device/${kind}`)).map(Number).sort((a, b) => a - b)) {
      const fe = `device/${kind}/${devid}`;
      const local = n(await readOr(xs, `${fe}/state`));
      if (local === XenbusState.Connected) continue;
      const be = await readOr(xs, `${fe}/backend`);
      const remote = be === undefined ? NaN : n(await readOr(xs, `${be}/state`));
      const hotplugError = be !== undefined && (await readOr(xs, `${be}/hotplug-status`)) === 'error';
      out.push({ node: fe, local: Number.isFinite(local) ? local : 0, remote: Number.isFinite(remote) ? remote : 0, hotplugError });
    }
  }
  return out;
}

/** Resolves true once the backend is in InitWait (or later), false if its hotplug script failed. */
async function backendReady(xs: XsClient, w: XenbusWatches, be: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let done = false;
    let stop: (() => Promise<void>) | undefined;
    const check = (): void => {
      if (done) return;
      void Promise.all([readOr(xs, `${be}/state`), readOr(xs, `${be}/hotplug-status`)]).then(([state, hotplug]) => {
        if (done) return;
        const ready = n(state) === XenbusState.InitWait;
        if (!ready && hotplug !== 'error') return;
        done = true;
        void stop?.();
        resolve(ready);
      });
    };
    w.watch(be, check).then((s) => {
      stop = s;
      if (done) void s();
    }, reject);
  });
}
