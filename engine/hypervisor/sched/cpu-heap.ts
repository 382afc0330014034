/**
 * An indexed binary heap of pCPU ids, ordered by the caller's `before(a, b)` (true when
 * pCPU a belongs nearer the top than b). Positions live in typed arrays, so testing,
 * removing or re-keying one pCPU is O(log n) without allocating.
 *
 * Why: Xen's schedulers walk the pCPUs of a pool in a few places (RTDS's runq_tickle
 * looks for an idle pCPU, else for the one running the latest deadline). That is a
 * handful of pCPUs on a real host's fast path, but 4096 per event on the largest host
 * XenDeck models (x2APIC, issue 4's benchmark). A scheduler keeps the pCPUs it would
 * walk in one of these, keyed so the top is the pCPU the walk would have found first.
 */
export class CpuHeap {
  private heap: Int32Array;
  /** Index of each pCPU in `heap`, -1 when absent. */
  private pos: Int32Array;
  size = 0;
  private readonly cmp: ((a: number, b: number) => boolean) | null;

  /**
   * Order by `before`, or (without it) by a subclass's before(). A scheduler's hot heaps
   * are subclasses: up/down then call one method per class, which the optimiser inlines,
   * where two closures from different places left the call site megamorphic (RTDS's two
   * comparators were 7% of its loop's self time as separate calls).
   */
  constructor(nrCpus: number, before?: (a: number, b: number) => boolean) {
    this.heap = new Int32Array(nrCpus);
    this.pos = new Int32Array(nrCpus).fill(-1);
    this.cmp = before ?? null;
  }

  /** pCPU a belongs nearer the top than b. */
  protected before(a: number, b: number): boolean {
    return this.cmp!(a, b);
  }

  has(cpu: number): boolean {
    return this.pos[cpu]! >= 0;
  }

  /** Room for ids below n (a heap of other small integers that grow, e.g. RTDS's deadline buckets). */
  grow(n: number): void {
    if (n <= this.pos.length) return;
    const heap = new Int32Array(n);
    heap.set(this.heap);
    const pos = new Int32Array(n).fill(-1);
    pos.set(this.pos);
    this.heap = heap;
    this.pos = pos;
  }

  /** The pCPU at the top, -1 when empty. */
  top(): number {
    return this.size > 0 ? this.heap[0]! : -1;
  }

  /** Add a pCPU, or move it after its key changed. */
  update(cpu: number): void {
    const i = this.pos[cpu]!;
    if (i < 0) {
      const n = this.size++;
      this.heap[n] = cpu;
      this.pos[cpu] = n;
      this.up(n);
      return;
    }
    this.up(i);
    this.down(this.pos[cpu]!);
  }

  remove(cpu: number): void {
    const i = this.pos[cpu]!;
    if (i < 0) return;
    this.pos[cpu] = -1;
    const last = this.heap[--this.size]!;
    if (last === cpu) return;
    this.heap[i] = last;
    this.pos[last] = i;
    this.up(i);
    this.down(this.pos[last]!);
  }

  private up(i: number): void {
    const h = this.heap;
    const c = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pc = h[p]!;
      if (!this.before(c, pc)) break;
      h[i] = pc;
      this.pos[pc] = i;
      i = p;
    }
    h[i] = c;
    this.pos[c] = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = this.size;
    const c = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const k = r < n && this.before(h[r]!, h[l]!) ? r : l;
      const kc = h[k]!;
      if (!this.before(kc, c)) break;
      h[i] = kc;
      this.pos[kc] = i;
      i = k;
    }
    h[i] = c;
    this.pos[c] = i;
  }
}
