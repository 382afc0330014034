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
export class CpuFifo {
  private readonly nextOf: Int32Array;
  private readonly prevOf: Int32Array;
  /** The list each pCPU is in, -1 when in none. */
  private readonly listOf: Int32Array;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly count: Int32Array;

  constructor(nrCpus: number, nrLists = 1) {
    this.nextOf = new Int32Array(nrCpus).fill(-1);
    this.prevOf = new Int32Array(nrCpus).fill(-1);
    this.listOf = new Int32Array(nrCpus).fill(-1);
    this.head = new Int32Array(nrLists).fill(-1);
    this.tail = new Int32Array(nrLists).fill(-1);
    this.count = new Int32Array(nrLists);
  }

  has(cpu: number): boolean {
    return this.listOf[cpu]! >= 0;
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
    return this.nextOf[cpu]!;
  }

  /** Append `cpu` to `list`; a pCPU already in a list keeps its place (Set.add). */
  add(cpu: number, list = 0): void {
    if (this.listOf[cpu]! >= 0) return;
    const t = this.tail[list]!;
    this.listOf[cpu] = list;
    this.prevOf[cpu] = t;
    this.nextOf[cpu] = -1;
    if (t >= 0) this.nextOf[t] = cpu;
    else this.head[list] = cpu;
    this.tail[list] = cpu;
    this.count[list]!++;
  }

  delete(cpu: number): void {
    const list = this.listOf[cpu]!;
    if (list < 0) return;
    const p = this.prevOf[cpu]!;
    const n = this.nextOf[cpu]!;
    if (p >= 0) this.nextOf[p] = n;
    else this.head[list] = n;
    if (n >= 0) this.prevOf[n] = p;
    else this.tail[list] = p;
    this.listOf[cpu] = -1;
    this.count[list]!--;
  }
}
