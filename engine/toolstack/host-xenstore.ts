/**
 * The embedded host's xenstore, as libxl uses one: dom0 requests over a xenstore
 * connection to our xenstored (engine/xenstore). The daemon runs either as its own
 * process behind a unix socket (the console's hosts: main/services/host-xenstored.ts) or
 * in this process (unit tests, xl's lab replay); both are reached through the same
 * XsClient and the wire protocol, so there is one toolstack path.
 *
 * Creating a domain writes Xen's standard layout (/local/domain/N, /vm/<uuid>, backends,
 * XenbusState fields) and introduces it (@introduceDomain); destroying it removes the
 * layout (@releaseDomain). dom0's own nodes are written at boot, as xen-init-dom0 does.
 * The console reads it with `list`.
 *
 * The engine calls domainCreated / domainDestroyed synchronously; their requests go out
 * in that order on one connection (one operation at a time), so the store sees the
 * toolstack's writes in the order the engine made them. If the connection drops (the
 * xenstored process died and was restarted from its state directory), the operation in
 * flight is sent again on a new connection: every operation is idempotent (the layout
 * is rewritten whole in one transaction; removal skips what is gone).
 *
 * Layouts queued back to back (a mass create, hot-plugs) of up to LAYOUT_WINDOW distinct
 * domains go out together as one transaction (a group commit), then their INTRODUCEs
 * pipelined: one transaction's round trips for many domains instead of one each. They
 * are not sent as concurrent transactions because every layout adds a child to the same
 * parents (/local/domain, /vm, /libxl, backend/vbd/0, backend/vif/0): xenstored's
 * conflict check compares each accessed node's generation (tools/xenstored/transaction.c,
 * our engine/xenstore/transaction.ts), so all but one of concurrent layouts would end in
 * EAGAIN and be sent again. A group still comes after everything queued before it and
 * before everything queued after it, so each domain's operations keep their order and an
 * operation that is not a layout (removal, writes, reads) waits for all before it.
 *
 * The engine also reads a few of its own nodes synchronously (memory/target for a domain's
 * summary, cpu/N/availability for the guest's vCPU hotplug). Those are nodes only dom0
 * writes (their permissions are [n0, rN]), so `read` answers from the values this
 * toolstack wrote, kept in write order as it queues them: the same answer the daemon gives
 * once the queue has drained, without a round trip. Of a new domain's layout and of a
 * hot-plugged device only those read-back nodes are kept (READ_BACK): the rest (about 50
 * nodes a domain, some 5 KiB of paths and values) lives in xenstored, and 10,000 domains
 * kept a copy of it here for nothing; nodes written with `write` are all kept.
 *
 * Start time is the host's simulated clock, so the store stays deterministic.
 */
import { XsClient } from '../xenstore/client';
import { XsError } from '../xenstore/errors';
import { inTransaction } from '../xenstore/client-transaction';
import { XenstoreDaemon } from '../xenstore/daemon';
import { applyLayout, domainLayout, removeDomainLayout, type DiskSpec, type DomainLayoutSpec, type LayoutOp, type NicSpec } from '../xenstore/layout';
import type { DomainBuildInfoJson } from './types';

export interface XenstoreNode {
  path: string;
  value: string;
  /** As xenstore-ls -p prints them: n0,r3 ... */
  perms: string[];
  children: number;
}

/** One listing level: the node itself and its children (not their subtrees). */
export interface XenstoreListing {
  node: XenstoreNode;
  children: XenstoreNode[];
}

/** Opens dom0's connection to the host's xenstored (again after it was lost). */
export type XenstoreConnector = () => Promise<XsClient>;

/**
 * The xenstore event channel and ring page of every domain (fixed, as the simulated
 * domain has no real grant or event channel tables yet).
 */
const STORE_PORT = 1;
const STORE_RING_REF = 0xfeffc;

/**
 * The nodes of a domain's layout the engine reads back with `read`: memory/target and
 * memory/static-max (libxl_domain_setmaxmem, the balloon target in a domain's summary) and
 * cpu/N/availability (vCPU hotplug, as libxl__set_vcpuonline_xenstore writes it).
 */
const READ_BACK = /^\/local\/domain\/\d+\/(?:memory\/(?:target|static-max)|cpu\/\d+\/availability)$/;

/** How many times an operation is sent again on a new connection before it fails. */
const RECONNECTS = 5;

