/**
 * The xenstored state shared by all connections: the committed store, the watch table,
 * the introduced domains (INTRODUCE / RELEASE / SET_TARGET / RESUME of
 * docs/misc/xenstore.txt), transaction ids, quotas, and the permissions of the special
 * watch paths. Connections (connection.ts) are created here: a unix-socket client is
 * dom0 and privileged (as C xenstored's socket connections); a guest's xenbus connection
 * carries its domid.
 */
import { XsError } from './errors';
import type { Change } from './ops';
import type { Perm } from './perms';
import type { XsQuota } from './quota';
import { DEFAULT_QUOTA } from './quota';
import { Store } from './store';
import { SPECIAL_INTRODUCE, SPECIAL_RELEASE, WatchTable } from './watches';
import type { ConnectionSink } from './connection';
import { Connection } from './connection';
import type { Persistence } from './persist';

/** First reserved domid (DOMID_FIRST_RESERVED, xen/include/public/xen.h). */
export const DOMID_FIRST_RESERVED = 0x7ff0;

export interface IntroducedDomain {
  readonly domid: number;
  readonly mfn: bigint;
  readonly evtchn: number;
  target?: number;
  /** @releaseDomain already sent for its shutdown (RESUME clears it). */
  shutdownReported: boolean;
}

export interface DaemonOptions {
  quota?: Partial<XsQuota>;
  log?: (line: string) => void;
}

export class XenstoreDaemon {
  readonly store = new Store();
  readonly watches = new WatchTable();
  readonly quota: XsQuota;
  readonly domains = new Map<number, IntroducedDomain>();
  readonly specialPerms = new Map<string, Perm[]>([
    [SPECIAL_INTRODUCE, [{ id: 0, perm: 'n' }]],
    [SPECIAL_RELEASE, [{ id: 0, perm: 'n' }]],
  ]);
  readonly connections = new Set<Connection>();
  private nextTx = 1;
  /** Set by the worker process: CONTROL live-update asks the supervisor for one. */
  requestLiveUpdate: (() => void) | undefined;
  /** Journal and snapshots (persist.ts), when the daemon has a state directory. */
  persistence: Persistence | undefined;
  readonly log: (line: string) => void;

  constructor(opts: DaemonOptions = {}) {
    this.quota = { ...DEFAULT_QUOTA, ...opts.quota };
    this.log = opts.log ?? (() => {});
  }

  /** A new client connection; dom0 is privileged. */
  connect(domid: number, sink: ConnectionSink): Connection {
    const c = new Connection(this, domid, sink, domid === 0);
    this.connections.add(c);
    return c;
  }

  /** Called by a Connection when it goes away. */
  disconnected(c: Connection): void {
    this.connections.delete(c);
    this.watches.removeAll(c);
  }

  /** The id the next transaction will get (snapshots keep ids unique across restarts). */
  peekTxId(): number {
    return this.nextTx;
  }

  restoreCounters(nextTx: number): void {
    if (Number.isInteger(nextTx) && nextTx > 0) this.nextTx = nextTx;
  }

  /** A domain's state (`domid`) or a special path's permissions (no domid) changed (persistence). */
  metaChanged(domid?: number): void {
    this.persistence?.metaChanged(domid);
  }

  allocTxId(): number {
    const id = this.nextTx;
    this.nextTx = this.nextTx >= 0xffffffff ? 1 : this.nextTx + 1;
    return id;
  }

  /** Fires watches for committed changes and hands them to persistence. */
  committed(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    this.persistence?.nodesChanged();
    for (const ch of changes) this.watches.fire(ch.path, ch.recursive, ch.perms);
  }

  targetOf(domid: number): number | undefined {
    return this.domains.get(domid)?.target;
  }

  introduce(domid: number, mfn: bigint, evtchn: number): void {
    if (domid <= 0 || domid >= DOMID_FIRST_RESERVED) throw new XsError('EINVAL', `domid ${domid}`);
    if (this.domains.has(domid)) return;
    this.domains.set(domid, { domid, mfn, evtchn, shutdownReported: false });
    this.metaChanged(domid);
    this.watches.fireSpecial(SPECIAL_INTRODUCE, this.specialPerms.get(SPECIAL_INTRODUCE)!);
  }

  isIntroduced(domid: number): boolean {
    return domid === 0 || this.domains.has(domid);
  }

  /** RELEASE, or the domain died: forget it, drop its connections, fire @releaseDomain. */
  release(domid: number): void {
    if (domid <= 0 || domid >= DOMID_FIRST_RESERVED) throw new XsError('EINVAL', `domid ${domid}`);
    if (!this.domains.delete(domid)) throw new XsError('ENOENT', `domain ${domid} not introduced`);
    this.metaChanged(domid);
    for (const c of [...this.connections]) if (c.domid === domid) c.close();
    this.watches.fireSpecial(SPECIAL_RELEASE, this.specialPerms.get(SPECIAL_RELEASE)!);
  }

  /** The domain shut down or crashed: @releaseDomain once until RESUME. */
  shutdown(domid: number): void {
    const d = this.domains.get(domid);
    if (d === undefined || d.shutdownReported) return;
    d.shutdownReported = true;
    this.metaChanged(domid);
    this.watches.fireSpecial(SPECIAL_RELEASE, this.specialPerms.get(SPECIAL_RELEASE)!);
  }

  resume(domid: number): void {
    const d = this.domains.get(domid);
    if (d === undefined) throw new XsError('ENOENT', `domain ${domid} not introduced`);
    d.shutdownReported = false;
    this.metaChanged(domid);
  }

  setTarget(domid: number, target: number): void {
    const d = this.domains.get(domid);
    if (d === undefined) throw new XsError('ENOENT', `domain ${domid} not introduced`);
    if (!this.isIntroduced(target)) throw new XsError('ENOENT', `domain ${target} not introduced`);
    d.target = target;
    this.metaChanged(domid);
  }

  /** Closes every connection (shutdown / live update). */
  closeAll(): void {
    for (const c of [...this.connections]) c.close();
  }
}
