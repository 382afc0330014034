/**
 * The database operations of docs/misc/xenstore.txt (READ, WRITE, MKDIR, RM, DIRECTORY,
 * GET_PERMS, SET_PERMS) over a NodeView, with the access rules of C xenstored
 * (tools/xenstored/core.c): a missing node reports EACCES rather than ENOENT when its
 * nearest existing ancestor is not accessible; WRITE and MKDIR create missing parents
 * with empty values, inheriting the parent's permissions, an unprivileged creator owning
 * what it creates; RM is recursive, succeeds on a missing node but fails with ENOENT when
 * the parent is missing too; only the owner may change permissions and only a privileged
 * caller may change the owner (EPERM). Quotas apply to unprivileged callers.
 */
import { XsError } from './errors';
import type { Access, Perm } from './perms';
import { isOwner, ownerOf, permits } from './perms';
import { basename, join, parentOf } from './path';
import type { XsQuota } from './quota';
import { exceeds } from './quota';
import type { NodeView, XsNode } from './store';
import { newNode, nodeBytes, recordSize } from './store';

/** Who is asking: a connection's domain. */
export interface Caller {
  readonly domid: number;
  readonly privileged: boolean;
  /** SET_TARGET: this domain acts for `target`. */
  readonly target?: number;
  readonly quota: XsQuota;
}

/** A committed (or, in a transaction, pending) change, for watches and the journal. */
export interface Change {
  path: string;
  recursive: boolean;
  perms: readonly Perm[];
}

export function mayAccess(caller: Caller, perms: readonly Perm[], want: Access): boolean {
  return caller.privileged || permits(perms, caller.domid, want, caller.target);
}

/** The node at `path` if `caller` may `want` it; else EACCES or ENOENT as C xenstored. */
export function access(view: NodeView, caller: Caller, path: string, want: Access): XsNode {
  const node = view.get(path);
  if (node !== undefined) {
    if (!mayAccess(caller, node.perms, want)) throw new XsError('EACCES', path);
    return node;
  }
  throw new XsError(errnoFromParents(view, caller, path, want), path);
}

function errnoFromParents(view: NodeView, caller: Caller, path: string, want: Access): 'EACCES' | 'ENOENT' {
  let p = path;
  while (p !== '/') {
    p = parentOf(p);
    const n = view.get(p);
    if (n !== undefined) return mayAccess(caller, n.perms, want) ? 'ENOENT' : 'EACCES';
  }
  return 'ENOENT';
}

export function read(view: NodeView, caller: Caller, path: string): Buffer {
  return access(view, caller, path, 'read').value;
}

export function directory(view: NodeView, caller: Caller, path: string): string[] {
  return [...access(view, caller, path, 'read').children];
}

export function getPerms(view: NodeView, caller: Caller, path: string): readonly Perm[] {
  return access(view, caller, path, 'read').perms;
}

/**
 * quota_max_entry_size: 4.17's write_node_raw() refuses an unprivileged connection's
 * write of a node whose whole record (recordSize) reaches the limit (>=), so a value well
 * under it can still fail on a node with many permissions or children. Every node a
 * WRITE, MKDIR or SET_PERMS writes is checked, the parent gaining a child too; RM's
 * rewrite of the parent is not (remove_child_entry() passes no_quota_check).
 */
function checkRecord(caller: Caller, node: { value: Buffer; perms: readonly Perm[]; children: Iterable<string> }): void {
  if (!caller.privileged && caller.quota.nodeSize > 0 && recordSize(node) >= caller.quota.nodeSize) {
    throw new XsError('ENOSPC', 'node size quota');
  }
}

/** Creates `path` and its missing parents; returns the node. */
function create(view: NodeView, caller: Caller, path: string, value: Buffer): XsNode {
  const missing: string[] = [];
  let p = path;
  let anc: XsNode | undefined;
  for (;;) {
    anc = view.get(p);
    if (anc !== undefined) break;
    missing.push(p);
    p = parentOf(p);
  }
  if (!mayAccess(caller, anc.perms, 'write')) throw new XsError('EACCES', path);
  if (!caller.privileged) {
    // New nodes are owned by the caller: check its node and memory quotas first.
    if (exceeds(caller.quota.nodes, view.ownedBy(caller.domid) + missing.length)) throw new XsError('ENOSPC', 'nodes quota');
    let bytes = value.length;
    for (const np of missing) bytes += nodeBytes(np, { value: Buffer.alloc(0), perms: inherit(caller, anc.perms) });
    checkMemory(view, caller, bytes);
    // create_node() writes the new nodes bottom up, then the existing parent that gains a child
    const perms = inherit(caller, anc.perms);
    checkRecord(caller, { value, perms, children: [] });
    for (let i = 1; i < missing.length; i++) checkRecord(caller, { value: Buffer.alloc(0), perms, children: [basename(missing[i - 1]!)] });
    checkRecord(caller, { value: anc.value, perms: anc.perms, children: [...anc.children, basename(missing[missing.length - 1]!)] });
  }
  let parentPath = p;
  let parentPerms = anc.perms;
  let node: XsNode | undefined;
  for (let i = missing.length - 1; i >= 0; i--) {
    const np = missing[i]!;
    const perms = inherit(caller, parentPerms);
    node = newNode(perms, i === 0 ? value : Buffer.alloc(0));
    view.mutable(parentPath).children.add(basename(np));
    view.create(np, node);
    parentPath = np;
    parentPerms = perms;
  }
  return node!;
}

