/**
 * Dom0's PV backends, the other end of the xenbus handshake (Linux
 * drivers/block/xen-blkback/xenbus.c, drivers/net/xen-netback/xenbus.c, and the hotplug
 * scripts block / vif-bridge that libxl runs), watching dom0's backend/vbd and
 * backend/vif directories over a privileged connection:
 *
 *   a new backend device  the hotplug script writes physical-device (blkback) and
 *                         hotplug-status = connected; the driver writes its features
 *                         and switches to InitWait (2)
 *   frontend Initialised  blkback (connect_ring, then connect) reads ring-ref,
 *     (3) or Connected    event-channel and protocol, writes sectors, sector-size, info,
 *     (4)                 and switches to Connected (4); netback does the same on the
 *                         frontend's Connected, reading tx/rx-ring-ref
 *   frontend Closing (5)  the backend follows to Closing, then Closed (6) with the
 *     / Closed (6)        frontend; a frontend back at Initialising while the backend
 *                         is Closed is a reconnect: InitWait again ("prepare for
 *                         reconnect").
 *
 * Disk size: what dom0 finds behind the vbd's params (../toolstack/block-devices.ts: a
 * file in the lab folder) gives `sectors`; a target that is not there fails the hotplug
 * script (hotplug-status "error", hotplug-error its message, as xen-hotplug-common.sh's
 * fatal writes them) and blkback never leaves Initialising, so the guest's frontend
 * times out. A host without that lookup (a lab kept only in memory, unit tests) gives
 * every vbd the simulated size below (10 GiB in 512-byte sectors).
 */
import type { XsClient } from '../xenstore/client';
import { XenbusState } from '../xenstore/layout';
import { listOr, readOr, XenbusWatches } from './xenbus-watch';
import type { BlockDeviceLookup } from '../toolstack/block-devices';

export const SIMULATED_DISK_SECTORS = (10 * 1024 ** 3) / 512;

type Kind = 'vbd' | 'vif';
const n = (s: string | undefined): number => Number(s ?? NaN);

export class XenBackends {
  private readonly w: XenbusWatches;
  private readonly devices = new Map<string, () => Promise<void>>();
  /** Each vbd's size in sectors, from its hotplug step. */
  private readonly sectors = new Map<string, number>();
  private stops: (() => Promise<void>)[] = [];
  private queue: Promise<void> = Promise.resolve();

  /** `backendDomid`: the domain these drivers run in (dom0). */
  constructor(
    private readonly xs: XsClient,
    private readonly backendDomid = 0,
    private readonly log: (line: string) => void = () => {},
    private readonly blockDevice?: BlockDeviceLookup,
  ) {
    this.w = new XenbusWatches(xs);
  }

  /** Watch backend/vbd and backend/vif (xenbus_watch_path on the backend bus). */
  async start(): Promise<void> {
    for (const kind of ['vbd', 'vif'] as const) {
      const dir = `/local/domain/${this.backendDomid}/backend/${kind}`;
      this.stops.push(await this.w.watch(dir, (p) => this.serial(() => this.changed(kind, dir, p))));
    }
  }

  async stop(): Promise<void> {
    for (const s of [...this.stops, ...this.devices.values()]) await s();
    this.stops = [];
    this.devices.clear();
  }

