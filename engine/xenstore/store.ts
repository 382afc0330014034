/**
 * The node database (docs/misc/xenstore.txt: "If a particular path exists, all of its
 * parents do too. Every existing path maps to a possibly empty value, and may also have
 * zero or more immediate children"). Each node carries a generation count, bumped on
 * every change, as C xenstored does (tools/xenstored/transaction.c: transactions detect
 * conflicts by comparing generation counts, DIRECTORY_PART returns it). Children are kept
 * in creation order, the order DIRECTORY answers in.
 *
 * `NodeView` is what the operations (ops.ts) work on: the committed store itself, or a
 * transaction's overlay of it (transaction.ts).
 */
import type { Perm } from './perms';
import { ownerOf } from './perms';
import { basename, parentOf } from './path';

export interface XsNode {
  value: Buffer;
  perms: Perm[];
  /** Child leaf names in creation order. */
  children: Set<string>;
  generation: number;
}

export interface NodeView {
  /** The node at an absolute path, read-only. */
  get(path: string): XsNode | undefined;
  /** The node at `path` (which must exist), for modification; its generation moves on. */
  mutable(path: string): XsNode;
  /** Inserts a node; the caller links it into its parent. */
  create(path: string, node: XsNode): void;
  /** Deletes one node entry; the caller unlinks it and its descendants. */
  remove(path: string): void;
  /** Replaces a node's permissions (the node must exist). */
  setPerms(path: string, perms: Perm[]): void;
  /** Nodes owned by `domid` as this view sees them (quota). */
  ownedBy(domid: number): number;
  /** Bytes of the nodes owned by `domid` (nodeBytes; quota-memory). */
  memoryOf(domid: number): number;
  /** Replaces a node's value (the node must exist); its generation moves on. */
  setValue(path: string, value: Buffer): void;
}

/**
 * What a node costs its owner against quota-memory: its name, its data and its
 * permissions (8 bytes each, struct xs_permissions), the parts of a node C xenstored
 * charges to a domain since Xen 4.17 (xenstored_domain.c domain_memory_add); the
 * children's names are charged to the children.
 */
export function nodeBytes(path: string, node: { value: Buffer; perms: readonly Perm[] }): number {
  return path.length + node.value.length + 8 * node.perms.length;
}

/**
 * The bytes of a node's record as Xen 4.17's write_node_raw() (xenstored_core.c) stores it,
 * the size its quota_max_entry_size limits: struct xs_tdb_record_hdr (a uint64 generation
 * and three uint32 counts, 24 bytes with its padding), 8 bytes per permission (struct
 * xs_permissions), the value, and the children's names each with its NUL.
 */
export function recordSize(node: { value: Buffer; perms: readonly Perm[]; children: Iterable<string> }): number {
  let size = 24 + 8 * node.perms.length + node.value.length;
  for (const c of node.children) size += c.length + 1;
  return size;
}

export function newNode(perms: Perm[], value: Buffer = Buffer.alloc(0)): XsNode {
  return { value, perms, children: new Set(), generation: 0 };
}

export function cloneNode(n: XsNode): XsNode {
  return { value: n.value, perms: n.perms, children: new Set(n.children), generation: n.generation };
}

/** The committed database. */
export class Store implements NodeView {
  private readonly nodes = new Map<string, XsNode>();
  private readonly owners = new Map<number, number>();
  private readonly bytes = new Map<number, number>();
  private gen = 0;
  /** Paths changed since the last takeDirty(), when tracking (persistence). */
  private dirty: Set<string> | null = null;

  constructor() {
    // The root, owned by dom0 with no access for others (C xenstored setup_structure()).
    this.create('/', newNode([{ id: 0, perm: 'n' }]));
  }

  get size(): number {
    return this.nodes.size;
  }

  /** The current global generation (the last one handed out). */
  get generation(): number {
    return this.gen;
  }

  nextGeneration(): number {
    return ++this.gen;
  }

  get(path: string): XsNode | undefined {
    return this.nodes.get(path);
  }

  mutable(path: string): XsNode {
    const n = this.nodes.get(path);
    if (n === undefined) throw new Error(`store: no node ${path}`);
    n.generation = ++this.gen;
    this.dirty?.add(path);
    return n;
  }

  create(path: string, node: XsNode): void {
    const old = this.nodes.get(path);
    if (old !== undefined) this.count(path, old, -1);
    node.generation = ++this.gen;
    this.dirty?.add(path);
    this.nodes.set(path, node);
    this.count(path, node, 1);
  }

