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
/** Integers of a pCPU's entry: next, previous, the list it is in (-1: none). */
export const CPU_FIFO_FIELDS = 3;

/**
 * Where the entries live: by default a table of their own; a scheduler can instead give
 * each list CPU_FIFO_FIELDS integers of its own per-pCPU records (`table`, `stride`
 * integers per pCPU, the entry at `offset`), so what it reads of one pCPU — runqueue,
 * idler and queued entries — is one cache line instead of one per list. The table has
 * `nrLists` records more than pCPUs: record nrCpus + l is list l's sentinel.
 */
export interface CpuFifoPlace {
  table: Int32Array;
  stride: number;
  offset: number;
}

/**
 * Each list is circular through a sentinel entry (record nrCpus + list), so linking and
 * unlinking a pCPU are the same four stores wherever it is, with no test of whether it
 * is first or last: those tests were branches the CPU mispredicted (a list's length
 * changes at nearly every wake-up and switch).
 */
export class CpuFifo {
  private readonly e: Int32Array;
  private readonly stride: number;
  private readonly next0: number;
  private readonly prev0: number;
  private readonly list0: number;
  private readonly nrCpus: number;
  private readonly count: Int32Array;

  constructor(nrCpus: number, nrLists = 1, place?: CpuFifoPlace) {
    const p = place ?? { table: new Int32Array((nrCpus + nrLists) * 4), stride: 4, offset: 0 };
    if (p.table.length < (nrCpus + nrLists) * p.stride) throw new RangeError('CpuFifo: the table has no room for the lists\' sentinels');
    this.e = p.table;
    this.stride = p.stride;
    this.next0 = p.offset;
    this.prev0 = p.offset + 1;
    this.list0 = p.offset + 2;
    this.nrCpus = nrCpus;
    for (let c = 0; c < nrCpus; c++) p.table.fill(-1, c * p.stride + p.offset, c * p.stride + p.offset + CPU_FIFO_FIELDS);
    for (let l = 0; l < nrLists; l++) {
      const s = nrCpus + l;
      const b = s * p.stride + p.offset;
      p.table[b] = s;
      p.table[b + 1] = s;
      p.table[b + 2] = l;
    }
    this.count = new Int32Array(nrLists);
  }

  has(cpu: number): boolean {
    return this.e[cpu * this.stride + this.list0]! >= 0;
  }

  size(list = 0): number {
    return this.count[list]!;
  }

  /** First pCPU of `list`, -1 when empty. */
  first(list = 0): number {
    const c = this.e[(this.nrCpus + list) * this.stride + this.next0]!;
    return c < this.nrCpus ? c : -1;
  }

  /** The pCPU after `cpu` in its list, -1 at the end. */
  next(cpu: number): number {
    const c = this.e[cpu * this.stride + this.next0]!;
    return c < this.nrCpus ? c : -1;
  }

  /** Append `cpu` to `list`; a pCPU already in a list keeps its place (Set.add). */
  add(cpu: number, list = 0): void {
    const e = this.e;
    const st = this.stride;
    const b = cpu * st;
    if (e[b + this.list0]! >= 0) return;
    const s = (this.nrCpus + list) * st;
    const t = e[s + this.prev0]!;
    e[b + this.list0] = list;
    e[b + this.prev0] = t;
    e[b + this.next0] = this.nrCpus + list;
    e[t * st + this.next0] = cpu;
    e[s + this.prev0] = cpu;
    this.count[list]!++;
  }

  delete(cpu: number): void {
    const e = this.e;
    const st = this.stride;
    const b = cpu * st;
    const list = e[b + this.list0]!;
    if (list < 0) return;
    const p = e[b + this.prev0]!;
    const n = e[b + this.next0]!;
    e[p * st + this.next0] = n;
    e[n * st + this.prev0] = p;
    e[b + this.list0] = -1;
    this.count[list]!--;
  }
}
