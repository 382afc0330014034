/**
 * The embedded host's xenstore: our xenstored's daemon (engine/xenstore) run in process,
 * with the nodes libxl writes. Creating a domain writes Xen's standard layout
 * (/local/domain/N, /vm/<uuid>, backends, XenbusState fields) and introduces it
 * (@introduceDomain); destroying it removes the layout (@releaseDomain). dom0's own
 * nodes are written at boot, as xen-init-dom0 does. The console reads it with `list`.
 *
 * Start time is the host's simulated clock, so the store stays deterministic.
 */
import { DEFAULT_QUOTA } from '../xenstore/quota';
import { XenstoreDaemon } from '../xenstore/daemon';
import { inTransaction, removeDomainLayout, writeDomainLayout, type DiskSpec, type NicSpec } from '../xenstore/layout';
import * as ops from '../xenstore/ops';
import { formatPerm } from '../xenstore/perms';
import { Transaction } from '../xenstore/transaction';
import type { DomainBuildInfoJson } from './types';

const DOM0 = { domid: 0, privileged: true, quota: DEFAULT_QUOTA };

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

export class HostXenstore {
  readonly daemon = new XenstoreDaemon();

  constructor() {
    const t = new Transaction(this.daemon.allocTxId(), this.daemon.store);
    for (const [p, v] of [
      ['/local', ''],
      ['/local/domain', ''],
      ['/local/domain/0', ''],
      ['/local/domain/0/name', 'Domain-0'],
      ['/local/domain/0/domid', '0'],
    ] as const) {
      t.events.push(ops.write(t, DOM0, p, Buffer.from(v)));
    }
    this.daemon.committed(t.commit());
  }

  domainCreated(d: { domid: number; uuid: string; name: string; startNs: number }, b: DomainBuildInfoJson, devices: { disks: DiskSpec[]; nics: NicSpec[] }): void {
    writeDomainLayout(this.daemon, {
      domid: d.domid,
      name: d.name,
      uuid: d.uuid,
      type: b.c_info.type,
      maxMemKb: b.b_info.max_memkb,
      targetMemKb: b.b_info.target_memkb,
      vcpus: b.b_info.avail_vcpus.length,
      maxVcpus: b.b_info.max_vcpus,
      // the xenstore and console event channels and ring pages of the domain (fixed, as
      // the simulated domain has no real grant or event channel tables yet)
      storePort: 1,
      storeRingRef: 0xfeffc,
      console: { port: 2, ringRef: 0xfeffd },
      disks: devices.disks,
      nics: devices.nics,
      startTime: d.startNs / 1e9,
    });
  }

  domainDestroyed(domid: number): void {
    removeDomainLayout(this.daemon, domid);
  }

  /** libxl__xs_read as dom0: the node's value, or undefined when it does not exist. */
  read(path: string): string | undefined {
    try {
      return ops.read(this.daemon.store, DOM0, path).toString('latin1');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /**
   * Writes nodes as dom0 in one transaction (libxl's xs_transaction_start / printf /
   * transaction_end, retried on EAGAIN); existing nodes keep their permissions, and the
   * watches on them fire once it commits.
   */
  write(nodes: Readonly<Record<string, string>>): void {
    inTransaction(this.daemon, (t) => {
      for (const [p, v] of Object.entries(nodes)) t.events.push(ops.write(t, DOM0, p, Buffer.from(v, 'latin1')));
    });
  }

  list(path: string): XenstoreListing {
    const node = (p: string): XenstoreNode => ({
      path: p,
      value: ops.read(this.daemon.store, DOM0, p).toString('latin1'),
      perms: ops.getPerms(this.daemon.store, DOM0, p).map(formatPerm),
      children: ops.directory(this.daemon.store, DOM0, p).length,
    });
    const self = node(path);
    const names = ops.directory(this.daemon.store, DOM0, path).sort();
    return { node: self, children: names.map((n) => node(path === '/' ? `/${n}` : `${path}/${n}`)) };
  }
}