  remove(path: string): void {
    const old = this.nodes.get(path);
    if (old === undefined) return;
    this.count(path, old, -1);
    this.dirty?.add(path);
    this.nodes.delete(path);
  }

  /** Replaces a node's permissions, keeping owner counts right. */
  setPerms(path: string, perms: Perm[]): void {
    const n = this.mutable(path);
    this.count(path, n, -1);
    n.perms = perms;
    this.count(path, n, 1);
  }

  setValue(path: string, value: Buffer): void {
    const n = this.mutable(path);
    this.count(path, n, -1);
    n.value = value;
    this.count(path, n, 1);
  }

  memoryOf(domid: number): number {
    return this.bytes.get(domid) ?? 0;
  }

  /** Installs a node committed by a transaction (replacing or creating). */
  put(path: string, node: XsNode): void {
    this.create(path, node);
  }

  ownedBy(domid: number): number {
    return this.owners.get(domid) ?? 0;
  }

  /** Starts recording changed paths (for the journal). */
  trackChanges(): void {
    this.dirty ??= new Set();
  }

  /** The paths changed since the last call, in first-change order. */
  takeDirty(): string[] {
    if (this.dirty === null || this.dirty.size === 0) return [];
    const out = [...this.dirty];
    this.dirty.clear();
    return out;
  }

  /**
   * Sets a node's value and permissions as loaded from disk: creates it (linked into its
   * parent, which must exist) or updates it in place.
   */
  restore(path: string, value: Buffer, perms: Perm[]): void {
    const old = this.nodes.get(path);
    if (old !== undefined) {
      this.count(path, old, -1);
      old.value = value;
      old.perms = perms;
      old.generation = ++this.gen;
      this.count(path, old, 1);
      return;
    }
    if (path !== '/') {
      const cut = path.lastIndexOf('/');
      const parent = this.nodes.get(cut <= 0 ? '/' : path.slice(0, cut));
      if (parent === undefined) throw new Error(`store: restoring ${path} without its parent`);
      parent.children.add(path.slice(cut + 1));
    }
    this.create(path, newNode(perms, value));
  }

  /** Removes a node and its subtree as loaded from disk (no-op if absent). */
  restoreRemove(path: string): void {
    const n = this.nodes.get(path);
    if (n === undefined || path === '/') return;
    const stack = [path];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const c = this.nodes.get(p);
      if (c === undefined) continue;
      for (const k of c.children) stack.push(p === '/' ? `/${k}` : `${p}/${k}`);
      this.remove(p);
    }
    this.nodes.get(parentOf(path))?.children.delete(basename(path));
  }

  /**
   * Every node in insertion order, which puts parents before children (a node is only
   * inserted under an existing parent, and a removed parent takes its subtree with it).
   * Much faster than walk() for snapshots. Siblings come in creation order, except a
   * node removed and re-created inside one transaction, which keeps its old place.
   */
  entries(): IterableIterator<[string, XsNode]> {
    return this.nodes.entries();
  }

  /** Every node, depth first, parents before children, children in DIRECTORY order. */
  *walk(path = '/'): Generator<[string, XsNode]> {
    const stack: string[] = [path];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const n = this.nodes.get(p);
      if (n === undefined) continue;
      yield [p, n];
      if (n.children.size === 0) continue;
      const prefix = p === '/' ? '/' : `${p}/`;
      const at = stack.length;
      for (const k of n.children) stack.push(prefix + k);
      // Reverse the pushed children so they pop in creation order.
      for (let i = at, j = stack.length - 1; i < j; i++, j--) {
        const t = stack[i]!;
        stack[i] = stack[j]!;
        stack[j] = t;
      }
    }
  }

  /** Empties the store (before loading a snapshot). */
  clear(): void {
    this.nodes.clear();
    this.owners.clear();
    this.bytes.clear();
    this.dirty?.clear();
  }

  /** Counts a node in (d = 1) or out (d = -1) of its owner's nodes and bytes. */
  private count(path: string, node: XsNode, d: 1 | -1): void {
    const domid = ownerOf(node.perms);
    const v = (this.owners.get(domid) ?? 0) + d;
    if (v === 0) this.owners.delete(domid);
    else this.owners.set(domid, v);
    const b = (this.bytes.get(domid) ?? 0) + d * nodeBytes(path, node);
    if (v === 0) this.bytes.delete(domid);
    else this.bytes.set(domid, b);
  }
}