/** C xenstored: inherit the parent's permissions, but an unprivileged creator owns the node. */
function inherit(caller: Caller, parent: readonly Perm[]): Perm[] {
  const perms = parent.map((x) => ({ ...x }));
  if (!caller.privileged && perms[0] !== undefined && perms[0].id !== caller.domid) {
    perms[0] = { id: caller.domid, perm: perms[0].perm };
  }
  return perms;
}

export function write(view: NodeView, caller: Caller, path: string, value: Buffer): Change {
  const node = view.get(path);
  if (node === undefined) {
    const n = create(view, caller, path, value);
    return { path, recursive: false, perms: n.perms };
  }
  if (!mayAccess(caller, node.perms, 'write')) throw new XsError('EACCES', path);
  checkRecord(caller, { value, perms: node.perms, children: node.children });
  if (!caller.privileged && ownerOf(node.perms) === caller.domid) checkMemory(view, caller, value.length - node.value.length);
  view.setValue(path, value);
  return { path, recursive: false, perms: node.perms };
}

/**
 * quota-memory (Xen 4.17, default 2.5 MB hard): growing past it fails with ENOMEM, as
 * C xenstored's domain_memory_add_chk() does; shrinking is always allowed.
 */
function checkMemory(view: NodeView, caller: Caller, growth: number): void {
  if (growth > 0 && exceeds(caller.quota.memory, view.memoryOf(caller.domid) + growth)) throw new XsError('ENOMEM', 'memory quota');
}

/** MKDIR: null when the node already exists (no change, no event). */
export function mkdir(view: NodeView, caller: Caller, path: string): Change | null {
  const node = view.get(path);
  if (node !== undefined) {
    if (!mayAccess(caller, node.perms, 'write')) throw new XsError('EACCES', path);
    return null;
  }
  const n = create(view, caller, path, Buffer.alloc(0));
  return { path, recursive: false, perms: n.perms };
}

/** RM: null when the node was already absent (its parent exists). */
export function rm(view: NodeView, caller: Caller, path: string): Change | null {
  if (path === '/') throw new XsError('EINVAL', 'cannot remove /');
  const node = view.get(path);
  if (node === undefined) {
    const parent = view.get(parentOf(path));
    if (parent === undefined) throw new XsError(errnoFromParents(view, caller, parentOf(path), 'write'), path);
    if (!mayAccess(caller, parent.perms, 'write')) throw new XsError('EACCES', path);
    return null;
  }
  if (!mayAccess(caller, node.perms, 'write')) throw new XsError('EACCES', path);
  const perms = node.perms;
  removeTree(view, path);
  view.mutable(parentOf(path)).children.delete(basename(path));
  return { path, recursive: true, perms };
}

function removeTree(view: NodeView, path: string): void {
  const stack = [path];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const n = view.get(p);
    if (n === undefined) continue;
    for (const c of n.children) stack.push(join(p, c));
    view.remove(p);
  }
}

export function setPerms(view: NodeView, caller: Caller, path: string, perms: Perm[]): Change {
  if (!caller.privileged && exceeds(caller.quota.nodePerms, perms.length)) throw new XsError('ENOSPC', 'node permissions quota');
  const node = access(view, caller, path, 'write');
  if (!caller.privileged) {
    if (!isOwner(node.perms, caller.domid, caller.target)) throw new XsError('EACCES', path);
    if (ownerOf(perms) !== ownerOf(node.perms)) throw new XsError('EPERM', 'only a privileged domain may change the owner');
  }
  checkRecord(caller, { value: node.value, perms, children: node.children });
  view.setPerms(path, perms);
  return { path, recursive: false, perms };
}
