/**
 * Transactions (docs/misc/xenstore.txt TRANSACTION_START/END). The spec describes a copy
 * of the whole database; like C xenstored (tools/xenstored/transaction.c) we keep an
 * overlay of the nodes the transaction touched plus the generation count each had when
 * first accessed. On END(T), if any accessed node has since changed in the committed
 * store (created, modified, removed), the commit fails with EAGAIN and nothing is
 * applied; otherwise the overlay is installed and the transaction's watch events fire.
 */
import { XsError } from './errors';
import type { Perm } from './perms';
import { ownerOf } from './perms';
import type { NodeView, Store, XsNode } from './store';
import type { Change } from './ops';
import { cloneNode, nodeBytes } from './store';


const ABSENT = -1;

export class Transaction implements NodeView {
  /** Generation of each accessed node in the committed store when first seen. */
  private readonly seen = new Map<string, number>();
  /** Nodes this transaction changed: a private copy, or null once removed. */
  private readonly overlay = new Map<string, XsNode | null>();
  /**
   * What the transaction saw of a node it only read, as of its first access: later reads
   * give the same answer even if the node changes meanwhile (xenstore.txt: "reads and
   * writes happen on the copy"; Xen's test-xenstore "ta err" checks it).
   */
  private readonly copies = new Map<string, XsNode | null>();
  private readonly ownerDelta = new Map<number, number>();
  private readonly bytesDelta = new Map<number, number>();
  readonly events: Change[] = [];
  /** Set when the transaction can only end in EAGAIN (e.g. across a live update). */
  doomed = false;

  constructor(
    readonly id: number,
    private readonly store: Store,
    private readonly maxNodes = 0,
  ) {}

  /** Nodes accessed so far (the transaction-nodes quota). */
  get accessed(): number {
    return this.seen.size;
  }

  /** The node as this transaction first saw it (a private copy). */
  private touch(path: string): XsNode | undefined {
    const copy = this.copies.get(path);
    if (copy !== undefined) return copy ?? undefined;
    if (this.maxNodes > 0 && this.seen.size >= this.maxNodes) throw new XsError('ENOSPC', 'transaction nodes quota');
    const base = this.store.get(path);
    this.seen.set(path, base === undefined ? ABSENT : base.generation);
    const mine = base === undefined ? null : cloneNode(base);
    this.copies.set(path, mine);
    return mine ?? undefined;
  }

  get(path: string): XsNode | undefined {
    if (this.overlay.has(path)) return this.overlay.get(path) ?? undefined;
    return this.touch(path);
  }

  mutable(path: string): XsNode {
    const cur = this.overlay.get(path);
    if (cur) return cur;
    if (cur === null) throw new Error(`transaction: node ${path} removed`);
    const seen = this.touch(path);
    if (seen === undefined) throw new Error(`transaction: no node ${path}`);
    this.copies.delete(path);
    this.overlay.set(path, seen);
    return seen;
  }

  create(path: string, node: XsNode): void {
    const old = this.get(path);
    if (old !== undefined) this.delta(path, old, -1);
    this.overlay.set(path, node);
    this.delta(path, node, 1);
  }

  remove(path: string): void {
    const old = this.get(path);
    if (old === undefined) return;
    this.delta(path, old, -1);
    this.overlay.set(path, null);
  }

  setPerms(path: string, perms: Perm[]): void {
    const n = this.mutable(path);
    this.delta(path, n, -1);
    n.perms = perms;
    this.delta(path, n, 1);
  }

  setValue(path: string, value: Buffer): void {
    const n = this.mutable(path);
    this.delta(path, n, -1);
    n.value = value;
    this.delta(path, n, 1);
  }

  ownedBy(domid: number): number {
    return this.store.ownedBy(domid) + (this.ownerDelta.get(domid) ?? 0);
  }

  memoryOf(domid: number): number {
    return this.store.memoryOf(domid) + (this.bytesDelta.get(domid) ?? 0);
  }

  /** Whether the committed store moved under any accessed node. */
  conflicts(): boolean {
    if (this.doomed) return true;
    for (const [path, gen] of this.seen) {
      const base = this.store.get(path);
      if ((base === undefined ? ABSENT : base.generation) !== gen) return true;
    }
    return false;
  }

  /** Installs the overlay into the store, or throws EAGAIN on conflict. */
  commit(): Change[] {
    if (this.conflicts()) throw new XsError('EAGAIN', 'transaction conflict');
    for (const [path, node] of this.overlay) {
      if (node === null) this.store.remove(path);
      else this.store.put(path, node);
    }
    return this.events;
  }

  private delta(path: string, node: XsNode, d: 1 | -1): void {
    const domid = ownerOf(node.perms);
    this.ownerDelta.set(domid, (this.ownerDelta.get(domid) ?? 0) + d);
    this.bytesDelta.set(domid, (this.bytesDelta.get(domid) ?? 0) + d * nodeBytes(path, node));
  }
}
