/**
 * RTDS's preemption candidates: the pool's running, untickled pCPUs, the one running
 * the lowest-priority unit first. runq_tickle() (xen/common/sched/rt.c) looks for it when
 * no pCPU is idle: Xen walks every pCPU of the pool for the latest (priority level,
 * deadline), taking the first such pCPU of the walk; here they are a heap ordered by
 * (level, deadline) latest first, then by rank (order of joining the pool: the walk's
 * order), so its top is the pCPU the walk finds.
 *
 * The heap is brought up to date only when runq_tickle looks at its top. Most wake-ups
 * find an idle pCPU and never look, while a pCPU changes what it runs (or goes idle, or
 * is tickled) on every schedule: on the 64-pCPU bench 300,000 heap updates per 10
 * simulated seconds came down to the 53,000 pCPUs that had changed since the previous
 * look (on 4096 pCPUs, 232,000 to 48,000). Each pCPU's key is kept live as the
 * scheduler sets it; a pCPU whose key or membership changed goes on a pending list
 * once, and the look applies each pending pCPU's latest state as one heap operation.
 * The heap compares its own copy of the keys (taken when an entry is sifted), so the
 * entries still pending never break the order of the others. The top is the same pCPU
 * as with a heap updated at every change: the order (level, deadline, rank) is total.
 */
import { CpuHeap } from './cpu-heap';

/** A pCPU's key, side by side (one compare reads one line per pCPU): level, deadline, rank. */
const K_LEVEL = 0;
const K_DEADLINE = 1;
const K_RANK = 2;
const K_STRIDE = 4;

/** The candidates by the keys they were last sifted with: lowest priority first. */
class RunCpuHeap extends CpuHeap {
  constructor(
    n: number,
    private readonly key: Float64Array,
  ) {
    super(n);
  }
  /** pCPU a runs a lower-priority unit than b (ties: a comes first in the walk). */
  protected override before(a: number, b: number): boolean {
    const k = this.key;
    const ka = a * K_STRIDE;
    const kb = b * K_STRIDE;
    const pa = k[ka + K_LEVEL]!;
    const pb = k[kb + K_LEVEL]!;
    if (pa !== pb) return pa > pb;
    const da = k[ka + K_DEADLINE]!;
    const db = k[kb + K_DEADLINE]!;
    if (da !== db) return da > db;
    return k[ka + K_RANK]! < k[kb + K_RANK]!;
  }
}

export class RtRunCpus {
  /** Each pCPU's key as the scheduler last set it. */
  private readonly live: Float64Array;
  /** The keys the heap's entries were sifted with. */
  private readonly sifted: Float64Array;
  /** 1: the pCPU is a candidate (runs a unit, not tickled). */
  private readonly want: Uint8Array;
  private readonly heap: RunCpuHeap;
  /** pCPUs whose key or membership changed since the last look, each once. */
  private readonly pending: Int32Array;
  private readonly isPending: Uint8Array;
  private nPending = 0;

  constructor(nrCpus: number) {
    this.live = new Float64Array(nrCpus * K_STRIDE);
    this.sifted = new Float64Array(nrCpus * K_STRIDE);
    this.want = new Uint8Array(nrCpus);
    this.heap = new RunCpuHeap(nrCpus, this.sifted);
    this.pending = new Int32Array(nrCpus);
    this.isPending = new Uint8Array(nrCpus);
  }

  /** The pCPU's order of joining the pool (set when it joins). */
  rank(cpu: number): number {
    return this.live[cpu * K_STRIDE + K_RANK]!;
  }

  setRank(cpu: number, rank: number): void {
    this.live[cpu * K_STRIDE + K_RANK] = rank;
    this.touch(cpu);
  }

  /** The pCPU now runs a unit with this priority level and deadline. */
  setKey(cpu: number, level: number, deadline: number): void {
    const k = this.live;
    const b = cpu * K_STRIDE;
    k[b + K_LEVEL] = level;
    k[b + K_DEADLINE] = deadline;
    if (this.want[cpu] === 1) this.touch(cpu);
  }

  /** The pCPU is a candidate (it runs a unit and is not tickled). */
  join(cpu: number): void {
    if (this.want[cpu] === 1) return;
    this.want[cpu] = 1;
    this.touch(cpu);
  }

  /** The pCPU is no candidate any more (idle, tickled, or out of the pool). */
  leave(cpu: number): void {
    if (this.want[cpu] === 0) return;
    this.want[cpu] = 0;
    this.touch(cpu);
  }

  /** The candidate running the lowest-priority unit (first in the walk's order), -1 when none. */
  top(): number {
    if (this.nPending > 0) this.flush();
    return this.heap.top();
  }

  private touch(cpu: number): void {
    if (this.isPending[cpu] === 1) return;
    this.isPending[cpu] = 1;
    this.pending[this.nPending++] = cpu;
  }

  /** Apply each pending pCPU's latest state to the heap. */
  private flush(): void {
    const live = this.live;
    const s = this.sifted;
    const heap = this.heap;
    for (let i = 0; i < this.nPending; i++) {
      const cpu = this.pending[i]!;
      this.isPending[cpu] = 0;
      if (this.want[cpu] === 0) {
        heap.remove(cpu);
        continue;
      }
      const b = cpu * K_STRIDE;
      const l = live[b + K_LEVEL]!;
      const d = live[b + K_DEADLINE]!;
      const r = live[b + K_RANK]!;
      // in the heap under the same key: nothing would move
      if (s[b + K_LEVEL] === l && s[b + K_DEADLINE] === d && s[b + K_RANK] === r && heap.has(cpu)) continue;
      s[b + K_LEVEL] = l;
      s[b + K_DEADLINE] = d;
      s[b + K_RANK] = r;
      heap.update(cpu);
    }
    this.nPending = 0;
  }
}
