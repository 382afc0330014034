/**
 * Credit's per-pCPU runqueues (csched_pcpu.runq in xen/common/sched/credit.c): units
 * waiting to run on a pCPU, ordered by priority (BOOST, UNDER, OVER) and first come
 * first served within a priority.
 *
 * Xen's __runq_insert walks the list to the first unit of lower priority and inserts
 * there, i.e. at the end of the unit's priority class. The list is threaded through the
 * unit records (credit-units.ts) and each pCPU keeps the last unit of each class, so the
 * same place is found without the walk; removing is an unlink. The walk is still what
 * happens while csched_acct is changing priorities (the list is then not sorted, and an
 * unparked unit must land where Xen's walk would put it); at the end of the accounting
 * `sort` re-orders each runqueue stably by priority, as csched_runq_sort does.
 */
import {
  CSCHED_PRI_IDLE,
  I_PRI,
  I_RQ_CLASS,
  I_RQ_NEXT,
  I_RQ_PREV,
  I_RUNQ_CPU,
  I_STRIDE,
  type CschedUnits,
} from './credit-units';

/** BOOST, UNDER, OVER: class = −pri. */
const NR_CLASSES = 3;

export class CschedRunqs {
  /** First record of each pCPU's runqueue, -1 when empty. */
  readonly head: Int32Array;
  /** Units waiting on each pCPU. */
  readonly len: Int32Array;
  /**
   * Priority of each pCPU's head (PRI_IDLE when empty): the load balancer skips a peer
   * with nothing better than what it has without touching the peer's units.
   */
  readonly headPri: Int32Array;
  /** Last record of each class on each pCPU (pCPU·3 + class), -1 when none. */
  private readonly tail: Int32Array;
  /** False while csched_acct is changing priorities: insert by walking (see above). */
  sorted = true;

  constructor(
    nrCpus: number,
    private readonly t: CschedUnits,
  ) {
    this.head = new Int32Array(nrCpus).fill(-1);
    this.len = new Int32Array(nrCpus);
    this.headPri = new Int32Array(nrCpus).fill(CSCHED_PRI_IDLE);
    this.tail = new Int32Array(nrCpus * NR_CLASSES).fill(-1);
  }

  /** __runq_insert(): after every waiting unit of the same or higher priority. */
  insert(r: number, cpu: number): void {
    const I = this.t.i;
    const pri = I[r * I_STRIDE + I_PRI]!;
    const cls = -pri;
    let pred = -1;
    if (this.sorted) {
      const tb = cpu * NR_CLASSES;
      for (let c = cls; c >= 0 && pred < 0; c--) pred = this.tail[tb + c]!;
      this.tail[tb + cls] = r;
    } else {
      for (let q = this.head[cpu]!; q >= 0 && I[q * I_STRIDE + I_PRI]! >= pri; q = I[q * I_STRIDE + I_RQ_NEXT]!) pred = q;
    }
    const b = r * I_STRIDE;
    const next = pred >= 0 ? I[pred * I_STRIDE + I_RQ_NEXT]! : this.head[cpu]!;
    I[b + I_RQ_PREV] = pred;
    I[b + I_RQ_NEXT] = next;
    I[b + I_RQ_CLASS] = cls;
    I[b + I_RUNQ_CPU] = cpu;
    if (next >= 0) I[next * I_STRIDE + I_RQ_PREV] = r;
    if (pred >= 0) I[pred * I_STRIDE + I_RQ_NEXT] = r;
    else {
      this.head[cpu] = r;
      this.headPri[cpu] = pri;
    }
    this.len[cpu]!++;
  }

  /** __runq_remove(). Returns the pCPU it was queued on. */
  remove(r: number): number {
    const I = this.t.i;
    const b = r * I_STRIDE;
    const cpu = I[b + I_RUNQ_CPU]!;
    const p = I[b + I_RQ_PREV]!;
    const n = I[b + I_RQ_NEXT]!;
    const cls = I[b + I_RQ_CLASS]!;
    if (n >= 0) I[n * I_STRIDE + I_RQ_PREV] = p;
    if (p >= 0) I[p * I_STRIDE + I_RQ_NEXT] = n;
    else {
      this.head[cpu] = n;
      this.headPri[cpu] = n >= 0 ? I[n * I_STRIDE + I_PRI]! : CSCHED_PRI_IDLE;
    }
    const tb = cpu * NR_CLASSES;
    if (this.tail[tb + cls] === r) this.tail[tb + cls] = p >= 0 && I[p * I_STRIDE + I_RQ_CLASS] === cls ? p : -1;
    if (--this.len[cpu]! === 0) this.tail.fill(-1, tb, tb + NR_CLASSES);
    I[b + I_RUNQ_CPU] = -1;
    I[b + I_RQ_PREV] = -1;
    I[b + I_RQ_NEXT] = -1;
    return cpu;
  }

  /** csched_runq_sort(): re-order by priority, keeping the order within a priority. */
  sort(cpu: number): void {
    const I = this.t.i;
    const tb = cpu * NR_CLASSES;
    const heads = [-1, -1, -1];
    this.tail.fill(-1, tb, tb + NR_CLASSES);
    for (let q = this.head[cpu]!; q >= 0; ) {
      const b = q * I_STRIDE;
      const next = I[b + I_RQ_NEXT]!;
      const cls = -I[b + I_PRI]!;
      const t = this.tail[tb + cls]!;
      I[b + I_RQ_CLASS] = cls;
      I[b + I_RQ_PREV] = t;
      I[b + I_RQ_NEXT] = -1;
      if (t >= 0) I[t * I_STRIDE + I_RQ_NEXT] = q;
      else heads[cls] = q;
      this.tail[tb + cls] = q;
      q = next;
    }
    // chain the classes: BOOST, then UNDER, then OVER
    let head = -1;
    let last = -1;
    for (let c = 0; c < NR_CLASSES; c++) {
      const h = heads[c]!;
      if (h < 0) continue;
      if (last >= 0) {
        I[last * I_STRIDE + I_RQ_NEXT] = h;
        I[h * I_STRIDE + I_RQ_PREV] = last;
      } else head = h;
      last = this.tail[tb + c]!;
    }
    this.head[cpu] = head;
    this.headPri[cpu] = head >= 0 ? I[head * I_STRIDE + I_PRI]! : CSCHED_PRI_IDLE;
  }

  /** The record after `r` on its runqueue, -1 at the end. */
  next(r: number): number {
    return this.t.i[r * I_STRIDE + I_RQ_NEXT]!;
  }
}
