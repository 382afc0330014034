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
 *
 * What a pCPU's scheduling reads of its own state — the runqueue's head, head priority
 * and class tails, the unit running there, and its entries in the scheduler's lists of
 * idlers and of pCPUs with waiting units (cpu-fifo.ts) — is one 64-byte record per pCPU
 * (Xen's struct csched_pcpu), so a wake-up or a schedule on a random pCPU of 4096 is one
 * cache line, not one per array.
 */
import { CPU_FIFO_FIELDS } from './cpu-fifo';
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

/** The per-pCPU record: sixteen integers. */
export const P_STRIDE = 16;
/** First record of the runqueue, -1 when empty. */
export const P_HEAD = 0;
/**
 * Priority of the head (PRI_IDLE when empty): the load balancer skips a peer with
 * nothing better than what it has without touching the peer's units.
 */
export const P_HEAD_PRI = 1;
/** Last record of each class (P_TAIL + class), -1 when none. */
const P_TAIL = 2;
/** The record of the unit running there (-1 when idle) and its priority (PRI_IDLE when idle). */
export const P_CUR_REC = P_TAIL + NR_CLASSES;
export const P_CUR_PRI = P_CUR_REC + 1;
/** The pCPU's entries in the scheduler's three CpuFifo lists: idlers, queued, queued on its node. */
export const P_FIFO_IDLERS = P_CUR_PRI + 1;
export const P_FIFO_QUEUED = P_FIFO_IDLERS + CPU_FIFO_FIELDS;
export const P_FIFO_QUEUED_NODE = P_FIFO_QUEUED + CPU_FIFO_FIELDS;

export class CschedRunqs {
  /** The per-pCPU records (P_*). */
  readonly pc: Int32Array;
  /** False while csched_acct is changing priorities: insert by walking (see above). */
  sorted = true;
  /** sort()'s first record of each class (kept to reuse). */
  private readonly sortHeads = new Int32Array(NR_CLASSES);

  /** `spare` records after the pCPUs' (the sentinels of the pCPU lists sharing the table: cpu-fifo.ts). */
  constructor(
    nrCpus: number,
    private readonly t: CschedUnits,
    spare = 0,
  ) {
    const pc = new Int32Array((nrCpus + spare) * P_STRIDE);
    for (let c = 0; c < nrCpus; c++) {
      const b = c * P_STRIDE;
      pc.fill(-1, b, b + P_STRIDE);
      pc[b + P_HEAD_PRI] = CSCHED_PRI_IDLE;
      pc[b + P_CUR_PRI] = CSCHED_PRI_IDLE;
    }
    this.pc = pc;
  }

  head(cpu: number): number {
    return this.pc[cpu * P_STRIDE + P_HEAD]!;
  }

  empty(cpu: number): boolean {
    return this.pc[cpu * P_STRIDE + P_HEAD]! < 0;
  }

  /** Units waiting (a walk: for dumps). */
  len(cpu: number): number {
    let n = 0;
    for (let r = this.head(cpu); r >= 0; r = this.next(r)) n++;
    return n;
  }

  headPri(cpu: number): number {
    return this.pc[cpu * P_STRIDE + P_HEAD_PRI]!;
  }

  /** __runq_insert(): after every waiting unit of the same or higher priority. */
  insert(r: number, cpu: number): void {
    const I = this.t.i;
    const pri = I[r * I_STRIDE + I_PRI]!;
    const cls = -pri;
    const pc = this.pc;
    const pb = cpu * P_STRIDE;
    let pred = -1;
    if (this.sorted) {
      // the last unit of its class, else of the class above, else of BOOST (unrolled:
      // a loop with a data-dependent exit per wake-up)
      pred = pc[pb + P_TAIL + cls]!;
      if (pred < 0 && cls > 0) {
        pred = pc[pb + P_TAIL + cls - 1]!;
        if (pred < 0 && cls > 1) pred = pc[pb + P_TAIL]!;
      }
      pc[pb + P_TAIL + cls] = r;
    } else {
      for (let q = pc[pb + P_HEAD]!; q >= 0 && I[q * I_STRIDE + I_PRI]! >= pri; q = I[q * I_STRIDE + I_RQ_NEXT]!) pred = q;
    }
    const b = r * I_STRIDE;
    const next = pred >= 0 ? I[pred * I_STRIDE + I_RQ_NEXT]! : pc[pb + P_HEAD]!;
    I[b + I_RQ_PREV] = pred;
    I[b + I_RQ_NEXT] = next;
    I[b + I_RQ_CLASS] = cls;
    I[b + I_RUNQ_CPU] = cpu;
    if (next >= 0) I[next * I_STRIDE + I_RQ_PREV] = r;
    if (pred >= 0) I[pred * I_STRIDE + I_RQ_NEXT] = r;
    else {
      pc[pb + P_HEAD] = r;
      pc[pb + P_HEAD_PRI] = pri;
    }
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
    const pc = this.pc;
    const pb = cpu * P_STRIDE;
    if (p >= 0) I[p * I_STRIDE + I_RQ_NEXT] = n;
    else {
      pc[pb + P_HEAD] = n;
      pc[pb + P_HEAD_PRI] = n >= 0 ? I[n * I_STRIDE + I_PRI]! : CSCHED_PRI_IDLE;
    }
    const tc = pb + P_TAIL + cls;
    if (pc[tc] === r) pc[tc] = p >= 0 && I[p * I_STRIDE + I_RQ_CLASS] === cls ? p : -1;
    if (pc[pb + P_HEAD]! < 0) {
      // stores, not pc.fill(): a builtin call costs more than three stores
      pc[pb + P_TAIL] = -1;
      pc[pb + P_TAIL + 1] = -1;
      pc[pb + P_TAIL + 2] = -1;
    }
    I[b + I_RUNQ_CPU] = -1;
    I[b + I_RQ_PREV] = -1;
    I[b + I_RQ_NEXT] = -1;
    return cpu;
  }

  /** csched_runq_sort(): re-order by priority, keeping the order within a priority. */
  sort(cpu: number): void {
    const I = this.t.i;
    const pc = this.pc;
    const pb = cpu * P_STRIDE;
    const tb = pb + P_TAIL;
    const heads = this.sortHeads;
    for (let c = 0; c < NR_CLASSES; c++) {
      heads[c] = -1;
      pc[tb + c] = -1;
    }
    for (let q = pc[pb + P_HEAD]!; q >= 0; ) {
      const b = q * I_STRIDE;
      const next = I[b + I_RQ_NEXT]!;
      const cls = -I[b + I_PRI]!;
      const t = pc[tb + cls]!;
      I[b + I_RQ_CLASS] = cls;
      I[b + I_RQ_PREV] = t;
      I[b + I_RQ_NEXT] = -1;
      if (t >= 0) I[t * I_STRIDE + I_RQ_NEXT] = q;
      else heads[cls] = q;
      pc[tb + cls] = q;
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
      last = pc[tb + c]!;
    }
    pc[pb + P_HEAD] = head;
    pc[pb + P_HEAD_PRI] = head >= 0 ? I[head * I_STRIDE + I_PRI]! : CSCHED_PRI_IDLE;
  }

  /** The record after `r` on its runqueue, -1 at the end. */
  next(r: number): number {
    return this.t.i[r * I_STRIDE + I_RQ_NEXT]!;
  }
}