/** At most this many domains' layouts are written in one transaction (see above). */
export const LAYOUT_WINDOW = 16;

/** A domain's layout (or hot-plugged device) waiting to be written, and what follows its commit. */
interface QueuedLayout {
  domid: number;
  steps: readonly LayoutOp[];
  /** Sent once the transaction committed (INTRODUCE of a new domain). */
  then?: (xs: XsClient) => Promise<void>;
  what: string;
}

export class HostXenstore {
  /** The daemon, when it runs in this process. */
  readonly daemon: XenstoreDaemon | undefined;
  /** Where an administrator's tools reach it (XENSTORED_PATH), when it is a process. */
  readonly socketPath: string | undefined;
  private readonly connector: XenstoreConnector;
  private client: Promise<XsClient> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** The group of layouts queued last and not yet sent, which more layouts may join. */
  private openGroup: QueuedLayout[] | undefined;
  private closed = false;
  /** The values of the nodes this toolstack wrote (see above), and which belong to which domain. */
  private readonly written = new Map<string, string>();
  private readonly domainNodes = new Map<number, string[]>();
  /** dom0's reconnecting connections handed out (backends, watches), closed with the host. */
  private readonly dom0Clients = new Set<XsClient>();
  /** Failures of the operations nobody awaits (domainCreated / domainDestroyed). */
  onError: (message: string) => void = () => {};

  constructor(opts: { connector?: XenstoreConnector; socketPath?: string } = {}) {
    if (opts.connector) {
      this.daemon = undefined;
      this.connector = opts.connector;
    } else {
      const daemon = new XenstoreDaemon();
      this.daemon = daemon;
      this.connector = async () => XsClient.xenbus(daemon, 0);
    }
    this.socketPath = opts.socketPath;
    // dom0's own nodes, as xen-init-dom0 writes them at boot
    this.write({ '/local/domain/0/name': 'Domain-0', '/local/domain/0/domid': '0' });
  }

  domainCreated(d: { domid: number; uuid: string; name: string; startNs: number }, b: DomainBuildInfoJson, devices: { disks: DiskSpec[]; nics: NicSpec[] }): void {
    const spec: DomainLayoutSpec = {
      domid: d.domid,
      name: d.name,
      uuid: d.uuid,
      type: b.c_info.type,
      maxMemKb: b.b_info.max_memkb,
      targetMemKb: b.b_info.target_memkb,
      vcpus: b.b_info.avail_vcpus.length,
      maxVcpus: b.b_info.max_vcpus,
      // the xenstore and console event channels and ring pages (fixed: see STORE_PORT)
      storePort: STORE_PORT,
      storeRingRef: STORE_RING_REF,
      console: { port: 2, ringRef: 0xfeffd },
      disks: devices.disks,
      nics: devices.nics,
      startTime: d.startNs / 1e9,
    };
    const steps = domainLayout(spec);
    this.forgetDomain(d.domid);
    const mine: string[] = [];
    for (const s of steps) {
      if ('rm' in s || !READ_BACK.test(s.path)) continue;
      this.written.set(s.path, s.value);
      mine.push(s.path);
    }
    this.domainNodes.set(d.domid, mine);
    this.queueLayout({
      domid: d.domid,
      steps,
      then: (xs) => xs.introduce(spec.domid, BigInt(spec.storeRingRef), spec.storePort),
      what: `writing the xenstore layout of domain ${d.domid}`,
    });
  }

  /** A hot-plugged device's nodes (libxl__device_*_add), written in one transaction. */
  deviceAdded(domid: number, steps: readonly LayoutOp[]): void {
    for (const st of steps) {
      if ('rm' in st || !READ_BACK.test(st.path)) continue;
      if (!this.written.has(st.path)) this.domainNodes.get(domid)?.push(st.path);
      this.written.set(st.path, st.value);
    }
    this.queueLayout({ domid, steps, what: `adding a device of domain ${domid}` });
  }

  /** libxl__device_destroy: the device's frontend and backend directories removed in one transaction. */
  async deviceRemoved(domid: number, paths: readonly string[]): Promise<void> {
    const mine = this.domainNodes.get(domid);
    for (const p of [...this.written.keys()]) {
      if (!paths.some((d) => p === d || p.startsWith(`${d}/`))) continue;
      this.written.delete(p);
      const at = mine?.indexOf(p) ?? -1;
      if (at >= 0) mine!.splice(at, 1);
    }
    await this.run((xs) =>
      inTransaction(xs, async (t) => {
        for (const d of paths) t.rmIfPresent(d);
      }),
    );
  }

