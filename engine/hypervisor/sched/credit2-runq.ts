/**
 * Credit2's runqueues, Xen's struct csched2_runqueue_data (xen/common/sched/credit2.c):
 * its pCPUs, its waiting units (runq, most credit first), every unit assigned to it
 * (svc), the idle count, the weights of its units (max_weight) and its load.
 *
 * The lists hold units' indices into the host-wide table (credit2-units.ts), not units:
 * the walks read the table with addresses known in advance. The load numbers of every
 * runqueue (load, avgload, b_avgload, load_last_update) are one row each in a typed
 * table indexed by the runqueue's slot: balance_load's update_runq_load over every
 * runqueue reads 32 bytes per runqueue, one after the other, instead of an object and
 * its boxed doubles per runqueue.
 */
import { grown } from '../typed-grow';
import type { Unit } from './core';
import { RunqMask } from './credit2-masks';

export class Runq {
  readonly cpus: number[] = [];
  /** `cpus` as bitmap words (rqd->active). */
  readonly mask = new RunqMask();
  /** Waiting units' indices, most credit first. */
  readonly q: number[] = [];
  /** Every unit assigned to this runqueue, by index, in the order they were assigned. */
  readonly svc: number[] = [];
  /** Idle pCPUs in this runqueue. */
  nIdle = 0;
  private readonly weights = new Map<number, number>();
  maxWeight = 1;
  pickBias = 0;
  constructor(
    readonly id: number,
    /** Its row in the runqueues' load table. */
    readonly slot: number,
    private readonly unitOf: readonly (Unit | null)[],
  ) {}

  /** The waiting units (for dumps and tests; the scheduler walks `q`). */
  get runq(): Unit[] {
    return this.q.map((idx) => this.unitOf[idx]!);
  }

  addWeight(w: number): void {
    this.weights.set(w, (this.weights.get(w) ?? 0) + 1);
    if (w > this.maxWeight || this.weights.size === 1) this.maxWeight = Math.max(w, this.weights.size === 1 ? w : this.maxWeight);
  }

  removeWeight(w: number): void {
    const n = (this.weights.get(w) ?? 1) - 1;
    if (n <= 0) this.weights.delete(w);
    else this.weights.set(w, n);
    if (w === this.maxWeight && n <= 0) {
      let m = 1;
      for (const k of this.weights.keys()) if (k > m) m = k;
      this.maxWeight = m;
    }
  }
}

/**
 * The runqueues' load rows, by slot, `stride` doubles each (the fields are credit2.ts's
 * RQ const enum); slots of removed runqueues are reused.
 */
export class RunqLoads {
  f: Float64Array;
  private used = 0;
  private readonly freeSlots: number[] = [];

  constructor(private readonly stride: number) {
    this.f = new Float64Array(16 * stride);
  }

  /** A zeroed row. */
  alloc(): number {
    const s = this.freeSlots.pop() ?? this.used++;
    if ((s + 1) * this.stride > this.f.length) this.f = grown(this.f, this.f.length * 2);
    this.f.fill(0, s * this.stride, (s + 1) * this.stride);
    return s;
  }

  free(slot: number): void {
    this.freeSlots.push(slot);
  }
}
