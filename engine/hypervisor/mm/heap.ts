/**
 * The host's machine frames, per NUMA node, handed out by a buddy allocator as Xen's
 * page allocator does (xen/common/page_alloc.c: alloc_heap_pages / free_heap_pages,
 * per-node heaps, blocks of 2^order frames, buddies merged on free). Superpage-backed
 * guests need aligned 2^9 / 2^18 blocks, which the buddy system gives naturally.
 *
 * A block is identified by its first mfn; free blocks are kept per node and order.
 */
import { XenError } from '../errno';

export const MAX_ORDER = 18;

interface NodeHeap {
  base: number;
  pages: number;
  free: number;
  /** free[order] = first mfns of free blocks of that order */
  lists: Set<number>[];
}

export class PageHeap {
  private readonly nodes: NodeHeap[] = [];
  /** Order of each allocated block, by first mfn (to check frees). */
  private readonly allocated = new Map<number, number>();

  /** `nodePages[i]` frames on node i; nodes are laid out one after another. */
  constructor(nodePages: readonly number[]) {
    let base = 0;
    for (const pages of nodePages) {
      const n: NodeHeap = { base, pages, free: 0, lists: Array.from({ length: MAX_ORDER + 1 }, () => new Set<number>()) };
      // carve [base, base+pages) into maximal aligned blocks
      let m = base;
      const end = base + pages;
      while (m < end) {
        let order = MAX_ORDER;
        while (order > 0 && (m % 2 ** order !== 0 || m + 2 ** order > end)) order--;
        n.lists[order]!.add(m);
        n.free += 2 ** order;
        m += 2 ** order;
      }
      this.nodes.push(n);
      base = end;
    }
  }

  get nrNodes(): number {
    return this.nodes.length;
  }

  freePages(node?: number): number {
    return node === undefined ? this.nodes.reduce((a, n) => a + n.free, 0) : this.node(node).free;
  }

  totalPages(node?: number): number {
    return node === undefined ? this.nodes.reduce((a, n) => a + n.pages, 0) : this.node(node).pages;
  }

  nodeOf(mfn: number): number {
    return this.nodes.findIndex((n) => mfn >= n.base && mfn < n.base + n.pages);
  }

  /**
   * alloc_heap_pages: a block of 2^order frames, from `node` if given (falling back to
   * the others as Xen does without MEMF_exact_node), else from the node with most free.
   */
  alloc(order: number, node?: number, exactNode = false): number {
    if (!Number.isInteger(order) || order < 0 || order > MAX_ORDER) throw new XenError('EINVAL', `bad allocation order ${order}`);
    const candidates =
      node !== undefined
        ? exactNode
          ? [node]
          : [node, ...this.nodes.map((_, i) => i).filter((i) => i !== node)]
        : this.nodes.map((_, i) => i).sort((a, b) => this.nodes[b]!.free - this.nodes[a]!.free);
    for (const i of candidates) {
      const mfn = this.allocFrom(this.node(i), order);
      if (mfn !== undefined) {
        this.allocated.set(mfn, order);
        return mfn;
      }
    }
    throw new XenError('ENOMEM', `no free block of ${2 ** order} pages${node !== undefined ? ` on node ${node}` : ''}`);
  }

  /** free_heap_pages: return a block, merging it with its free buddies. */
  free(mfn: number, order: number): void {
    if (this.allocated.get(mfn) !== order) throw new XenError('EINVAL', `mfn 0x${mfn.toString(16)} order ${order} was not allocated`);
    this.allocated.delete(mfn);
    const n = this.node(this.nodeOf(mfn));
    n.free += 2 ** order;
    let m = mfn;
    let o = order;
    while (o < MAX_ORDER) {
      const buddy = m ^ (2 ** o);
      if (buddy < n.base || buddy + 2 ** o > n.base + n.pages || !n.lists[o]!.delete(buddy)) break;
      m = Math.min(m, buddy);
      o++;
    }
    n.lists[o]!.add(m);
  }

  /** Split an allocated block of 2^order frames into its two halves, both still allocated. */
  split(mfn: number, order: number): void {
    if (order < 1 || this.allocated.get(mfn) !== order) throw new XenError('EINVAL', `mfn 0x${mfn.toString(16)} order ${order} cannot be split`);
    this.allocated.set(mfn, order - 1);
    this.allocated.set(mfn + 2 ** (order - 1), order - 1);
  }

  private allocFrom(n: NodeHeap, order: number): number | undefined {
    for (let o = order; o <= MAX_ORDER; o++) {
      const list = n.lists[o]!;
      if (list.size === 0) continue;
      const first = list.values().next().value as number;
      list.delete(first);
      // split down to the wanted order, putting the upper halves back
      for (let s = o; s > order; s--) n.lists[s - 1]!.add(first + 2 ** (s - 1));
      n.free -= 2 ** order;
      return first;
    }
    return undefined;
  }

  private node(i: number): NodeHeap {
    const n = this.nodes[i];
    if (!n) throw new XenError('EINVAL', `no NUMA node ${i}`);
    return n;
  }
}