  /** Events are handled one at a time, in the order they came (the xenwatch thread). */
  private serial(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((e: unknown) => this.log(`xen-backend: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** An event under backend/<kind>: only the device it names is looked at (the backend bus's otherend logic). */
  private async changed(kind: Kind, dir: string, path: string): Promise<void> {
    const rest = path.startsWith(`${dir}/`) ? path.slice(dir.length + 1).split('/') : [];
    if (rest.length < 2) return this.scan(kind, dir);
    const be = `${dir}/${rest[0]}/${rest[1]}`;
    const known = this.devices.get(be);
    const exists = (await readOr(this.xs, `${be}/frontend`)) !== undefined;
    if (known && !exists) {
      this.devices.delete(be);
      await known();
    } else if (!known && exists) await this.probe(kind, be);
  }

  private async scan(kind: Kind, dir: string): Promise<void> {
    const present = new Set<string>();
    for (const domid of await listOr(this.xs, dir)) {
      for (const devid of await listOr(this.xs, `${dir}/${domid}`)) {
        const be = `${dir}/${domid}/${devid}`;
        present.add(be);
        if (!this.devices.has(be)) await this.probe(kind, be);
      }
    }
    // devices whose directory went away (domain destroyed): drop their watches
    for (const [be, stop] of [...this.devices]) {
      if (be.startsWith(`${dir}/`) && !present.has(be)) {
        this.devices.delete(be);
        await stop();
      }
    }
  }

  private async probe(kind: Kind, be: string): Promise<void> {
    const fe = await readOr(this.xs, `${be}/frontend`);
    if (fe === undefined) return;
    this.devices.set(be, async () => {});
    try {
      await this.probeDevice(kind, be, fe);
    } catch (e) {
      // e.g. xenstored died under the probe: forget the device, so the scan that the
      // re-registered watch fires after the reconnect (xenbus_xs.c xs_resume) probes it again
      this.devices.delete(be);
      throw e;
    }
  }

  private async probeDevice(kind: Kind, be: string, fe: string): Promise<void> {
    // the hotplug script, then the driver's probe
    const tx = await this.xs.transactionStart();
    const put = (k: string, v: string): Promise<void> => this.xs.write(`${be}/${k}`, v, tx);
    if (kind === 'vbd') {
      const dev = this.blockDevice?.((await readOr(this.xs, `${be}/params`)) ?? '', (await readOr(this.xs, `${be}/type`)) ?? 'phy');
      if (dev && 'error' in dev) {
        // the block script's fatal: blkback is never told of a physical device
        await put('hotplug-error', dev.error);
        await put('hotplug-status', 'error');
        await this.xs.transactionEnd(tx, true);
        this.log(`/etc/xen/scripts/block add ${be}: ${dev.error}`);
        return;
      }
      this.sectors.set(be, dev ? dev.sectors : SIMULATED_DISK_SECTORS);
      await put('physical-device', 'fe:0');
      await put('feature-flush-cache', '1');
      await put('feature-discard', '0');
      await put('feature-persistent', '1');
      await put('feature-max-indirect-segments', '256');
      await put('max-ring-page-order', '4');
    } else {
      for (const f of ['feature-sg', 'feature-gso-tcpv4', 'feature-gso-tcpv6', 'feature-ipv6-csum-offload', 'feature-rx-copy', 'feature-xdp-headroom', 'feature-multicast-control', 'feature-dynamic-multicast-control']) await put(f, '1');
      await put('feature-rx-flip', '0');
      await put('multi-queue-max-queues', '1');
    }
    await put('hotplug-status', 'connected');
    await this.xs.transactionEnd(tx, true);
    await this.xs.write(`${be}/state`, String(XenbusState.InitWait));
    const stop = await this.w.watch(`${fe}/state`, () => this.serial(() => this.frontendChanged(kind, be, fe)));
    this.devices.set(be, stop);
  }

  /** frontend_changed (blkback) / frontend_changed (netback). */
  private async frontendChanged(kind: Kind, be: string, fe: string): Promise<void> {
    const fstate = n(await readOr(this.xs, `${fe}/state`));
    const bstate = n(await readOr(this.xs, `${be}/state`));
    if (!Number.isFinite(bstate)) return; // the device is gone
    const to = (s: number): Promise<void> => this.xs.write(`${be}/state`, String(s));
    switch (fstate) {
      case XenbusState.Initialising:
        if (bstate === XenbusState.Closed) {
          this.log(`xen-${kind === 'vbd' ? 'blkback' : 'netback'}: ${be}: prepare for reconnect`);
          await to(XenbusState.InitWait);
        }
        return;
      case XenbusState.Initialised:
      case XenbusState.Connected:
        if (bstate === XenbusState.Connected) return;
        if (kind === 'vif' && fstate !== XenbusState.Connected) return; // netback connects on Connected only
        if (!(await this.ringReady(kind, fe))) return;
        if (kind === 'vbd') {
          const tx = await this.xs.transactionStart();
          // vbd_sz: the size of what the hotplug step found
          await this.xs.write(`${be}/sectors`, String(this.sectors.get(be) ?? SIMULATED_DISK_SECTORS), tx);
          await this.xs.write(`${be}/sector-size`, '512', tx);
          await this.xs.write(`${be}/physical-sector-size`, '512', tx);
          await this.xs.write(`${be}/info`, (await readOr(this.xs, `${be}/mode`)) === 'r' ? '4' : '0', tx); // VDISK_READONLY
          await this.xs.transactionEnd(tx, true);
        }
        await to(XenbusState.Connected);
        return;
      case XenbusState.Closing:
        if (bstate !== XenbusState.Closing && bstate !== XenbusState.Closed) await to(XenbusState.Closing);
        return;
      case XenbusState.Closed:
        if (bstate !== XenbusState.Closed) await to(XenbusState.Closed);
        return;
      default:
    }
  }

  /** connect_ring: the frontend's ring references and event channel are there. */
  private async ringReady(kind: Kind, fe: string): Promise<boolean> {
    const keys = kind === 'vbd' ? ['ring-ref', 'event-channel'] : ['tx-ring-ref', 'rx-ring-ref', 'event-channel'];
    for (const k of keys) {
      if ((await readOr(this.xs, `${fe}/${k}`)) === undefined) {
        this.log(`xen-${kind === 'vbd' ? 'blkback' : 'netback'}: reading ${fe}/${k}: No such file or directory`);
        return false;
      }
    }
    return true;
  }
}
