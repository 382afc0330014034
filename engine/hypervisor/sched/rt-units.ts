/**
 * RTDS's per-unit data, Xen's struct rt_unit (xen/common/sched/rt.c): period, budget,
 * cur_budget, cur_deadline, last_start, priority_level and the flags
 * (RTDS_extratime, RTDS_depleted, and whether it is on the runq, the depletedq or the
 * replq).
 *
 * One 64-byte record per unit in a typed-array table owned by the scheduler instance;
 * a unit's `priv` is its record number. As one object per unit, its five times were
 * boxed doubles (V8 keeps a double field in a heap box of its own): reading a unit's
 * deadline or budget on the 16,384-vCPU bench was a miss on the object and another on
 * the box. Here a unit is one line (two when the buffer is not line aligned).
 *
 * A record's number is also its slot in the replenishment queue (repl-queue.ts), and the
 * record holds the slot's links there: the queue needs no tables of its own per unit.
 */
import { MICROSECS, type STime } from '../clock';
import { grown } from '../typed-grow';
import type { Unit } from './core';

export const RTDS_DEFAULT_PERIOD_US = 10000;
export const RTDS_DEFAULT_BUDGET_US = 4000;

const RECORD_BYTES = 64;

/** Doubles of a record (in `f`, from r·F_STRIDE), in ns. */
export const F_STRIDE = RECORD_BYTES / 8;
export const F_PERIOD = 0;
export const F_BUDGET = 1;
export const F_CUR_BUDGET = 2;
export const F_CUR_DEADLINE = 3;
export const F_LAST_START = 4;

/** Integers of a record (in `i`, from r·I_STRIDE), after its five doubles. */
export const I_STRIDE = RECORD_BYTES / 4;
export const I_PRIORITY_LEVEL = 10;
export const I_FLAGS = 11;
/** Its links in the replenishment queue (repl-queue.ts SlotLinks): next, previous, bucket. */
export const I_REPL_LINKS = 12;

/** RTDS_extratime: may run past its budget at a lower priority level. */
export const RT_EXTRATIME = 1;
/**
 * RTDS_depleted: burn_budget() found no budget left (and no extratime). Only
 * repl_timer_handler() clears it; which queue a unit goes to is decided by its
 * cur_budget and extratime (runq_insert), not by this flag.
 */
export const RT_DEPLETED = 2;
export const RT_ON_RUNQ = 4;
export const RT_ON_DEPLETEDQ = 8;
export const RT_ON_REPLQ = 16;

export class RtUnits {
  /** The records' doubles and integers: two views of one buffer. */
  f = new Float64Array(64 * F_STRIDE);
  i = new Int32Array(this.f.buffer);
  /** Record → its unit (null while free) and that unit's idx (the hot paths' way to it). */
  readonly unit: (Unit | null)[] = [];
  idx = new Int32Array(64);
  private used = 0;
  private readonly freeList: number[] = [];

  /** The unit's record in this table, or -1 when it has none here. */
  recordOf(u: Unit): number {
    const r = u.priv;
    return typeof r === 'number' && this.unit[r] === u ? r : -1;
  }

  /** A fresh record for `u` (rt_alloc_udata): Xen's default period and budget, extratime on. */
  alloc(u: Unit): number {
    const r = this.freeList.pop() ?? this.used++;
    if ((r + 1) * F_STRIDE > this.f.length) {
      let n = this.f.length;
      while ((r + 1) * F_STRIDE > n) n *= 2;
      this.f = grown(this.f, n);
      this.i = new Int32Array(this.f.buffer);
    }
    if (r >= this.idx.length) this.idx = grown(this.idx, this.f.length / F_STRIDE);
    this.unit[r] = u;
    this.idx[r] = u.idx;
    const f = this.f;
    const b = r * F_STRIDE;
    f[b + F_PERIOD] = MICROSECS(RTDS_DEFAULT_PERIOD_US);
    f[b + F_BUDGET] = MICROSECS(RTDS_DEFAULT_BUDGET_US);
    f[b + F_CUR_BUDGET] = 0;
    f[b + F_CUR_DEADLINE] = 0;
    f[b + F_LAST_START] = 0;
    this.i[r * I_STRIDE + I_PRIORITY_LEVEL] = 0;
    this.i[r * I_STRIDE + I_FLAGS] = RT_EXTRATIME;
    this.i.fill(-1, r * I_STRIDE + I_REPL_LINKS, r * I_STRIDE + I_REPL_LINKS + 3);
    return r;
  }

  /** rt_free_udata: the record (not in the replenishment queue) can be reused. */
  free(r: number): void {
    this.unit[r] = null;
    this.freeList.push(r);
  }

  flag(r: number, fl: number): boolean {
    return (this.i[r * I_STRIDE + I_FLAGS]! & fl) !== 0;
  }

  setFlag(r: number, fl: number, on: boolean): void {
    if (on) this.i[r * I_STRIDE + I_FLAGS]! |= fl;
    else this.i[r * I_STRIDE + I_FLAGS]! &= ~fl;
  }

  deadline(r: number): STime {
    return this.f[r * F_STRIDE + F_CUR_DEADLINE]!;
  }

  /**
   * A new deadline (rt_update_deadline). The unit is never in the replenishment queue
   * then — it is taken out before its refill, and is out while asleep — so its key in
   * the queue is the (level, deadline) it was queued with.
   */
  setDeadline(r: number, t: STime): void {
    this.f[r * F_STRIDE + F_CUR_DEADLINE] = t;
  }

  level(r: number): number {
    return this.i[r * I_STRIDE + I_PRIORITY_LEVEL]!;
  }

  /** compare_unit_priority() > 0: record a runs before record b. */
  higher(a: number, b: number): boolean {
    const I = this.i;
    const la = I[a * I_STRIDE + I_PRIORITY_LEVEL]!;
    const lb = I[b * I_STRIDE + I_PRIORITY_LEVEL]!;
    if (la !== lb) return la < lb;
    return this.f[a * F_STRIDE + F_CUR_DEADLINE]! < this.f[b * F_STRIDE + F_CUR_DEADLINE]!;
  }
}