  domainDestroyed(domid: number): void {
    this.forgetDomain(domid);
    this.background(`removing the xenstore layout of domain ${domid}`, (xs) => removeDomainLayout(xs, domid));
  }

  /**
   * Domain `domid`'s xenbus connection (the guest's side: its domid, its permissions,
   * paths relative to its home). It opens once the toolstack's writes queued so far are
   * done, as a real guest only runs once libxl has written its layout and introduced it.
   */
  xenbus(domid: number): XsClient {
    const after = this.settled();
    if (this.daemon !== undefined) return XsClient.xenbus(this.daemon, domid, after);
    if (this.socketPath === undefined) throw new Error('this host xenstore has no socket for guests');
    return XsClient.xenbusOverSocket(this.socketPath, domid, BigInt(STORE_RING_REF), STORE_PORT, after);
  }

  /**
   * A connection of dom0's own, apart from the toolstack's (dom0's backend drivers keep
   * their watches on it): the in-process daemon's, or one to the xenstored process once
   * it serves. Undefined when neither is there. Over the socket it reconnects by itself
   * when the process is killed and restarted, registering its watches again (as Linux's
   * xenbus does), so the backends keep answering new domains.
   */
  dom0Xenbus(): XsClient | undefined {
    if (this.daemon !== undefined) return XsClient.xenbus(this.daemon, 0);
    if (this.socketPath === undefined) return undefined;
    const xs = XsClient.dom0OverSocket(this.socketPath, this.settled(), { reconnect: true });
    // it would reconnect for ever: it goes with the host (close())
    this.dom0Clients.add(xs);
    return xs;
  }

  /**
   * A watch of dom0's on `path` (the GUI's xenstore browser), on a connection of its own
   * (reconnecting over the socket: the watch comes back after a xenstored restart, and
   * fires again then). `fire` gets each event's path; returns the unwatch.
   */
  watch(path: string, fire: (eventPath: string) => void): () => void {
    const xs = this.dom0Xenbus();
    if (xs === undefined) throw new Error('this host xenstore has no connection for watches');
    const token = 'xendeck-browser';
    xs.onWatch((p, t) => {
      if (t === token) fire(p);
    });
    let stopped = false;
    xs.watch(path, token).catch((e: unknown) => {
      if (!stopped) this.onError(`watching ${path}: ${e instanceof Error ? e.message : String(e)}`);
    });
    return () => {
      stopped = true;
      this.dom0Clients.delete(xs);
      xs.close();
    };
  }

  /**
   * libxl__xs_read as dom0 of a node this toolstack writes (see above): its value, or
   * undefined when it does not exist.
   */
  read(path: string): string | undefined {
    return this.written.get(path);
  }

  /**
   * Writes nodes as dom0 in one transaction (libxl's xs_transaction_start / printf /
   * transaction_end, retried on EAGAIN); existing nodes keep their permissions, and the
   * watches on them fire once it commits. Queued in order with the other operations.
   */
  write(nodes: Readonly<Record<string, string>>): void {
    for (const [p, v] of Object.entries(nodes)) {
      if (!this.written.has(p)) {
        const m = /^\/local\/domain\/(\d+)\//.exec(p);
        if (m) this.domainNodes.get(Number(m[1]))?.push(p);
      }
      this.written.set(p, v);
    }
    this.background('writing xenstore nodes', (xs) =>
      inTransaction(xs, (t) => {
        for (const [p, v] of Object.entries(nodes)) t.write(p, v);
      }),
    );
  }

  private forgetDomain(domid: number): void {
    for (const p of this.domainNodes.get(domid) ?? []) this.written.delete(p);
    this.domainNodes.delete(domid);
  }

  /**
   * Reads nodes as dom0 from the store itself (the guest's frontend nodes change without
   * this toolstack): each value, or undefined where the node does not exist.
   */
  async readLive(paths: string[]): Promise<(string | undefined)[]> {
    return this.run((xs) => Promise.all(paths.map((p) => xs.read(p).catch((e: unknown) => (e instanceof XsError && e.code === 'ENOENT' ? undefined : Promise.reject(e))))));
  }

