/**
 * Insertion-ordered sets of pCPUs over typed arrays: credit's idlers and its lists of
 * pCPUs with waiting units (globally and per NUMA node).
 *
 * Xen keeps these as cpumasks (csched_private.idlers, the runnable masks its load
 * balancer builds in csched_load_balance) and walks them with cpumask_cycle. Our credit
 * walks them in the order pCPUs joined — the pCPU idle longest first, the pCPU whose
 * runqueue filled first first — which is what its tests and recorded traces were made
 * with; a doubly linked list keeps exactly that order with O(1) add and delete and no
 * hashing or allocation (Set<number> did the same at a hash lookup and an iterator per
 * walk). Several lists can share one instance when a pCPU is in at most one of them at
 * a time (one list per NUMA node).
 */
/** A pCPU's entry: next, previous, the list it is in (-1: none); one 16-byte record. */
const STRIDE = 4;
const NEXT = 0;
const PREV = 1;
const LIST = 2;

export class CpuFifo {
  private readonly e: Int32Array;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly count: Int32Array;

  constructor(nrCpus: number, nrLists = 1) {
    this.e = new Int32Array(nrCpus * STRIDE).fill(-1);
    this.head = new Int32Array(nrLists).fill(-1);
    this.tail = new Int32Array(nrLists).fill(-1);
    this.count = new Int32Array(nrLists);
  }

  has(cpu: number): boolean {
    return this.e[cpu * STRIDE + LIST]! >= 0;
  }

  size(list = 0): number {
    return this.count[list]!;
  }

  /** First pCPU of `list`, -1 when empty. */
  first(list = 0): number {
    return this.head[list]!;
  }

  /** The pCPU after `cpu` in its list, -1 at the end. */
  next(cpu: number): number {
    return this.e[cpu * STRIDE + NEXT]!;
  }

  /** Append `cpu` to `list`; a pCPU already in a list keeps its place (Set.add). */
  add(cpu: number, list = 0): void {
    const e = this.e;
    const b = cpu * STRIDE;
    if (e[b + LIST]! >= 0) return;
    const t = this.tail[list]!;
    e[b + LIST] = list;
    e[b + PREV] = t;
    e[b + NEXT] = -1;
    if (t >= 0) e[t * STRIDE + NEXT] = cpu;
    else this.head[list] = cpu;
    this.tail[list] = cpu;
    this.count[list]!++;
  }

  delete(cpu: number): void {
    const e = this.e;
    const b = cpu * STRIDE;
    const list = e[b + LIST]!;
    if (list < 0) return;
    const p = e[b + PREV]!;
    const n = e[b + NEXT]!;
    if (p >= 0) e[p * STRIDE + NEXT] = n;
    else this.head[list] = n;
    if (n >= 0) e[n * STRIDE + PREV] = p;
    else this.tail[list] = p;
    e[b + LIST] = -1;
    this.count[list]!--;
  }
}