  async list(path: string): Promise<XenstoreListing> {
    return this.run(async (xs) => {
      const node = async (p: string): Promise<XenstoreNode> => {
        const [value, perms, children] = await Promise.all([xs.read(p), xs.getPerms(p), xs.directory(p)]);
        return { path: p, value, perms, children: children.length };
      };
      const [self, names] = await Promise.all([node(path), xs.directory(path)]);
      const children = await Promise.all(names.sort().map((n) => node(path === '/' ? `/${n}` : `${path}/${n}`)));
      return { node: self, children };
    });
  }

  /** Resolves once every operation queued so far has been applied (or failed). */
  async settled(): Promise<void> {
    await this.chain.catch(() => {});
  }

  async close(): Promise<void> {
    await this.settled();
    this.closed = true;
    for (const xs of this.dom0Clients) xs.close();
    this.dom0Clients.clear();
    const c = this.client;
    this.client = undefined;
    if (c) (await c.catch(() => undefined))?.close();
  }

  private background(what: string, op: (xs: XsClient) => Promise<void>): void {
    this.run(op).catch((e: unknown) => this.onError(`${what}: ${e instanceof Error ? e.message : String(e)}`));
  }

  /**
   * Queues a layout: it joins the open group when that has room and no layout of the same
   * domain yet (a domain's second layout, e.g. a hot-plug right after its creation, goes
   * in the next group, after the first one's INTRODUCE), else opens a new group.
   */
  private queueLayout(l: QueuedLayout): void {
    const open = this.openGroup;
    if (open !== undefined && open.length < LAYOUT_WINDOW && !open.some((o) => o.domid === l.domid)) {
      open.push(l);
      return;
    }
    const group = [l];
    this.run(async (xs) => {
      // sent: later layouts open a group of their own (a resend after a reconnect is the same group)
      if (this.openGroup === group) this.openGroup = undefined;
      await this.writeGroup(xs, group);
    }).catch((e: unknown) => this.onError(`${group.map((g) => g.what).join('; ')}: ${e instanceof Error ? e.message : String(e)}`));
    this.openGroup = group;
  }

  /**
   * One transaction with the group's layouts in queue order, then their INTRODUCEs
   * pipelined. If the transaction fails (not a lost connection, which resends the whole
   * group), each layout is written alone so that only the failing domain's is missing
   * and its error names it. Failures are reported here; a lost connection is thrown.
   */
  private async writeGroup(xs: XsClient, group: readonly QueuedLayout[]): Promise<void> {
    let alone = false;
    try {
      await applyLayout(xs, group.length === 1 ? group[0]!.steps : group.flatMap((g) => g.steps));
    } catch (e) {
      if (xs.isClosed || group.length === 1) throw e;
      alone = true;
    }
    const failed = new Set<QueuedLayout>();
    const report = (g: QueuedLayout, e: unknown): void => {
      if (xs.isClosed) throw e;
      failed.add(g);
      this.onError(`${g.what}: ${e instanceof Error ? e.message : String(e)}`);
    };
    if (alone) {
      for (const g of group) await applyLayout(xs, g.steps).catch((e: unknown) => report(g, e));
    }
    await Promise.all(group.filter((g) => g.then !== undefined && !failed.has(g)).map((g) => g.then!(xs).catch((e: unknown) => report(g, e))));
  }

  /** Runs `op` after the operations before it, on a live connection. */
  private run<T>(op: (xs: XsClient) => Promise<T>): Promise<T> {
    // what is queued after this must not join a layout group queued before it
    this.openGroup = undefined;
    const r = this.chain.catch(() => {}).then(() => this.attempt(op, RECONNECTS));
    this.chain = r;
    return r;
  }

  private async attempt<T>(op: (xs: XsClient) => Promise<T>, left: number): Promise<T> {
    if (this.closed) throw new Error('the host xenstore is closed');
    const xs = await this.connection();
    try {
      return await op(xs);
    } catch (e) {
      // The daemon went away under us: the operation is sent again on a new connection.
      if (!xs.isClosed || left === 0) throw e;
      if (this.client !== undefined && (await this.client.catch(() => undefined)) === xs) this.client = undefined;
      return this.attempt(op, left - 1);
    }
  }

  private async connection(): Promise<XsClient> {
    const c = this.client;
    if (c !== undefined) {
      const xs = await c.catch(() => undefined);
      if (xs !== undefined && !xs.isClosed) return xs;
    }
    const next = this.connector();
    this.client = next;
    next.catch(() => {
      if (this.client === next) this.client = undefined;
    });
    return next;
  }
}
